"""Response headers Django does not set itself (the Content-Security-Policy comes from
django-csp, see settings.CONTENT_SECURITY_POLICY).

Static files never reach these: WhiteNoise answers them earlier in the chain, with its own
long-lived caching headers.
"""

from django.conf import settings
from django.utils.deprecation import MiddlewareMixin  # sync and async, like Django's own


class PermissionsPolicyMiddleware(MiddlewareMixin):
    """Tells the browser which powerful features pages may use (settings.PERMISSIONS_POLICY)."""

    def process_response(self, request, response):
        policy = ", ".join(f"{name}={value}" for name, value in settings.PERMISSIONS_POLICY.items())
        response.setdefault("Permissions-Policy", policy)
        return response


class PrivatePagesMiddleware(MiddlewareMixin):
    """A signed-in user's page holds their unit's reservations, contacts and tasks: no shared
    cache may keep it, and the browser must not keep it on disk or show it from history
    after signing out."""

    def process_response(self, request, response):
        user = getattr(request, "user", None)
        # A view that marks its answer public (an organisation's brand stylesheet) says it
        # holds nothing of the user's.
        public = "public" in response.get("Cache-Control", "")
        if user is not None and user.is_authenticated and not public:
            response["Cache-Control"] = "private, no-store"
        return response


class NotFoundMiddleware(MiddlewareMixin):
    """Selectors and services raise common.errors.NotFound without knowing about HTTP;
    here it becomes the friendly 404 page, as Http404 would."""

    def process_exception(self, request, exception):
        from django.views.defaults import page_not_found

        from .common.errors import NotFound

        if isinstance(exception, NotFound):
            return page_not_found(request, exception)
        return None
