"""Sign-in through an organisation's provider: start, callback, the one-time unit
choice, and the provider's back-channel logout."""

import logging

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..forms import EmailAuthenticationForm
from . import client, selectors, services
from .errors import SsoError
from .forms import UnitChoiceForm
from .mapping import Arrival, arrival_from_claims

logger = logging.getLogger(__name__)

NEXT_KEY = "sso_next"
ARRIVAL_KEY = "sso_arrival"


def _next_of(request) -> str:
    wanted = request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return ""


def login_page(request, *, sso_error: SsoError | None = None, status: int = 200, email=""):
    """The sign-in page, with what went wrong at the provider."""
    form = EmailAuthenticationForm(request, initial={"username": email})
    context = {
        "form": form,
        "next": request.session.get(NEXT_KEY, ""),
        "sso_error": sso_error.message if sso_error else "",
        "identity_providers": selectors.providers_for_login(),
    }
    response = render(request, "registration/login.html", context, status=status)
    return selectors.allow_forms_to_providers(response)


def _callback_url(request, provider) -> str:
    return request.build_absolute_uri(reverse("sso:callback", args=[provider.slug]))


@login_not_required
def start(request, slug):
    """Off to the provider: Authlib makes the state, nonce and PKCE verifier and keeps
    them in this browser's session."""
    provider = selectors.provider_by_slug(slug=slug)
    request.session[NEXT_KEY] = _next_of(request)
    extra = {}
    hint = request.GET.get("login_hint", "")
    if hint and len(hint) <= 254:
        extra["login_hint"] = hint
    if provider.required_acr:
        extra["acr_values"] = provider.required_acr
    try:
        return client.client_for(provider).authorize_redirect(
            request, _callback_url(request, provider), **extra
        )
    except client.protocol_errors() as error:
        return login_page(request, sso_error=client.as_sso_error(error), status=503)


def _signed_in(request, provider, arrival: Arrival):
    try:
        services.sso_sign_in(request=request, provider=provider, arrival=arrival)
    except services.UnitNeeded:
        request.session[ARRIVAL_KEY] = arrival.as_session()
        return redirect("sso:unit")
    except SsoError as error:
        return login_page(request, sso_error=error, status=403)
    return redirect(request.session.pop(NEXT_KEY, "") or "home")


@login_not_required
def callback(request, slug):
    provider = selectors.provider_by_slug(slug=slug)
    try:
        token = client.client_for(provider).authorize_access_token(request, leeway=30)
    except client.protocol_errors() as error:
        sso_error = client.as_sso_error(error)
        status = 503 if sso_error.kind == SsoError.UNREACHABLE else 400
        return login_page(request, sso_error=sso_error, status=status)
    claims = token.get("userinfo")
    if not claims:  # no ID token at all
        return login_page(request, sso_error=SsoError(SsoError.INVALID_TOKEN), status=400)
    try:
        arrival = arrival_from_claims(provider=provider, claims=claims)
    except SsoError as error:
        logger.info("Single sign-on refused: %s", error.kind)
        return login_page(request, sso_error=error, status=403)
    return _signed_in(request, provider, arrival)


@login_not_required
def unit(request):
    """A new person whose unit the provider does not name picks it, once."""
    arrival = Arrival.from_session(request.session.get(ARRIVAL_KEY))
    if arrival is None:
        return redirect("login")
    provider = selectors.providers_enabled().filter(pk=arrival.provider_id).first()
    if provider is None:
        request.session.pop(ARRIVAL_KEY, None)
        return login_page(request, sso_error=SsoError(SsoError.DISABLED), status=403)
    form = UnitChoiceForm(request.POST or None, organisation=provider.organisation)
    if request.method == "POST" and form.is_valid():
        arrival.unit_id = form.cleaned_data["unit"].pk
        request.session.pop(ARRIVAL_KEY, None)
        return _signed_in(request, provider, arrival)
    return render(
        request,
        "sso/unit.html",
        {"form": form, "organisation": provider.organisation, "full_name": arrival.full_name},
    )


@csrf_exempt
@login_not_required
@require_POST
def back_channel_logout(request, slug):
    """OpenID Connect Back-Channel Logout 1.0: the provider, not a browser, posts here."""
    provider = selectors.provider_by_slug(slug=slug)
    token = request.POST.get("logout_token", "")
    if not token:
        return HttpResponseBadRequest("logout_token missing")
    try:
        claims = client.logout_token_claims(provider=provider, logout_token=token)
    except SsoError:
        return HttpResponseBadRequest("logout_token not valid")
    services.sso_back_channel_logout(
        provider=provider, subject=str(claims.get("sub") or ""), sid=str(claims.get("sid") or "")
    )
    response = HttpResponse(status=200)
    response["Cache-Control"] = "no-store"
    return response


app_name = "sso"
urls = [
    path("unit/", unit, name="unit"),
    path("<slug:slug>/start/", start, name="start"),
    path("<slug:slug>/callback/", callback, name="callback"),
    path("<slug:slug>/backchannel-logout/", back_channel_logout, name="back_channel_logout"),
]
