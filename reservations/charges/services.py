"""Writes: the coordinator's price list, and the charges recorded at handover.

Which handovers are charged: only internal ones. A charge is made when the receiving unit's
organisation, the item's organisation and the organisation of the warehouse that served
the handover are one and the same, and that organisation's price for the service is not
zero:

- storage and cleaning or repair (`charges_at_handover`, from reservation_collect): the
  item is handed over from a shelf of its own organisation's warehouse (collected there,
  or delivered from there);
- delivery (`charge_delivery`, from delivery_complete): the delivery task of the
  organisation's own warehouse handed it over at the unit's door.

Nothing is charged for a handover between two units without a warehouse (pickup at the
giving unit), between organisations (the handover document records those), or by a
partner's warehouse. The receiving unit's cost centre code is copied onto the charge at
that moment. A reservation is handed over once, so each service is charged once at most
(the constraint charge_once_per_kind holds it in the database too).

The charges are written inside the handover's own transaction, with the listing and the
reservation already locked by the caller, so a handover and its charges commit or fail
together."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kierratys.accounts.roles import coordinators_organisation_id
from kierratys.common.errors import ServiceError
from listings.models import Listing

from ..models import Reservation
from . import pricing, selectors
from .models import Charge, PriceList

MAX_PRICE = Decimal("99999.99")
PRICE_FIELDS = ("delivery_eur", "storage_month_eur", "cleaning_eur")
SPACES = str.maketrans("", "", " \u00a0\u202f\u2009€")  # 1 234,50 € as typed in Finnish


def _price(value, name: str, errors: dict) -> Decimal:
    """A price as typed: a decimal comma or point, spaces and a euro sign allowed; empty
    is zero. The message goes to `errors[name]`."""
    text = str(value if value is not None else "").translate(SPACES).replace(",", ".")
    try:
        price = Decimal(text or "0")
    except InvalidOperation:
        price = None
    if price is None or not price.is_finite():
        errors[name] = _("Enter a price in euros, for example 12,50.")
        return Decimal("0.00")
    if price < 0:
        errors[name] = _("A price cannot be negative.")
    elif price > MAX_PRICE:
        errors[name] = _("A price can be at most 99 999,99 €.")
    elif price != price.quantize(pricing.CENT):
        errors[name] = _("Give the price in euros and cents: at most two decimals.")
    # abs: "-0" is a zero like any other.
    return Decimal("0.00") if name in errors else abs(price).quantize(pricing.CENT)


def price_list_save(*, actor, delivery_basis: str, **prices) -> PriceList:
    """The coordinator sets their organisation's prices (euros as typed; empty is zero).
    Bad input changes nothing. Charges already made keep their prices."""
    organisation_id = coordinators_organisation_id(actor)
    errors: dict = {}
    values = {name: _price(prices.get(name), name, errors) for name in PRICE_FIELDS}
    if delivery_basis not in PriceList.DeliveryBasis.values:
        errors["delivery_basis"] = _("Choose whether delivery is priced per trip or per item.")
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        # get_or_create: two first saves at once make one list (it retries the unique row).
        price_list, _created = PriceList.objects.select_for_update().get_or_create(
            organisation_id=organisation_id
        )
        for name, value in values.items():
            setattr(price_list, name, value)
        price_list.delivery_basis = delivery_basis
        price_list.updated_by = actor
        price_list.save()
    return price_list


def _record(*, reservation: Reservation, listing: Listing, billing, lines) -> list[Charge]:
    organisation_id, cost_centre, _prices = billing
    now = timezone.now()
    item = f"{listing.code} {listing.title}" if listing.code else listing.title
    return [
        Charge.objects.create(
            organisation_id=organisation_id,
            reservation=reservation,
            unit_id=reservation.unit_id,
            kind=line.kind,
            cost_centre=cost_centre,
            quantity=line.quantity,
            per=line.per,
            unit_price_eur=line.unit_price_eur,
            amount_eur=line.amount_eur,
            item=item[:300],
            charged_at=now,
        )
        for line in lines
    ]


def _internal_billing(*, reservation: Reservation, listing: Listing, provider_id: int | None):
    """(organisation id, the unit's cost centre now, prices) when the handover is internal
    and the organisation has prices; else None (see the module's rule)."""
    organisation_id, cost_centre = selectors.unit_billing(unit_id=reservation.unit_id)
    if organisation_id is None or not (organisation_id == listing.organisation_id == provider_id):
        return None
    prices = selectors.price_list_of(organisation_id=organisation_id)
    return None if prices.is_free else (organisation_id, cost_centre, prices)


def charges_at_handover(*, reservation: Reservation, listing: Listing) -> list[Charge]:
    """Called by reservation_collect in its transaction, the reservation just collected:
    storage and cleaning or repair of the items handed over from the organisation's own
    warehouse, for the quantity actually handed over."""
    billing = _internal_billing(
        reservation=reservation,
        listing=listing,
        provider_id=selectors.storing_organisation_id(listing=listing),
    )
    if billing is None:
        return []
    months = pricing.storage_months(
        stored_on=selectors.stored_since(listing=listing),
        handed_over_on=timezone.localdate(reservation.updated_at),
    )
    lines = pricing.warehouse_lines(billing[2], items=reservation.quantity_collected, months=months)
    return _record(reservation=reservation, listing=listing, billing=billing, lines=lines)


def charge_delivery(*, reservation_id: int, warehouse_organisation_id: int) -> Charge | None:
    """Called by delivery_complete in its transaction (which holds the locks), after the
    reservation was collected: one delivery task is one trip, charged per trip or per item
    delivered."""
    reservation = Reservation.objects.select_related("listing").get(pk=reservation_id)
    listing = reservation.listing
    billing = _internal_billing(
        reservation=reservation, listing=listing, provider_id=warehouse_organisation_id
    )
    line = billing and pricing.delivery_line(billing[2], items=reservation.quantity_collected)
    if not line:
        return None
    (charge,) = _record(reservation=reservation, listing=listing, billing=billing, lines=[line])
    return charge
