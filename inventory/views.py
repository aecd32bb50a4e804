from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kierratys.accounts.pauses import selectors as pause_selectors
from kierratys.accounts.privacy import services as privacy
from kierratys.common import inputs, submissions
from kierratys.common.redirects import redirect_next
from listings import selectors as listing_selectors
from listings.labels import qr_svg
from reservations import selectors as reservation_selectors
from reservations.charges import selectors as charge_selectors

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
from .permissions import can_configure_warehouses, is_warehouse_staff, staff_of, task_steps
from .warehouse_forms import ShelfForm, SlotForm, WarehouseForm


def _warehouse_only(request):
    if not is_warehouse_staff(request.user):
        raise PermissionDenied


def _errors_to_messages(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _above_the_form(form, error: ValidationError) -> None:
    """The delivery picker is one field: every message goes above the form."""
    for message in error.messages:
        form.add_error(None, message)


def board(request):
    _warehouse_only(request)
    form = BoardFilterForm(
        request.GET or None,
        warehouses=selectors.active_warehouses(user=request.user),
        staff=selectors.warehouse_staff(user=request.user),
    )
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    context = selectors.board(
        user=request.user,
        warehouse_id=data.get("warehouse"),
        day=data.get("date"),
        kind=data.get("kind") or None,
        assignee_id=data.get("assignee"),
    )
    context.update(
        form=form, review=selectors.disposal_review(user=request.user), today=timezone.localdate()
    )
    return render(request, "inventory/board.html", context)


def _contacts_viewed(request, tasks, what, ref) -> None:
    """The access log (issue 23): the reservations' contact persons the page shows."""
    privacy.personal_data_viewed(
        viewer=request.user,
        subjects=[
            privacy.Subject(
                user_id=task.reservation.requested_by_id,
                description=task.reservation.contact_name,
                unit_id=task.reservation.unit_id,
            )
            for task in tasks
            if task.reservation is not None
            and (task.reservation.contact_name or task.reservation.contact_phone)
        ],
        what=what,
        ref=ref,
    )


def task_detail(request, pk):
    task = selectors.task_for_user(user=request.user, task_id=pk)
    _contacts_viewed(request, [task], privacy.What.TASK_CONTACT, f"task:{task.pk}")
    is_staff = staff_of(request.user, task.warehouse)
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
        "shelve_form": ShelveForm(  # a transfer ends in the warehouse it goes to
            locations=(task.to_warehouse or task.warehouse)
            .locations.filter(is_active=True)
            .select_related("warehouse")
        ),
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
    # The units a task fetches from or delivers to see it; only its warehouse's own staff
    # work it (a unit takes back its own intake request through "cancel", checked there).
    if handler is None or (action != "cancel" and not staff_of(request.user, task.warehouse)):
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
        warehouses = selectors.active_warehouses(user=request.user)
        if not warehouses:
            raise Http404
        warehouse_id = warehouses[0].pk
    day = inputs.iso_date(request.GET.get("date")) or timezone.localdate()
    context = selectors.run_sheet(user=request.user, warehouse_id=warehouse_id, day=day)
    for task in context["stops"]:
        task.qr = qr_svg(request.build_absolute_uri(task.listing.get_absolute_url()))
    ref = f"run_sheet:{warehouse_id}:{day.isoformat()}"
    _contacts_viewed(request, context["stops"], privacy.What.RUN_SHEET, ref)
    return render(request, "inventory/run_sheet.html", context)


def location_list(request):
    _warehouse_only(request)
    return render(
        request, "inventory/locations.html", {"locations": selectors.locations(user=request.user)}
    )


def location_detail(request, pk):
    _warehouse_only(request)
    location, listings = selectors.location_contents(user=request.user, location_id=pk)
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

    def write():
        try:
            services.intake_request(actor=request.user, listing_id=listing.pk)
        except PermissionDenied as error:
            raise Http404 from error
        return listing

    return submissions.act_once(
        request,
        write=write,
        fallback=listing,
        success=_("The warehouse has been asked to fetch the item. You will see the task here."),
    )


@require_POST
def dispose(request, listing_pk):
    _warehouse_only(request)
    listing = listing_selectors.listing_for_edit(user=request.user, listing_id=listing_pk)
    form = DisposalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a quantity and a reason for the disposal."))
        return redirect(listing)
    return submissions.act_once(
        request,
        write=lambda: services.disposal_request(
            actor=request.user,
            listing_id=listing.pk,
            quantity=form.cleaned_data["quantity"],
            reason=form.cleaned_data["reason"],
        ),
        fallback=listing,
        success=_("Disposal task created."),
    )


def book_delivery(request, reservation_pk):
    reservation = reservation_selectors.reservation_for_user(
        user=request.user, reservation_id=reservation_pk
    )
    # The times of the warehouses that may deliver this item: never an unrelated
    # organisation's (inventory.selectors.delivery_warehouse_ids).
    warehouse_ids = selectors.delivery_warehouse_ids(
        listing=reservation.listing, to_organisation_id=reservation.unit.department.organisation_id
    )
    form = DeliveryBookingForm(
        request.POST or None,
        free=selectors.free_slots(
            warehouse_ids=warehouse_ids, organisation_id=reservation.listing.organisation_id
        ),
    )
    status = 200
    if request.method == "POST":

        def write(data):
            slot_id, day = form.slot_and_day()
            try:
                services.delivery_book(
                    actor=request.user, reservation_id=reservation.pk, slot_id=slot_id, day=day
                )
            except PermissionDenied as error:
                raise Http404 from error
            messages.success(request, _("Delivery booked."))
            return redirect(reservation)

        outcome = submissions.submit_once(
            request, form, write=write, fallback=reservation, add_errors=_above_the_form
        )
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    pauses = pause_selectors.delivery_pauses(
        listing=reservation.listing, warehouse_ids=warehouse_ids
    )
    # The internal charges of the handover, before confirming (issue 21); None for none.
    quote = charge_selectors.quote(
        unit_id=reservation.unit_id,
        listing=reservation.listing,
        quantity=reservation.quantity,
        delivery_by=[warehouse.organisation_id for warehouse in form.warehouses],
    )
    return render(
        request,
        "inventory/book_delivery.html",
        {"reservation": reservation, "form": form, "pauses": pauses, "quote": quote},
        status=status,
    )


# --- the coordinator's warehouse settings -----------------------------------------------------


def _coordinator_only(request):
    """Like the other warehouse pages: the friendly 403 page for anyone else."""
    if not can_configure_warehouses(request.user):
        raise PermissionDenied


def _settings_form(request, form, *, write, done, back, title, submit, back_label="", switch=None):
    """GET shows the form; POST binds it and calls `write(cleaned_data)`, which returns
    where to go next. Bad input is answered 400 with the messages under their fields and
    nothing written. Each form carries a one-time token: a double click writes once."""
    status = 200
    if request.method == "POST":

        def written(data):
            target = write(data)
            messages.success(request, done)
            return redirect(target)

        outcome = submissions.submit_once(request, form, write=written, fallback=back)
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    context = {
        "form": form,
        "back": resolve_url(back),
        "back_label": back_label,
        "title": title,
        "submit": submit,
        "switch": switch,
    }
    return render(request, "inventory/settings_form.html", context, status=status)


def _switch(url_name: str, args: list, *, active: bool, out_help: str) -> dict:
    """The edit page's "take out of use" (or back into use) button."""
    if active:
        return {
            "url": reverse(url_name, args=[*args, "deactivate"]),
            "heading": _("Take out of use"),
            "help": out_help,
            "label": _("Take out of use"),
            "out": True,
        }
    return {
        "url": reverse(url_name, args=[*args, "activate"]),
        "heading": _("Not in use"),
        "help": _("Taken back into use, it is offered again from now on."),
        "label": _("Take into use"),
        "out": False,
    }


def _warehouse_url(warehouse_id: int) -> str:
    return reverse("inventory:warehouse", args=[warehouse_id])


def warehouse_list(request):
    _coordinator_only(request)
    warehouses = selectors.warehouses_for_settings(user=request.user)
    return render(request, "inventory/warehouses.html", {"warehouses": warehouses})


def warehouse_detail(request, pk):
    _coordinator_only(request)
    return render(
        request,
        "inventory/warehouse.html",
        selectors.warehouse_settings(user=request.user, warehouse_id=pk),
    )


def warehouse_create(request):
    _coordinator_only(request)
    form = WarehouseForm(request.POST or None, creating=True)

    def write(data):
        warehouse = services.warehouse_create(actor=request.user, **data)
        return _warehouse_url(warehouse.pk)

    return _settings_form(
        request,
        form,
        write=write,
        done=_("Warehouse added. Add its delivery slots and shelves next."),
        back="inventory:warehouses",
        title=_("Add a warehouse"),
        submit=_("Add the warehouse"),
    )


def warehouse_edit(request, pk):
    _coordinator_only(request)
    warehouse = selectors.warehouse_for_settings(user=request.user, warehouse_id=pk)
    form = WarehouseForm(request.POST or None, initial=WarehouseForm.initial_for(warehouse))

    def write(data):
        services.warehouse_update(actor=request.user, warehouse_id=warehouse.pk, **data)
        return _warehouse_url(warehouse.pk)

    return _settings_form(
        request,
        form,
        write=write,
        done=_("Warehouse details saved."),
        back=_warehouse_url(warehouse.pk),
        title=_("Edit %(warehouse)s") % {"warehouse": warehouse.name},
        submit=_("Save"),
        back_label=warehouse.name,
    )


def slot_create(request, pk):
    _coordinator_only(request)
    warehouse = selectors.warehouse_for_settings(user=request.user, warehouse_id=pk)
    weekday = inputs.bounded_int(request.GET.get("weekday"), low=0, high=6)
    form = SlotForm(
        request.POST or None,
        initial={"weekday": weekday or 0, "delivery_capacity": 3, "pickup_capacity": 3},
    )

    def write(data):
        services.slot_create(actor=request.user, warehouse_id=warehouse.pk, **data)
        return _warehouse_url(warehouse.pk) + "#slots"

    return _settings_form(
        request,
        form,
        write=write,
        done=_("Delivery slot added. Units can book it from now on."),
        back=_warehouse_url(warehouse.pk),
        title=_("Add a delivery slot"),
        submit=_("Add the slot"),
        back_label=warehouse.name,
    )


def slot_edit(request, pk, slot_pk):
    _coordinator_only(request)
    slot = selectors.slot_for_settings(user=request.user, warehouse_id=pk, slot_id=slot_pk)
    form = SlotForm(request.POST or None, initial=SlotForm.initial_for(slot))

    def write(data):
        services.slot_update(actor=request.user, slot_id=slot.pk, **data)
        return _warehouse_url(pk) + "#slots"

    return _settings_form(
        request,
        form,
        write=write,
        done=_("Delivery slot saved."),
        back=_warehouse_url(pk),
        title=_("Edit the delivery slot %(slot)s") % {"slot": slot},
        submit=_("Save"),
        back_label=slot.warehouse.name,
        switch=_switch(
            "inventory:slot_switch",
            [pk, slot.pk],
            active=slot.is_active,
            out_help=_(
                "The slot takes no new bookings. Deliveries already booked in it are kept "
                "and delivered as agreed."
            ),
        ),
    )


@require_POST
def slot_switch(request, pk, slot_pk, action):
    """Deactivate (no new bookings, booked deliveries kept) or reactivate a slot."""
    _coordinator_only(request)
    slot = selectors.slot_for_settings(user=request.user, warehouse_id=pk, slot_id=slot_pk)
    if action not in ("deactivate", "activate"):
        raise Http404
    try:
        if action == "deactivate":
            slot = services.slot_deactivate(actor=request.user, slot_id=slot.pk)
        else:
            services.slot_activate(actor=request.user, slot_id=slot.pk)
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        if action == "activate":
            messages.success(
                request, _("Delivery slot %(slot)s is open for booking.") % {"slot": slot}
            )
        elif slot.kept:
            messages.success(
                request,
                ngettext(
                    "Delivery slot %(slot)s takes no new bookings. The %(count)d delivery "
                    "already booked in it is kept.",
                    "Delivery slot %(slot)s takes no new bookings. The %(count)d deliveries "
                    "already booked in it are kept.",
                    slot.kept,
                )
                % {"slot": slot, "count": slot.kept},
            )
        else:
            messages.success(
                request, _("Delivery slot %(slot)s takes no new bookings.") % {"slot": slot}
            )
    return redirect(_warehouse_url(pk) + "#slots")


def shelf_create(request, pk):
    _coordinator_only(request)
    warehouse = selectors.warehouse_for_settings(user=request.user, warehouse_id=pk)
    form = ShelfForm(request.POST or None)

    def write(data):
        services.shelf_create(actor=request.user, warehouse_id=warehouse.pk, **data)
        return _warehouse_url(warehouse.pk) + "#shelves"

    return _settings_form(
        request,
        form,
        write=write,
        done=_("Shelf added."),
        back=_warehouse_url(warehouse.pk),
        title=_("Add a shelf"),
        submit=_("Add the shelf"),
        back_label=warehouse.name,
    )


def shelf_edit(request, pk, shelf_pk):
    _coordinator_only(request)
    shelf = selectors.shelf_for_settings(user=request.user, warehouse_id=pk, shelf_id=shelf_pk)
    form = ShelfForm(request.POST or None, initial=ShelfForm.initial_for(shelf))

    def write(data):
        services.shelf_update(actor=request.user, shelf_id=shelf.pk, **data)
        return _warehouse_url(pk) + "#shelves"

    return _settings_form(
        request,
        form,
        write=write,
        done=_("Shelf saved."),
        back=_warehouse_url(pk),
        title=_("Edit the shelf %(code)s") % {"code": shelf.code},
        submit=_("Save"),
        back_label=shelf.warehouse.name,
        switch=_switch(
            "inventory:shelf_switch",
            [pk, shelf.pk],
            active=shelf.is_active,
            out_help=_(
                "The shelf is offered for no new items. Only an empty shelf can be taken "
                "out of use."
            ),
        ),
    )


@require_POST
def shelf_switch(request, pk, shelf_pk, action):
    _coordinator_only(request)
    shelf = selectors.shelf_for_settings(user=request.user, warehouse_id=pk, shelf_id=shelf_pk)
    if action not in ("deactivate", "activate"):
        raise Http404
    try:
        if action == "deactivate":
            services.shelf_deactivate(actor=request.user, shelf_id=shelf.pk)
        else:
            services.shelf_activate(actor=request.user, shelf_id=shelf.pk)
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        message = (
            _("Shelf %(code)s is out of use.")
            if action == "deactivate"
            else _("Shelf %(code)s is in use again.")
        )
        messages.success(request, message % {"code": shelf.code})
    return redirect(_warehouse_url(pk) + "#shelves")
