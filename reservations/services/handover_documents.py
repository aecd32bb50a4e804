"""The handover document (luovutusasiakirja) of furniture that changes owner between two
organisations: written by the collection, in its transaction, once per reservation.

A reservation is collected once (reservation_collect: fewer than reserved is allowed and
the rest goes back on offer), so one document per reservation records the whole handover.

Its number is the year of the handover and the reservation's id, LA-2026-000123: unique
because a reservation has one document, and findable from the reservation. The estimated
value is the category's replacement value (or the nearest broader category's, as in the
impact report) times the quantity: listings have no value of their own. Empty when no
category above the item has one.
"""

from decimal import Decimal

from django.db.models.functions import Coalesce
from django.utils import timezone

from kierratys.accounts.models import Unit
from kierratys.accounts.roles import organisation_id_of
from listings.models import Category, Listing

from ..models import HandoverDocument, Reservation

NUMBER_FORMAT = "LA-{year}-{id:06d}"


def handover_number(*, reservation: Reservation, year: int) -> str:
    return NUMBER_FORMAT.format(year=year, id=reservation.pk)


def replacement_value_each(*, category_id: int) -> Decimal | None:
    """The category's replacement value, else its parent's, else its grandparent's."""
    return (
        Category.objects.filter(pk=category_id)
        .annotate(
            each=Coalesce(
                "replacement_value_eur",
                "parent__replacement_value_eur",
                "parent__parent__replacement_value_eur",
            )
        )
        .values_list("each", flat=True)
        .first()
    )


def handover_document_write(
    *, reservation: Reservation, listing: Listing, actor
) -> HandoverDocument | None:
    """Called by reservation_collect inside its transaction, with the listing and the
    reservation locked and the reservation just collected. Nothing within one
    organisation."""
    receiving_id = (
        Unit.objects.filter(pk=reservation.unit_id)
        .values_list("department__organisation_id", flat=True)
        .first()
    )
    if receiving_id is None or receiving_id == listing.organisation_id:
        return None
    quantity = reservation.quantity_collected
    each = replacement_value_each(category_id=listing.category_id)
    handed_over_at = reservation.updated_at
    if organisation_id_of(actor) == listing.organisation_id:
        giver_name = actor.full_name or listing.owner_unit.display_name
    else:  # e.g. a partner's warehouse delivered it: the giving unit stands for the giver
        giver_name = listing.owner_unit.display_name
    return HandoverDocument.objects.create(
        reservation=reservation,
        number=handover_number(
            reservation=reservation, year=timezone.localtime(handed_over_at).year
        ),
        giving_organisation_id=listing.organisation_id,
        receiving_organisation_id=receiving_id,
        quantity=quantity,
        estimated_value_eur=None if each is None else (each * quantity).quantize(Decimal("0.01")),
        handed_over_at=handed_over_at,
        giver_name=giver_name[:200],
        receiver_name=reservation.contact_name[:200],
    )
