"""The administration site is for staff. A signed-in user without admin access gets the
friendly 403 page (templates/403.html), not Django's login form asking them to sign in as
someone else. Anonymous visitors are still sent to sign in.

Installed as `kierratys.admin_site.AdminConfig` in place of "django.contrib.admin", so
`admin.site` and every `@admin.register` use this site."""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache


class AdminSite(admin.AdminSite):
    def _refuse_signed_in_outsiders(self, request) -> None:
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied

    def admin_view(self, view, cacheable=False):
        # Around Django's wrapper, whose own check would send the user to the sign-in form.
        admin_view = super().admin_view(view, cacheable)

        @wraps(admin_view)  # keeps its flags (csrf, login_not_required) too
        def guarded(request, *args, **kwargs):
            self._refuse_signed_in_outsiders(request)
            return admin_view(request, *args, **kwargs)

        return guarded

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request, extra_context=None):
        """Django's admin sign-in, through the site's LoginView: it records the sign-in
        (accounts.services.user_signed_in). As in Django's AdminSite.login otherwise."""
        self._refuse_signed_in_outsiders(request)
        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        from django.contrib.admin.forms import AdminAuthenticationForm

        from kierratys.accounts.views import LoginView

        context = {
            **self.each_context(request),
            "title": _("Log in"),
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
        }
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        context.update(extra_context or {})
        request.current_app = self.name
        return LoginView.as_view(
            extra_context=context,
            authentication_form=self.login_form or AdminAuthenticationForm,
            template_name=self.login_template or "admin/login.html",
            redirect_authenticated_user=False,
        )(request)

    def logout(self, request, extra_context=None):
        """Django's admin sign-out, through the site's LogoutView: the session's record
        goes too (accounts.services.user_signed_out)."""
        from kierratys.accounts.views import LogoutView

        context = {**self.each_context(request), "has_permission": False, **(extra_context or {})}
        defaults = {"extra_context": context}
        if self.logout_template is not None:
            defaults["template_name"] = self.logout_template
        request.current_app = self.name
        return LogoutView.as_view(**defaults)(request)


class AdminConfig(DjangoAdminConfig):
    default_site = "kierratys.admin_site.AdminSite"
