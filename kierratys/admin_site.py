"""The administration site is for staff. A signed-in user without admin access gets the
friendly 403 page (templates/403.html), not Django's login form asking them to sign in as
someone else. Anonymous visitors are still sent to sign in.

Installed as `kierratys.admin_site.AdminConfig` in place of "django.contrib.admin", so
`admin.site` and every `@admin.register` use this site."""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.utils.decorators import method_decorator
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
        self._refuse_signed_in_outsiders(request)
        return super().login(request, extra_context)


class AdminConfig(DjangoAdminConfig):
    default_site = "kierratys.admin_site.AdminSite"
