from django.conf import settings

from .accounts.roles import COORDINATOR, WAREHOUSE, role_names
from .accounts.selectors import unread_notice_count
from .navigation import entries_for


def service(request):
    roles = role_names(request.user) if hasattr(request, "user") else frozenset()
    return {
        "SERVICE_NAME": settings.SERVICE_NAME,
        "MUNICIPALITY_NAME": settings.MUNICIPALITY_NAME,
        "SUPPORT_EMAIL": settings.SUPPORT_EMAIL,
        "SUPPORT_PHONE": settings.SUPPORT_PHONE,
        "user_is_warehouse": WAREHOUSE in roles,
        "user_is_coordinator": COORDINATOR in roles,
        "nav_entries": entries_for(request.user, request.path) if roles else [],
        "unread_notices": unread_notice_count(user=request.user) if roles else 0,
    }
