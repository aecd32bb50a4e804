from django import template

from kierratys.accounts.roles import belongs_to_unit

from ..forms import DisposalForm
from ..permissions import can_see_task, works_on_listing
from ..selectors import live_delivery, tasks_for_listing

register = template.Library()


@register.inclusion_tag("inventory/_warehouse_box.html", takes_context=True)
def warehouse_box(context, listing):
    user = context["request"].user
    staff = works_on_listing(user, listing)
    owner = belongs_to_unit(user, listing.owner_unit_id)
    if not (staff or owner):
        return {"show": False}
    return {
        "show": True,
        "listing": listing,
        "staff": staff,
        "owner": owner,
        "tasks": [task for task in tasks_for_listing(listing=listing) if can_see_task(user, task)],
        "disposal_form": DisposalForm(initial={"quantity": listing.quantity_available})
        if staff
        else None,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("inventory/_delivery_box.html", takes_context=True)
def delivery_box(context, reservation):
    task = live_delivery(reservation=reservation)
    return {
        "reservation": reservation,
        "task": task,
        "can_book": reservation.handover == "delivery"
        and reservation.status == "active"
        and task is None,
        "csrf_token": context.get("csrf_token"),
    }
