from django import template

from kierratys.accounts.pauses.selectors import pause_for_listing
from kierratys.accounts.roles import belongs_to_unit

from ..permissions import is_owner_side
from ..selectors import reservations_of_listing
from ..views import reserve_context, reserve_form

register = template.Library()


@register.inclusion_tag("reservations/_reserve_box.html", takes_context=True)
def reserve_box(context, listing):
    user = context["request"].user
    own = belongs_to_unit(user, listing.owner_unit_id)
    if own or listing.status != listing.Status.PUBLISHED:
        return {"listing": listing, "own": own}
    pause = pause_for_listing(listing)  # the notice instead of the form (issue 21)
    if pause is not None:
        return {"listing": listing, "own": own, "pause": pause}
    form = reserve_form(user=user, listing=listing)
    return {
        **reserve_context(user=user, listing=listing, form=form),
        "own": own,
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("reservations/_listing_reservations.html", takes_context=True)
def listing_reservations(context, listing):
    user = context["request"].user
    if not is_owner_side(user, listing):
        return {"show": False}
    return {
        "show": True,
        "reservations": reservations_of_listing(listing=listing, user=user),
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }
