from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kierratys.common import inputs, submissions
from kierratys.common.errors import status_of
from kierratys.common.redirects import redirect_next
from listings import selectors as listing_selectors
from listings.labels import qr_svg
from reservations import selectors as reservation_selectors

from . import selectors, services
from .forms import (
    BoardFilterForm,
    DeliveryBookingForm,
    DisposalForm,
    ProblemForm,
    ScanForm,
    ScheduleForm,
    ShelveForm,
    StockTakeForm,
)
from .models import TimeSlot
from .permissions import is_warehouse_staff, task_steps


def _warehouse_only(request):
    if not is_warehouse_staff(request.user):
        raise PermissionDenied


def _errors_to_messages(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def board(request):
    _warehouse_only(request)
    form = BoardFilterForm(
        request.GET or None,
        warehouses=selectors.active_warehouses(),
        staff=selectors.warehouse_staff(),
    )
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    context = selectors.board(
        warehouse_id=data.get("warehouse"),
        day=data.get("date"),
        kind=data.get("kind") or None,
        assignee_id=data.get("assignee"),
    )
    context.update(form=form, review=selectors.disposal_review(), today=timezone.localdate())
    return render(request, "inventory/board.html", context)


def task_detail(request, pk):
    task = selectors.task_for_user(user=request.user, task_id=pk)
    is_staff = is_warehouse_staff(request.user)
    context = {
        "task": task,
        "is_staff": is_staff,
        "steps": task_steps(request.user, task),
        "schedule_form": ScheduleForm(
            initial={
                "date": task.date or timezone.localdate(),
                "slot": task.slot_day.slot_id if task.slot_day_id else None,
            },
            slots=TimeSlot.objects.filter(warehouse=task.warehouse, is_active=True),
        ),
        "scan_form": ScanForm(),
        "shelve_form": ShelveForm(locations=task.warehouse.locations.select_related("warehouse")),
        "problem_form": ProblemForm(),
    }
    return render(request, "inventory/task.html", context)


ACTIONS = {
    "assign": lambda request, task, post: services.task_assign(actor=request.user, task_id=task.pk),
    "schedule": lambda request, task, post: services.task_schedule(
        actor=request.user,
        task_id=task.pk,
        day=_date(post.get("date")),
        slot_id=inputs.positive_id(post.get("slot")),
    ),
    "start": lambda request, task, post: services.task_start(
        actor=request.user, task_id=task.pk, scanned_code=_text(post, "scanned_code", 300)
    ),
    "shelve": lambda request, task, post: services.intake_shelve(
        actor=request.user, task_id=task.pk, location_id=inputs.positive_id(post.get("location"))
    ),
    "deliver": lambda request, task, post: services.delivery_complete(
        actor=request.user, task_id=task.pk, scanned_code=_text(post, "scanned_code", 300)
    ),
    "dispose": lambda request, task, post: services.disposal_complete(
        actor=request.user, task_id=task.pk
    ),
    "cancel": lambda request, task, post: services.task_cancel(
        actor=request.user, task_id=task.pk, reason=_text(post, "reason", 500)
    ),
    "problem": lambda request, task, post: services.task_report_problem(
        actor=request.user, task_id=task.pk, problem=_text(post, "problem", 500)
    ),
}


def _text(post, name: str, max_length: int) -> str:
    return inputs.plain_text(post.get(name, ""), max_length=max_length)


def _date(value):
    day = inputs.iso_date(value)
    if day is None:
        raise ValidationError({"date": _("Enter a valid date.")})
    return day


@require_POST
def task_action(request, pk, action):
    task = selectors.task_for_user(user=request.user, task_id=pk)
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    try:
        handler(request, task, request.POST)
    except PermissionDenied:
        raise
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(request, _("Task updated."))
    return redirect_next(request, task)


def run_sheet(request):
    _warehouse_only(request)
    warehouse_id = inputs.positive_id(request.GET.get("warehouse"))
    if warehouse_id is None:
        warehouses = selectors.active_warehouses()
        if not warehouses:
            raise Http404
        warehouse_id = warehouses[0].pk
    day = inputs.iso_date(request.GET.get("date")) or timezone.localdate()
    context = selectors.run_sheet(warehouse_id=warehouse_id, day=day)
    for task in context["stops"]:
        task.qr = qr_svg(request.build_absolute_uri(task.listing.get_absolute_url()))
    return render(request, "inventory/run_sheet.html", context)


def location_list(request):
    _warehouse_only(request)
    return render(request, "inventory/locations.html", {"locations": selectors.locations()})


def location_detail(request, pk):
    _warehouse_only(request)
    location, listings = selectors.location_contents(location_id=pk)
    form = StockTakeForm(request.POST or None, listings=listings)
    if request.method == "POST" and form.is_valid():
        try:
            stocktake = services.stocktake_record(
                actor=request.user, location_id=location.pk, counts=form.counts()
            )
        except ValidationError as error:
            _errors_to_messages(request, error)
        else:
            off = [line for line in stocktake.lines.all() if line.discrepancy]
            messages.success(
                request,
                _("Stock-take saved: %(n)d discrepancies recorded.") % {"n": len(off)},
            )
            return redirect("inventory:location", pk=pk)
    return render(
        request,
        "inventory/location.html",
        {"location": location, "listings": listings, "form": form},
    )


@require_POST
def send_to_warehouse(request, listing_pk):
    listing = listing_selectors.listing_for_edit(user=request.user, listing_id=listing_pk)
    with submissions.claim(request) as once:
        if once.missing:
            messages.error(request, once.missing_message)
            return redirect(listing)
        if once.repeat:
            return once.repeat_response(listing)
        try:
            services.intake_request(actor=request.user, listing_id=listing.pk)
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            _errors_to_messages(request, error)
            return redirect(listing)
        messages.success(
            request,
            _("The warehouse has been asked to fetch the item. You will see the task here."),
        )
        return once.done(redirect(listing))


@require_POST
def dispose(request, listing_pk):
    _warehouse_only(request)
    listing = listing_selectors.listing_for_edit(user=request.user, listing_id=listing_pk)
    form = DisposalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a quantity and a reason for the disposal."))
        return redirect(listing)
    with submissions.claim(request) as once:
        if once.missing:
            messages.error(request, once.missing_message)
            return redirect(listing)
        if once.repeat:
            return once.repeat_response(listing)
        try:
            task = services.disposal_request(
                actor=request.user,
                listing_id=listing.pk,
                quantity=form.cleaned_data["quantity"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _errors_to_messages(request, error)
            return redirect(listing)
        messages.success(request, _("Disposal task created."))
        return once.done(redirect(task))


def book_delivery(request, reservation_pk):
    reservation = reservation_selectors.reservation_for_user(
        user=request.user, reservation_id=reservation_pk
    )
    form = DeliveryBookingForm(request.POST or None, free=selectors.free_slots())
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            slot_id, day = form.slot_and_day()
            with submissions.claim(request) as once:
                if once.repeat:
                    return once.repeat_response(reservation)
                if once.missing:
                    form.add_error(None, once.missing_message)
                else:
                    try:
                        services.delivery_book(
                            actor=request.user,
                            reservation_id=reservation.pk,
                            slot_id=slot_id,
                            day=day,
                        )
                    except PermissionDenied as error:
                        raise Http404 from error
                    except ValidationError as error:
                        # The picker is one field: every message goes above the form.
                        for message in error.messages:
                            form.add_error(None, message)
                        status = status_of(error)
                    else:
                        messages.success(request, _("Delivery booked."))
                        return once.done(redirect(reservation))
    return render(
        request,
        "inventory/book_delivery.html",
        {"reservation": reservation, "form": form},
        status=status,
    )
