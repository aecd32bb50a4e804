from django import template

from kierratys.accounts.roles import belongs_to_unit

from ..forms import DisposalForm
from ..models import Task
from ..permissions import can_see_task, works_on_listing
from ..selectors import live_delivery, tasks_for_listing, transfer_destinations

register = template.Library()


@register.inclusion_tag("inventory/_warehouse_box.html", takes_context=True)
def warehouse_box(context, listing):
    user = context["request"].user
    staff = works_on_listing(user, listing)
    owner = belongs_to_unit(user, listing.owner_unit_id)
    if not (staff or owner):
        return {"show": False}
    tasks = [task for task in tasks_for_listing(listing=listing) if can_see_task(user, task)]
    return {
        "show": True,
        "listing": listing,
        "staff": staff,
        "owner": owner,
        "tasks": tasks,
        # Loaded and not yet shelved: the shelf it is listed on no longer has it.
        "in_transit": next(
            (t for t in tasks if t.kind == Task.Kind.TRANSFER and t.status == t.Status.IN_PROGRESS),
            None,
        ),
        "disposal_form": DisposalForm(initial={"quantity": listing.quantity_available})
        if staff
        else None,
        "transfer_to": transfer_destinations(user=user, listing=listing) if staff else [],
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
