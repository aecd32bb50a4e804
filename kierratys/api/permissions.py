"""Scopes: a token may do only what its scopes name; a signed-in person is not narrowed."""

from django.utils.translation import gettext as _
from rest_framework import permissions

from .models import ServiceToken


class HasScope(permissions.IsAuthenticated):
    """The view's `scope` (or `scopes_by_method`) must be among the token's scopes."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        token = request.auth
        if not isinstance(token, ServiceToken):
            return True
        needed = required_scope(view, request.method)
        if needed and needed not in token.scope_set:
            self.message = _("This token lacks the scope %(scope)s.") % {"scope": needed}
            return False
        return True


def required_scope(view, method: str) -> str | None:
    by_method = getattr(view, "scopes_by_method", None) or {}
    return by_method.get(method, getattr(view, "scope", None))
