from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, reverse

from reservations.basket import basket_count

from . import consumers
from .accounts.roles import COORDINATOR, WAREHOUSE, role_names
from .accounts.selectors import organisation_of, unread_notice_count
from .announcements.selectors import current_for as current_announcements
from .common import names
from .navigation import entries_for
from .routing import websocket_urlpatterns

# The live socket's route, as routing.py serves it (websocket routes are not in
# ROOT_URLCONF, so `{% url %}` cannot reverse them).
_LIVE_ROUTE = next(
    str(route.pattern)
    for route in websocket_urlpatterns
    if getattr(route.callback, "consumer_class", None) is consumers.LiveConsumer
)


def service(request):
    roles = role_names(request.user) if hasattr(request, "user") else frozenset()
    # A signed-in person sees their own organisation's name and support; others the defaults.
    organisation = organisation_of(user=request.user) if roles else None
    return {
        "SERVICE_NAME": names.service_name(),  # in the page's language
        "MUNICIPALITY_NAME": organisation.display_name
        if organisation
        else names.municipality_name(),
        "SUPPORT_EMAIL": (organisation and organisation.support_email) or settings.SUPPORT_EMAIL,
        "SUPPORT_PHONE": (organisation and organisation.support_phone) or settings.SUPPORT_PHONE,
        "ORGANISATION": organisation,
        "user_is_warehouse": WAREHOUSE in roles,
        "user_is_coordinator": COORDINATOR in roles,
        "nav_entries": entries_for(request.user, request.path) if roles else [],
        "unread_notices": unread_notice_count(user=request.user) if roles else 0,
        "basket": basket(request) if roles else None,
        "LIVE_SOCKET": live_socket(),
        # Lazy: one query, only when the page renders the banner (base.html).
        "announcements": current_announcements(
            user=request.user, organisation_id=organisation and organisation.pk, roles=roles
        )
        if organisation
        else [],
    }


def basket(request) -> dict | None:
    """The header's basket link: where it goes and how many listings it holds (the session)."""
    try:
        url = reverse("reservations:basket")
    except NoReverseMatch:
        return None  # reservations are not installed
    return {"url": url, "count": basket_count(getattr(request, "session", None))}


def live_socket() -> dict:
    """What static/js/live.js reads from its tag: where to connect, and the close codes
    it acts on (docs/live-events.md), so the script never hard-codes either."""
    return {
        "url": get_script_prefix() + _LIVE_ROUTE,
        "close_regroup": consumers.CLOSE_REGROUP,
        "close_signed_out": consumers.CLOSE_SIGNED_OUT,
        "close_too_slow": consumers.CLOSE_TOO_SLOW,
        "close_too_many": consumers.CLOSE_TOO_MANY,
    }
