"""The outbox: a live event becomes a delivery row for each endpoint that asked for it, in
the transaction that publishes the event (kierratys.live.published).

Who hears of an event is who may see it: the organisations behind the event's live groups
(docs/live-events.md). `organisation-`, `warehouse-` and `partners-of-` groups name them,
`unit-` and `department-` groups through their unit or department; `user-` groups are
personal and never leave the service. So a partner hears of a listing at the partners
stage, nobody of a draft but its own organisation.

Reserving is the hot path, so this must cost nothing while no organisation has endpoints:
the active endpoints are read once per process every ENDPOINTS_SECONDS (and at once after
this process changes one); a new endpoint elsewhere starts hearing within that time."""

import time

from django.db import transaction
from django.utils import timezone

from kierratys.accounts.models import Department, Unit
from kierratys.accounts.selectors import partner_ids_of

from .models import EVENT_TYPES, Delivery, Endpoint

ENDPOINTS_SECONDS = 10.0
_endpoints: dict = {"read_at": float("-inf"), "by_organisation": {}}


def endpoints_forget() -> None:
    _endpoints["read_at"] = float("-inf")


def _active_endpoints() -> dict[int, list[tuple[int, frozenset]]]:
    """{organisation id: [(endpoint id, its event types)]} of the endpoints not paused."""
    now = time.monotonic()
    if now - _endpoints["read_at"] > ENDPOINTS_SECONDS:
        found: dict[int, list] = {}
        rows = Endpoint.objects.filter(paused_at__isnull=True).values_list(
            "pk", "organisation_id", "event_types"
        )
        for pk, organisation_id, event_types in rows:
            found.setdefault(organisation_id, []).append((pk, frozenset(event_types)))
        _endpoints.update(read_at=now, by_organisation=found)
    return _endpoints["by_organisation"]


def _group_ids(groups, prefix: str) -> set[int]:
    return {
        int(g[len(prefix) :]) for g in groups if g.startswith(prefix) and g[len(prefix) :].isdigit()
    }


def audience_organisations(groups) -> set[int]:
    """The organisations whose people the groups reach (never a `user-` group)."""
    ids = _group_ids(groups, "organisation-") | _group_ids(groups, "warehouse-")
    for owner in _group_ids(groups, "partners-of-"):
        ids |= set(partner_ids_of(owner))
    if units := _group_ids(groups, "unit-"):
        ids |= set(
            Unit.objects.filter(pk__in=units).values_list("department__organisation_id", flat=True)
        )
    if departments := _group_ids(groups, "department-"):
        ids |= set(
            Department.objects.filter(pk__in=departments).values_list("organisation_id", flat=True)
        )
    return ids


def outbox_add(*, groups, event: str, data: dict) -> int:
    """Delivery rows for the event, in the caller's transaction. Returns how many."""
    if event not in EVENT_TYPES:
        return 0
    active = _active_endpoints()
    if not active:
        return 0
    listening = [
        endpoint_id
        for organisation_id in audience_organisations(groups) & set(active)
        for endpoint_id, event_types in active[organisation_id]
        if event in event_types
    ]
    if not listening:
        return 0
    now = timezone.now()
    payload = {"type": event, "timestamp": now.isoformat(), "data": dict(data)}
    Delivery.objects.bulk_create(
        Delivery(endpoint_id=pk, event_type=event, payload=payload, next_attempt_at=now)
        for pk in listening
    )
    # The worker sends them after commit; nothing is queued for a rolled-back change.
    transaction.on_commit(_queue_sending)
    return len(listening)


def _queue_sending() -> None:
    from .delivery import _send_at

    _send_at(timezone.now())
