from django import template

from kierratys.accounts.roles import belongs_to_unit

from ..forms import ReserveForm
from ..permissions import is_owner_side
from ..selectors import reservations_of_listing

register = template.Library()


@register.inclusion_tag("reservations/_reserve_box.html", takes_context=True)
def reserve_box(context, listing):
    user = context["request"].user
    own = belongs_to_unit(user, listing.owner_unit_id)
    return {
        "listing": listing,
        "own": own,
        "form": ReserveForm(available=listing.quantity_available, user=user),
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("reservations/_listing_reservations.html", takes_context=True)
def listing_reservations(context, listing):
    user = context["request"].user
    if not is_owner_side(user, listing):
        return {"show": False}
    return {"show": True, "reservations": reservations_of_listing(listing=listing)}
