"""Read side: which announcements a person sees now, and the coordinator's lists.

`current_for` is what every page's banner shows: one query (audience, time window and
dismissals in SQL), evaluated only when a page renders it, and none at all while no
announcement anywhere is current, which is most of the time: the time windows of the ones
not yet over are kept in the shared cache, forgotten by publishing and ending
(`forget_windows`), so a notice published in another process shows on the next page.
"""

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from inventory.models import Warehouse
from kierratys.accounts.roles import is_coordinator, organisation_id_of, role_names
from kierratys.accounts.selectors import partner_ids_of
from kierratys.common.errors import NotFound

from .models import Announcement, AnnouncementDismissal

BANNER_LIMIT = 5  # on top of a page; the list page has them all
WINDOWS_KEY = "announcements:windows"
WINDOWS_SECONDS = 600  # the most a lost invalidation (Redis down at that moment) delays a notice


def _windows() -> list[tuple]:
    """(starts_at, ends_at) of every announcement not ended or over, from the shared cache."""
    windows = cache.get(WINDOWS_KEY)
    if windows is None:
        windows = list(
            Announcement.objects.filter(
                ended_at__isnull=True, ends_at__gt=timezone.now()
            ).values_list("starts_at", "ends_at")
        )
        cache.set(WINDOWS_KEY, windows, WINDOWS_SECONDS)
    return windows


def forget_windows() -> None:
    cache.delete(WINDOWS_KEY)


def any_current(now=None) -> bool:
    """Whether some announcement of any organisation is current: if not, no page asks more."""
    now = now or timezone.now()
    return any(starts_at <= now < ends_at for starts_at, ends_at in _windows())


def current_q(now=None) -> Q:
    now = now or timezone.now()
    return Q(starts_at__lte=now, ends_at__gt=now, ended_at__isnull=True)


def audience_q(*, organisation_id: int | None, roles) -> Q:
    """The announcements whose audience includes a member of `organisation_id` with these
    roles: their organisation's own (everyone, or one of their roles), and those to the
    customers of a warehouse that serves them. A warehouse serves its own organisation and,
    when it serves partners, the partners that have no warehouse of their own in use (as
    inventory.selectors.serving_warehouses chooses)."""
    if organisation_id is None:
        return Q(pk__in=[])
    own = Q(organisation_id=organisation_id)
    has_own_warehouse = Exists(
        Warehouse.objects.filter(organisation_id=organisation_id, is_active=True)
    )
    served_as_partner = Q(
        organisation_id__in=partner_ids_of(organisation_id), warehouse__serves_partners=True
    ) & ~Q(has_own_warehouse)
    return (
        (own & Q(audience=Announcement.Audience.ORGANISATION))
        | (own & Q(audience=Announcement.Audience.ROLE, role__in=sorted(roles)))
        | (Q(audience=Announcement.Audience.WAREHOUSE) & (own | served_as_partner))
    )


def visible_to(*, user, organisation_id: int | None = None, roles=None, now=None):
    """A lazy queryset of the current announcements for the user (dismissed ones too)."""
    if not getattr(user, "is_authenticated", False):
        return Announcement.objects.none()
    if organisation_id is None:
        organisation_id = organisation_id_of(user)
    roles = role_names(user) if roles is None else roles
    return (
        Announcement.objects.filter(current_q(now))
        .filter(audience_q(organisation_id=organisation_id, roles=roles))
        .order_by("-severity", "-starts_at", "-pk")  # "important" sorts before "info"
    )


def current_for(*, user, organisation_id: int | None = None, roles=None, now=None):
    """The banner's announcements: current, for the user, not dismissed; lazy, one query
    (none while nothing is current anywhere)."""
    if not any_current(now):
        return Announcement.objects.none()
    dismissed = AnnouncementDismissal.objects.filter(announcement=OuterRef("pk"), user=user.pk)
    return visible_to(user=user, organisation_id=organisation_id, roles=roles, now=now).exclude(
        Exists(dismissed)
    )[:BANNER_LIMIT]


def list_for(*, user) -> list[Announcement]:
    """The list page: every current announcement for the user, each marked if dismissed."""
    dismissed = AnnouncementDismissal.objects.filter(announcement=OuterRef("pk"), user=user.pk)
    return list(visible_to(user=user).annotate(dismissed=Exists(dismissed)))


def coordinators_organisation_id(user) -> int:
    """The coordinator's organisation; anyone else may not manage announcements (403)."""
    organisation_id = organisation_id_of(user)
    if not is_coordinator(user) or organisation_id is None:
        raise PermissionDenied
    return organisation_id


def manage_page(*, user, now=None) -> dict:
    """The coordinator's announcements: current, scheduled and the latest past ones."""
    organisation_id = coordinators_organisation_id(user)
    now = now or timezone.now()
    mine = Announcement.objects.filter(organisation_id=organisation_id).select_related(
        "warehouse", "created_by"
    )
    ended = Q(ended_at__isnull=False) | Q(ends_at__lte=now)
    return {
        "current": list(mine.filter(current_q(now))),
        "scheduled": list(
            mine.filter(starts_at__gt=now, ended_at__isnull=True).order_by("starts_at")
        ),
        "past": list(mine.filter(ended).order_by("-ends_at")[:50]),
    }


def announcement_of(*, organisation_id: int, announcement_id: int) -> Announcement:
    """One of the organisation's announcements; another organisation's is a 404."""
    found = Announcement.objects.filter(pk=announcement_id, organisation_id=organisation_id).first()
    if found is None:
        raise NotFound
    return found
