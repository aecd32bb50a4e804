"""Which pause applies: one rule (`pause_for`) that reserving, baskets, delivery booking
and the catalogue all ask, and the coordinator's page."""

from datetime import date

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from kierratys.common.errors import NotFound

from .models import OrderingPause

# At most this stale if an invalidation is lost (Redis unreachable at that moment).
CACHE_SECONDS = 300


def _in_effect(day: date) -> Q:
    return Q(starts_on__lte=day, ends_on__gte=day, ended_at__isnull=True)


def pause_for(
    *,
    organisation_id: int,
    warehouse_id: int | None = None,
    storage_location_id: int | None = None,
    day: date | None = None,
) -> OrderingPause | None:
    """The pause in effect on `day` (today) for the organisation as a whole, or for the
    warehouse (given directly, or as the warehouse of a shelf); None when ordering is open.
    The longest-lasting one when several apply, so "until" is the honest date."""
    day = day or timezone.localdate()
    scope = Q(organisation_id=organisation_id, warehouse__isnull=True)
    if warehouse_id is not None:
        scope |= Q(warehouse_id=warehouse_id)
    if storage_location_id is not None:
        scope |= Q(warehouse__locations=storage_location_id)
    return (
        OrderingPause.objects.filter(_in_effect(day) & scope)
        .select_related("warehouse")
        .order_by("-ends_on", "pk")
        .first()
    )


def pause_for_listing(listing, day: date | None = None) -> OrderingPause | None:
    """The pause that stops reserving `listing`: its organisation's (the owner unit's), or
    that of the warehouse whose shelf it is on."""
    return pause_for(
        organisation_id=listing.organisation_id,
        storage_location_id=listing.storage_location_id,
        day=day,
    )


# `pause_for_listing` as SQL, for the one-statement reserving path (reservations.services
# .fast): inside its UPDATE of `listings_listing`, true while the listing's organisation or
# the warehouse of its shelf is paused on %(today)s. The locked path then decides and
# explains; tests/reservations/test_fast_path_parity.py checks that both refuse the same.
LISTING_PAUSED_SQL = """EXISTS (
    SELECT 1 FROM pauses_orderingpause pause
     WHERE pause.starts_on <= %(today)s AND pause.ends_on >= %(today)s
       AND pause.ended_at IS NULL
       AND ((pause.warehouse_id IS NULL
             AND pause.organisation_id = listings_listing.organisation_id)
            OR pause.warehouse_id = (
               SELECT shelf.warehouse_id FROM inventory_storagelocation shelf
                WHERE shelf.id = listings_listing.storage_location_id)))"""


def pauses_between(
    *, organisation_ids, warehouse_ids, first: date, last: date
) -> list[OrderingPause]:
    """The pauses in effect on any day from `first` to `last`, of these organisations as a
    whole or of these warehouses: the delivery picker leaves their days out."""
    return list(
        OrderingPause.objects.filter(starts_on__lte=last, ends_on__gte=first, ended_at__isnull=True)
        .filter(
            Q(organisation_id__in=set(organisation_ids) - {None}, warehouse__isnull=True)
            | Q(warehouse_id__in=list(warehouse_ids))
        )
        .only("organisation_id", "warehouse_id", "starts_on", "ends_on")
    )


def delivery_pauses(*, listing, warehouse_ids, day: date | None = None) -> list[OrderingPause]:
    """The pauses in effect on `day` (today) that the delivery booking page explains: the
    listing's own (none of the times then), and those of the warehouses that could deliver
    it (their times are left out)."""
    day = day or timezone.localdate()
    ids = list(warehouse_ids)
    found = [pause_for_listing(listing, day)]
    found += (
        OrderingPause.objects.filter(_in_effect(day))
        .filter(
            Q(warehouse_id__in=ids) | Q(warehouse__isnull=True, organisation__warehouses__in=ids)
        )
        .select_related("warehouse")
        .distinct()
    )
    return list({pause.pk: pause for pause in found if pause is not None}.values())


def pauses_stop(pauses, *, day: date, organisation_ids, warehouse_id: int) -> bool:
    """True when one of `pauses` stops deliveries by `warehouse_id` on `day`: its own pause,
    or a whole-organisation pause of one of `organisation_ids`."""
    return any(
        pause.starts_on <= day <= pause.ends_on
        and (
            pause.warehouse_id == warehouse_id
            or (pause.warehouse_id is None and pause.organisation_id in organisation_ids)
        )
        for pause in pauses
    )


def _today_key(day: date) -> str:
    return f"pauses:in-effect:{day.isoformat()}"


def pauses_in_effect(day: date | None = None) -> list[OrderingPause]:
    """Every pause in effect on `day` (today), from the shared cache: the catalogue shows
    them on every visit without a query. Scheduling and ending forget the entry
    (`forget_in_effect`); a new day is a new key, so pauses start and end by themselves."""
    day = day or timezone.localdate()
    key = _today_key(day)
    pauses = cache.get(key)
    if pauses is None:
        pauses = list(
            OrderingPause.objects.filter(_in_effect(day))
            .select_related("organisation", "warehouse")
            .order_by("organisation__name", "warehouse__name", "pk")
        )
        cache.set(key, pauses, CACHE_SECONDS)
    return pauses


def forget_in_effect(*days: date) -> None:
    cache.delete_many([_today_key(day) for day in days])


def pauses_shown_to(*, organisation_ids, day: date | None = None) -> list[OrderingPause]:
    """For the catalogue: the pauses in effect for these organisations (the viewer's own
    and its partners', whose listings the viewer may see)."""
    wanted = set(organisation_ids) - {None}
    return [pause for pause in pauses_in_effect(day) if pause.organisation_id in wanted]


def pauses_page(*, organisation_id: int, today: date | None = None) -> dict:
    """The coordinator's page: in effect now, scheduled, and over (the last 20)."""
    today = today or timezone.localdate()
    pauses = OrderingPause.objects.filter(organisation_id=organisation_id).select_related(
        "warehouse", "created_by", "ended_by"
    )
    over = Q(ended_at__isnull=False) | Q(ends_on__lt=today)
    return {
        "current": list(pauses.filter(_in_effect(today))),
        "upcoming": list(pauses.filter(starts_on__gt=today, ended_at__isnull=True)),
        "past": list(pauses.filter(over).order_by("-ends_on", "-pk")[:20]),
    }


def pause_of(*, organisation_id: int, pause_id: int) -> OrderingPause:
    """One of the organisation's pauses; another organisation's is a 404."""
    pause = OrderingPause.objects.filter(pk=pause_id, organisation_id=organisation_id).first()
    if pause is None:
        raise NotFound
    return pause
