from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from kierratys.common.errors import add_to_form
from kierratys.common.inputs import plain_text

from . import selectors, services
from .errors import AccountError
from .forms import (
    EmailAuthenticationForm,
    PasswordResetRequestForm,
    ProfileForm,
    SignUpForm,
    VerifyEmailForm,
)
from .identity import client_address, email_key
from .models import SignInMethod
from .sso import selectors as sso_selectors
from .tokens import user_for_verification_link


def _sign_in_choices() -> dict:
    """A button per organisation's identity provider on the sign-in page."""
    return {"identity_providers": sso_selectors.providers_for_login()}


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        """Home-realm discovery: an address with no password goes to its organisation's
        identity provider, if it has one."""
        email = plain_text(request.POST.get("username", ""), max_length=254).strip()
        if email and not request.POST.get("password"):
            provider = sso_selectors.provider_for_email(email)
            if provider is not None:
                query = {"login_hint": email}
                if self.get_redirect_url():
                    query["next"] = self.get_redirect_url()
                return HttpResponseRedirect(
                    reverse("sso:start", args=[provider.slug]) + "?" + urlencode(query)
                )
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **_sign_in_choices()}

    def render_to_response(self, context, **kwargs):
        return sso_selectors.allow_forms_to_providers(super().render_to_response(context, **kwargs))

    def form_valid(self, form):
        """Signed in and recorded as a password sign-in (services.user_signed_in); a new
        device gets the language the user chose before."""
        user = form.get_user()
        services.user_signed_in(request=self.request, user=user, method=SignInMethod.PASSWORD)
        response = HttpResponseRedirect(self.get_success_url())
        language_cookie(response, user.language)
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        """Django's sign-out, through services.user_signed_out (the session's record goes)."""
        provider_logout = sso_selectors.provider_logout_url(
            request=request, post_logout_redirect_uri=request.build_absolute_uri("/")
        )
        provider = sso_selectors.provider_of_session(request=request)
        services.user_signed_out(request=request)
        if provider_logout:  # RP-initiated logout: the organisation's provider signs out too
            return render(
                request,
                "sso/signed_out.html",
                {"provider": provider, "logout_url": provider_logout},
            )
        redirect_to = self.get_success_url()
        if redirect_to != request.get_full_path():
            return HttpResponseRedirect(redirect_to)
        return self.get(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        """Saved; this session stays signed in, the user's others end
        (services.user_password_changed)."""
        form.save()
        services.user_password_changed(request=self.request, user=form.user)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        """A new password from the reset link: every session of the account ends, as
        whoever knew the old password may have one (services.user_sessions_end)."""
        response = super().form_valid(form)
        services.user_sessions_end(user=form.user)
        return response


def language_cookie(response, language: str) -> None:
    """The browser shows the pages in the account's language from the next request on
    (after a sign-in of any kind, and a change on the profile page)."""
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
        )


def login_username(request, credentials) -> str | None:
    """django-axes counts failures per account: the email's key, however it was typed."""
    username = (credentials or {}).get("username") or request.POST.get("username")
    return email_key(username) if username else None


def login_locked_out(request, credentials=None, *args, **kwargs):
    """django-axes calls this when an account is throttled for this address."""
    form = EmailAuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    lockout = _(
        "Too many failed sign-in attempts. For your security this account is locked "
        "for %(minutes)d minutes on this connection. You can reset your password meanwhile."
    ) % {"minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)}
    response = render(
        request,
        "registration/login.html",
        {"form": form, "lockout": lockout, **_sign_in_choices()},
        status=429,
    )
    return sso_selectors.allow_forms_to_providers(response)


@login_not_required
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_sign_up(
                email=data["email"],
                full_name=data["full_name"],
                phone=data["phone"],
                unit=data["unit"],
                language=get_language(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("signup_sent")
    return render(request, "registration/signup.html", {"form": form})


@login_not_required
def signup_sent(request):
    return render(request, "registration/signup_sent.html")


def _link_failed(request, error):
    return render(request, "registration/verify_failed.html", {"error": error}, status=400)


@login_not_required
def verify_email(request, uidb64, token):
    """Opening the link only shows the form (mail scanners open links too); the owner
    of the address activates the account by choosing its password here."""
    user = user_for_verification_link(uidb64, token)
    if user is None:
        return _link_failed(
            request,
            ValidationError(_("This verification link is invalid, expired or already used.")),
        )
    form = VerifyEmailForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_verify_email(
                user_id=user.pk,
                token=token,
                full_name=data["full_name"],
                phone=data["phone"],
                unit=data["unit"],
                password=data["password1"],
            )
        except ValidationError as error:
            if error.code == AccountError.INVALID_LINK:
                return _link_failed(request, error)
            form.add_error(None, error)
        else:
            messages.success(request, _("Your account is ready. Sign in with your new password."))
            return redirect("login")
    return render(request, "registration/verify_email.html", {"form": form, "email": user.email})


class PasswordResetView(auth_views.PasswordResetView):
    """Queues the mail (services.password_reset_request) instead of sending it here."""

    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        try:
            services.password_reset_request(
                email=form.cleaned_data["email"],
                client_address=client_address(self.request),
                language=get_language(),
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return redirect(self.success_url)


@login_not_required
@require_POST
def language_set(request):
    """Django's set_language, and remember the choice on the account for emails."""
    response = set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_set_language(user=request.user, language=language)
    return response


def notices(request):
    if request.method == "POST":
        services.notices_mark_read(user=request.user)
        return redirect("notices")
    return render(
        request, "kierratys/notices.html", {"notices": selectors.notices_for(user=request.user)}
    )


def profile(request):
    """The user's own name, phone and language; their unit is shown, not edited."""
    user = selectors.profile_of(user=request.user)
    form = ProfileForm(request.POST or None, user=user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.user_profile_update(
                    user=user,
                    full_name=data["full_name"],
                    phone=data["phone"],
                    language=data["language"],
                )
            except ValidationError as error:
                add_to_form(form, error)
            else:
                with translation.override(user.language):
                    messages.success(request, _("Your details are saved."))
                response = redirect("profile")
                language_cookie(response, user.language)
                return response
    return render(request, "kierratys/profile.html", {"profile": user, "form": form}, status=status)
