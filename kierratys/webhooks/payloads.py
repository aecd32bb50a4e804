"""What a webhook message says (version 2, docs/webhooks.md): the live event's own data,
plus the resource it is about as the API shows it, and links to it.

The outbox row is written in the changing transaction with the event's data only; the
resource is added when the message is first sent (delivery._claim), from the committed
state, as the endpoint's organisation may see it then:

- a listing: its own organisation's always; another organisation's while its stage shows
  it to that one (the partners stage, never a draft), or while a unit of it holds an
  active or collected reservation of it, as the listing's page and the API do
  (listings.permissions.can_view);
- a reservation: the reserving unit's organisation and the listing owner's, the two
  parties (reservations.selectors.sees_reservation);
- a task: the warehouse's organisation and those of the units it fetches from or
  delivers to (inventory.permissions.can_see_task).

Otherwise, or when it is gone, `resource` is null: the message never says more than the
organisation could read through the API. Contact names, phones and notes stay out of the
reservation (the API shows them to the parties' own tokens; an organisation-wide message
is not a look that is logged), as the task's shape leaves them out already. Who made one
on behalf of its unit is named (`requested_by`, as on its page), never their e-mail or phone.

A failed attempt stores the message (delivery.py), so a retry sends the very same bytes;
a delivered one keeps only the event's data, not a copy of the resource."""

import functools
import logging

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import translation

from inventory.models import Task
from kierratys.api import serializers as api
from listings import audience
from listings.models import Listing, ListingPhoto
from reservations.models import Reservation

logger = logging.getLogger(__name__)

VERSION = 2
PRIVATE_RESERVATION_FIELDS = ("contact_name", "contact_phone", "note")


class WebhookReservationSerializer(api.ReservationSerializer):
    """The API's reservation without the people's contact details and note."""

    class Meta(api.ReservationSerializer.Meta):
        fields = [
            name
            for name in api.ReservationSerializer.Meta.fields
            if name not in PRIVATE_RESERVATION_FIELDS
        ]


def _listings(ids):
    return (
        Listing.objects.filter(pk__in=ids)
        .order_by()
        .select_related("category", "owner_unit", "storage_location")
        .prefetch_related(Prefetch("photos", queryset=ListingPhoto.objects.order_by("position")))
    )


def _reservations(ids):
    return (
        Reservation.objects.filter(pk__in=ids)
        .order_by()
        .select_related("listing", "unit__department", "listing__owner_unit", "requested_by")
    )


def _tasks(ids):
    return (
        Task.objects.filter(pk__in=ids)
        .order_by()
        .select_related(
            "warehouse",
            "listing",
            "from_unit__department",
            "to_unit__department",
            "slot_day__slot",
        )
    )


class _Sight:
    """What one organisation may see, asked of the database once per round."""

    def __init__(self, organisation_id: int):
        self.organisation_id = organisation_id
        # No department: the department stage is its own organisation's, seen below.
        self.viewer = audience.Viewer(None, organisation_id)

    def listing(self, listing: Listing) -> bool:
        if listing.organisation_id == self.organisation_id:
            return True  # its own units' tokens read it, a draft too
        if listing.status == Listing.Status.DRAFT:
            return False
        if audience.sees(self.viewer, listing):
            return True
        return listing.reservations.filter(
            unit__department__organisation_id=self.organisation_id,
            status__in=[Reservation.Status.ACTIVE, Reservation.Status.COLLECTED],
        ).exists()

    def reservation(self, reservation: Reservation) -> bool:
        return self.organisation_id in (
            reservation.unit.department.organisation_id,
            reservation.listing.organisation_id,
        )

    def task(self, task: Task) -> bool:
        units = [u for u in (task.from_unit, task.to_unit) if u is not None]
        return self.organisation_id == task.warehouse.organisation_id or any(
            unit.department.organisation_id == self.organisation_id for unit in units
        )


# An event type's first word: (the resources by ids, who may see one, its shape, its address)
KINDS = {
    "listing": (_listings, _Sight.listing, api.ListingDetailSerializer, "api:listing"),
    "reservation": (
        _reservations,
        _Sight.reservation,
        WebhookReservationSerializer,
        "api:reservation",
    ),
    "task": (_tasks, _Sight.task, api.TaskSerializer, "api:task"),
}


@functools.lru_cache(maxsize=16)
def _address_of(site: str, name: str) -> tuple[str, str]:
    """The address of `name` around its id, reversed once: a round may make hundreds."""
    before, after = reverse(name, args=[1]).rsplit("1", 1)
    return site + before, after


def _api_url(kind: str, pk: int) -> str:
    before, after = _address_of(settings.SITE_URL, KINDS[kind][3])
    return f"{before}{pk}{after}"


def _links(kind: str, pk: int, resource: dict | None) -> dict:
    links = {"self": _api_url(kind, pk)}
    if resource is not None:
        if kind in ("reservation", "task"):
            links["listing"] = _api_url("listing", resource["listing"])
        links["page"] = resource["page"]
    return links


def _about(delivery) -> tuple[str, int] | None:
    """(kind, id) of the resource a delivery's event is about, if it names one."""
    kind = delivery.event_type.split(".", 1)[0]
    pk = delivery.payload.get("data", {}).get("id")
    return (kind, pk) if kind in KINDS and isinstance(pk, int) else None


def completed(deliveries) -> list:
    """Give each delivery without one its version 2 message (in place), reading each
    resource once however many endpoints hear of it (one query per kind). Returns the
    deliveries changed."""
    todo = [d for d in deliveries if d.payload.get("version") != VERSION]
    if not todo:
        return []
    wanted: dict[str, set[int]] = {}
    for delivery in todo:
        if about := _about(delivery):
            wanted.setdefault(about[0], set()).add(about[1])
    context = {"base_url": settings.SITE_URL}
    sights: dict[int, _Sight] = {}
    made: dict[tuple, dict] = {}  # (kind, id, organisation id): resource and links
    with translation.override(settings.LANGUAGE_CODE):
        loaded = {
            kind: {obj.pk: obj for obj in KINDS[kind][0](ids)} for kind, ids in wanted.items()
        }
        for delivery in todo:
            data = dict(delivery.payload.get("data", {}))
            if about := _about(delivery):
                kind, pk = about
                key = (kind, pk, delivery.endpoint.organisation_id)
                if key not in made:
                    obj = loaded[kind].get(pk)
                    resource = _shown(kind, obj, key[2], sights, context)
                    made[key] = {"resource": resource, "links": _links(kind, pk, resource)}
                data.update(made[key])
            delivery.payload = {**delivery.payload, "version": VERSION, "data": data}
    return todo


def _shown(kind, obj, organisation_id, sights, context) -> dict | None:
    if obj is None:
        return None
    _load, sees, serializer, _name = KINDS[kind]
    sight = sights.setdefault(organisation_id, _Sight(organisation_id))
    try:
        if not sees(sight, obj):
            return None
        return dict(serializer(obj, context=context).data)
    except Exception:  # a bug here must not stop the outbox: the event's data still goes
        logger.exception("Webhook resource %s %s could not be shown", kind, obj.pk)
        return None
