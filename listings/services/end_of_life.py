"""End of life: what happens to what is left when nobody took it in time.

The owner (its unit's staff, or the organisation's warehouse staff and coordinators)
chooses for some or all of what is still available: donate it to an association on the
coordinator's list, sell it through a public-sector auction service (reports/auction.py
exports the "sell" decisions), or recycle it (material fraction and kilograms). Reserved
items are never given away: only `quantity_available` can be decided on.

When may it be decided: once the listing's last audience stage has ended (audience
"ended"), and also when the owner has withdrawn it or its last day has passed, because
then nobody can reserve it any more either. A draft was never offered, so it is not
decidable; neither is anything archived. `decision_open` is the one home of that rule.

Decided items leave for good: they count in `quantity_disposed` (the listing's CHECK
constraints hold), each decision is an EndOfLife row that the reports read, and the
listing is archived once everything is gone.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kierratys.accounts.models import Organisation
from kierratys.accounts.roles import is_coordinator, organisation_id_of
from kierratys.common.errors import Conflict, NotFound, ServiceError
from kierratys.common.limits import MAX_QUANTITY

from .. import history, hooks
from ..events import listing_announce
from ..models import EndOfLife, Listing, Recipient
from ..permissions import can_edit
from .listing import listing_archive_when_gone

Outcome = EndOfLife.Outcome

# The history's words for each outcome (listings.history shows them in the reader's language).
HISTORY_KINDS = {
    Outcome.DONATE: "donated",
    Outcome.SELL: "sold",
    Outcome.RECYCLE: "recycled",
}
history.register_kinds(
    {
        "donated": gettext_lazy("Donated"),
        "sold": gettext_lazy("Sent to auction"),
        "recycled": gettext_lazy("Recycled"),
    }
)
history.register_fields({"recipient": gettext_lazy("recipient")})

# The columns' limits (EndOfLife.weight_kg: 8 digits, 2 places; starting price: 9, 2).
MAX_WEIGHT_KG = Decimal("999999.99")
MAX_PRICE_EUR = Decimal("9999999.99")
CENT = Decimal("0.01")


def decision_open(listing: Listing, *, today=None) -> bool:
    """May the owner decide what happens to what is left of this listing now?"""
    if listing.quantity_available < 1:
        return False
    if listing.status == Listing.Status.WITHDRAWN:
        return True
    if listing.status != Listing.Status.PUBLISHED:
        return False  # a draft was never offered; an archived listing has nothing left
    today = today or timezone.localdate()
    return listing.audience == Listing.Audience.ENDED or listing.available_until < today


def awaits_decision(listing: Listing) -> bool:
    """Flagged in "Our listings": the last stage ended and something is left to decide."""
    return listing.audience == Listing.Audience.ENDED and decision_open(listing)


def weight_per_item(listing: Listing) -> Decimal | None:
    """The item's own weight, else its category's typical weight; None when neither is known."""
    if listing.weight_kg:
        return listing.weight_kg
    return listing.category.typical_weight_kg or None


def suggested_weight_kg(listing: Listing, quantity: int) -> Decimal | None:
    per_item = weight_per_item(listing)
    if per_item is None or quantity < 1:
        return None
    return (per_item * quantity).quantize(CENT)


def _decimal(value, *, field: str, message: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise ServiceError({field: message}) from error
    if not number.is_finite():
        raise ServiceError({field: message})
    return number


def _recipient(listing: Listing, recipient_id) -> Recipient:
    recipient = (
        Recipient.objects.filter(
            pk=recipient_id, organisation_id=listing.organisation_id, is_active=True
        ).first()
        if recipient_id
        else None
    )
    if recipient is None:
        raise ServiceError({"recipient": _("Choose a recipient from your organisation's list.")})
    return recipient


def _checked_quantity(listing: Listing, quantity) -> int:
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        quantity = 0
    if not 1 <= quantity <= min(listing.quantity_available, MAX_QUANTITY):
        raise Conflict(
            {
                "quantity": _(
                    "Only %(n)d can be decided on; the rest are reserved or already gone."
                )
                % {"n": listing.quantity_available}
            }
        )
    return quantity


def listing_end_of_life_decide(
    *,
    actor,
    listing_id: int,
    outcome: str,
    quantity,
    recipient_id=None,
    fraction: str = "",
    weight_kg=None,
    starting_price_eur=None,
    note: str = "",
) -> EndOfLife:
    """Donate, sell or recycle `quantity` of what is still available of a listing."""
    with transaction.atomic():
        listing = (
            Listing.objects.select_for_update(of=("self",))
            .select_related("category")
            .filter(pk=listing_id)
            .first()
        )
        if listing is None or not can_edit(actor, listing):
            raise NotFound  # another organisation's listing is not there for this user
        if listing.status == Listing.Status.DRAFT:
            raise Conflict(_("This listing is a draft: it has not been offered to anyone yet."))
        if listing.quantity_available < 1 or listing.status == Listing.Status.ARCHIVED:
            raise Conflict(_("Nothing of this item is left to decide on."))
        if not decision_open(listing):
            raise Conflict(
                _(
                    "This item is still on offer. Its end of life can be decided once its "
                    "last stage has ended, it has been withdrawn or its last day has passed."
                )
            )
        hooks.end_of_life_check(listing=listing)
        if outcome not in Outcome.values:
            raise ServiceError({"outcome": _("Choose donate, sell or recycle.")})
        quantity = _checked_quantity(listing, quantity)
        row = EndOfLife(
            listing=listing,
            outcome=outcome,
            quantity=quantity,
            decided_by=actor,
            decided_at=timezone.now(),
            note=(note or "").strip()[:500],
        )
        if outcome == Outcome.DONATE:
            row.recipient = _recipient(listing, recipient_id)
        elif outcome == Outcome.RECYCLE:
            _recycling(row, listing, fraction=fraction, weight_kg=weight_kg)
        else:
            row.starting_price_eur = _starting_price(starting_price_eur)
        row.save()

        before = listing.quantity_available
        listing.quantity_available -= quantity
        listing.quantity_disposed += quantity
        archived = listing_archive_when_gone(listing=listing, actor=actor)
        listing.save(
            update_fields=["quantity_available", "quantity_disposed", "status", "updated_at"]
        )
        changes = {
            "end_of_life": row.pk,
            "quantity": quantity,
            "quantity_available": [before, listing.quantity_available],
        }
        if row.recipient_id:
            changes["recipient"] = ["", row.recipient.name]
        history.record(
            listing=listing,
            actor=actor,
            kind=HISTORY_KINDS[outcome],
            changes=changes,
            note=row.note,
        )
        if archived:
            # An archived listing can never serve its waiting list: reservations tells it so.
            hooks.quantity_freed(listing=listing, actor=actor)
        listing_announce(listing)
    return row


def _recycling(row: EndOfLife, listing: Listing, *, fraction: str, weight_kg) -> None:
    errors = {}
    if fraction not in EndOfLife.Fraction.values:
        errors["fraction"] = _("Choose the material fraction.")
    message = _("Enter the weight in kilograms, more than 0.")
    weight = _decimal(weight_kg, field="weight_kg", message=message)
    if weight is None:
        weight = suggested_weight_kg(listing, row.quantity)
    if weight is None or not Decimal("0") < weight <= MAX_WEIGHT_KG:
        errors["weight_kg"] = message
    if errors:
        raise ServiceError(errors)
    row.fraction = fraction
    row.weight_kg = weight.quantize(CENT)


def _starting_price(value) -> Decimal:
    message = _("Enter a suggested starting price in euros, 0 or more.")
    price = _decimal(value, field="starting_price_eur", message=message)
    if price is None or not Decimal("0") <= price <= MAX_PRICE_EUR:
        raise ServiceError({"starting_price_eur": message})
    return price.quantize(CENT)


# --- the coordinator's list of donation recipients ---------------------------------------------


def _coordinator_organisation(actor) -> int:
    organisation_id = organisation_id_of(actor)
    if not is_coordinator(actor) or organisation_id is None:
        raise PermissionDenied
    return organisation_id


def _recipient_fields(organisation_id: int, *, name: str, contact: str, exclude=None) -> dict:
    name = " ".join((name or "").split())
    contact = (contact or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Enter the recipient's name.")
    elif len(name) > 200:
        errors["name"] = _("The name can be at most 200 characters.")
    else:
        taken = Recipient.objects.filter(organisation_id=organisation_id, name__iexact=name)
        if exclude is not None:
            taken = taken.exclude(pk=exclude)
        if taken.exists():
            errors["name"] = _("Your organisation's list already has a recipient of this name.")
    if len(contact) > 300:
        errors["contact"] = _("The contact details can be at most 300 characters.")
    if errors:
        raise ServiceError(errors)
    return {"name": name, "contact": contact}


def _lock_recipient_list(organisation_id: int) -> None:
    """Two coordinators adding the same name at once: the second waits and is told."""
    Organisation.objects.select_for_update().filter(pk=organisation_id).first()


def recipient_create(*, actor, name: str, contact: str = "") -> Recipient:
    """A coordinator adds an association to their organisation's list of recipients."""
    organisation_id = _coordinator_organisation(actor)
    with transaction.atomic():
        _lock_recipient_list(organisation_id)
        fields = _recipient_fields(organisation_id, name=name, contact=contact)
        return Recipient.objects.create(organisation_id=organisation_id, **fields)


def recipient_update(
    *,
    actor,
    recipient_id: int,
    name: str | None = None,
    contact: str | None = None,
    is_active: bool | None = None,
) -> Recipient:
    """Rename, change contact details, or take out of (or back into) use: a recipient that
    is out of use is offered for no new donation, and its past donations stay. What is
    given as None stays as it was."""
    organisation_id = _coordinator_organisation(actor)
    with transaction.atomic():
        _lock_recipient_list(organisation_id)
        recipient = (
            Recipient.objects.select_for_update()
            .filter(pk=recipient_id, organisation_id=organisation_id)
            .first()
        )
        if recipient is None:
            raise NotFound
        fields = _recipient_fields(
            organisation_id,
            name=recipient.name if name is None else name,
            contact=recipient.contact if contact is None else contact,
            exclude=recipient.pk,
        )
        recipient.name, recipient.contact = fields["name"], fields["contact"]
        if is_active is not None:
            recipient.is_active = is_active
        recipient.save(update_fields=["name", "contact", "is_active"])
    return recipient
