from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kierratys.accounts.pauses.selectors import pause_for_listing
from kierratys.accounts.privacy import services as privacy
from kierratys.common import inputs, submissions
from kierratys.common.errors import add_to_form, status_of
from kierratys.common.limits import MAX_QUANTITY
from kierratys.common.redirects import redirect_next
from listings import selectors as listing_selectors
from listings.labels import qr_svg

from . import selectors, services
from .basket import SESSION_KEY
from .charges import selectors as charge_selectors
from .forms import BasketForm, CancelForm, DeclineForm, HandoverForm, ReserveForm
from .models import Reservation

BASKET_KEY = SESSION_KEY  # reservations/basket.py: the header counts it too


def reserve_form(*, user, listing, data=None) -> ReserveForm:
    """The reserve form for `listing`: the contact prefilled, and the delivery times on
    offer (none while none are left: a place in the queue books its delivery later)."""
    return ReserveForm(
        data,
        available=listing.quantity_available,
        prefill=selectors.contact_prefill(user=user),
        delivery_options=selectors.delivery_options(listing=listing)
        if listing.quantity_available > 0
        else (),
        actor=user,
    )


def _refuse_foreign_unit(form) -> None:
    """A "For unit" id outside the actor's organisation is only ever posted by hand: 404,
    as for any other organisation's object (the picker offers none of them)."""
    if form.has_error("for_unit", "invalid_choice"):
        raise Http404


def acted_for(form):
    """The unit chosen in a bound form's "For unit" (issue 20), or None for the actor's own:
    the internal charges are quoted for it once chosen (and charged to it at handover, as
    the reservation is its)."""
    if not form.is_bound or "for_unit" not in form.fields:
        return None
    form.is_valid()  # already validated when posted: its valid fields are in cleaned_data
    return form.cleaned_data.get("for_unit")


def reserve_context(*, user, listing, form, conflict=False) -> dict:
    """What the reserve form shows besides its fields: with none left, the main action is
    the waiting list, with the place the user would get."""
    none_left = listing.quantity_available == 0
    for_unit = acted_for(form)
    return {
        "listing": listing,
        "form": form,
        "conflict": conflict,
        "none_left": none_left,
        "queue": selectors.queue_place(listing_id=listing.pk, unit_id=user.unit_id)
        if none_left
        else None,
        "delivering": form["handover"].value() == Reservation.Handover.DELIVERY,
        "pause": pause_for_listing(listing),  # told above the form (issue 21)
        # The internal charges, before confirming (issue 21); None when none would be made.
        "quote": charge_selectors.quote(
            unit_id=for_unit.pk if for_unit else user.unit_id,
            listing=listing,
            quantity=inputs.bounded_int(form["quantity"].value(), low=1, high=MAX_QUANTITY),
            delivery_by=[option["organisation_id"] for option in form.delivery_options[:1]],
        ),
        "quote_for_unit": for_unit,
        "quote_may_act_for": "for_unit" in form.fields,
    }


def reserve(request, pk):
    """POST /listings/<id>/reserve/: 409 with the form when someone else got there first."""
    listing = listing_selectors.listing_for_view(user=request.user, listing_id=pk)
    form = reserve_form(user=request.user, listing=listing, data=request.POST or None)
    status = 200
    conflict = False
    if request.method == "POST":

        def add_errors(form, error):
            nonlocal conflict
            add_to_form(form, error)
            conflict = isinstance(error, services.NotEnoughAvailable)

        outcome = submissions.submit_once(
            request,
            form,
            write=lambda data: redirect(_reserve(request, listing, form)),
            fallback=listing,
            add_errors=add_errors,
        )
        if isinstance(outcome, HttpResponse):
            return outcome
        _refuse_foreign_unit(form)
        status = outcome
        listing.refresh_from_db(fields=["quantity_available"])
    context = reserve_context(user=request.user, listing=listing, form=form, conflict=conflict)
    return render(request, "reservations/reserve.html", context, status=status)


def _reserve(request, listing, form) -> Reservation:
    data = form.cleaned_data
    delivery = form.delivery()
    reservation = services.reservation_create(
        actor=request.user,
        listing_id=listing.pk,
        quantity=data["quantity"],
        handover=data["handover"],
        wanted_date=data["wanted_date"],
        contact_name=data["contact_name"],
        contact_phone=data["contact_phone"],
        note=data["note"],
        # The checkbox, or the main button when none are left (the same name and value).
        join_waiting_list=data["join_waiting_list"],
        delivery=delivery,
        seen_available=inputs.bounded_int(
            request.POST.get("seen_available"), low=0, high=MAX_QUANTITY
        ),
        for_unit_id=form.for_unit_id(),
    )
    delivering = reservation.handover == Reservation.Handover.DELIVERY
    if reservation.status == Reservation.Status.REQUESTED:
        messages.success(
            request,
            _(
                "Asked. The giving unit approves or declines your request by %(date)s; "
                "until then the items are held for you."
            )
            % {"date": date_format(timezone.localtime(reservation.decide_by), "SHORT_DATE_FORMAT")},
        )
    elif reservation.status == Reservation.Status.WAITING:
        place = selectors.waiting_position(reservation)
        if delivering:
            text = _(
                "You are number %(n)d on the waiting list. When it is your turn, choose a "
                "delivery time on the reservation page."
            )
        else:
            text = _(
                "You are number %(n)d on the waiting list. We will tell you when it is your turn."
            )
        messages.success(request, text % {"n": place})
    elif delivering and delivery is not None:
        option = next(
            (o for o in form.delivery_options if o["value"] == data["delivery_slot"]), None
        )
        day = date_format(delivery[1], "SHORT_DATE_FORMAT")
        if option is None:  # a time the form did not list, booked all the same
            text = _("Reserved for delivery. The warehouse brings it on %(date)s.")
            messages.success(request, text % {"date": day})
        else:
            text = _("Reserved for delivery. The warehouse brings it on %(date)s at %(time)s.")
            time = f"{option['start']:%H:%M}–{option['end']:%H:%M}"
            messages.success(request, text % {"date": day, "time": time})
    elif delivering:
        messages.success(
            request, _("Reserved for delivery. Choose a delivery time on the reservation page.")
        )
    else:
        messages.success(
            request,
            _("Reserved. Collect it by %(date)s.")
            % {"date": date_format(reservation.collect_by, "SHORT_DATE_FORMAT")},
        )
    if reservation.on_behalf:
        messages.info(request, _on_behalf_message(reservation))
    return reservation


def _on_behalf_message(reservation) -> str:
    return _(
        "Made for %(unit)s: the reservation is theirs, and their people are told of it by "
        "e-mail. You find it among your reservations too."
    ) % {"unit": reservation.unit.display_name}


def reservation_list(request):
    """Both lists, filtered by status (?status=, the form works without JS), open first."""
    context = selectors.reservations_of_unit(user=request.user, params=request.GET)
    return render(request, "reservations/list.html", context)


def _contacts_viewed(request, reservation, what) -> None:
    """The access log: whose contact details the page shows (the giver's, the reserving
    unit's contact person), for the coordinators' log (issue 23)."""
    subjects = [
        privacy.Subject(
            user_id=reservation.listing.created_by_id,
            description=reservation.listing.created_by.full_name,
            organisation_id=reservation.listing.organisation_id,
        )
    ]
    if reservation.contact_name or reservation.contact_phone:
        subjects.append(
            privacy.Subject(
                user_id=reservation.requested_by_id,
                description=reservation.contact_name,
                organisation_id=reservation.unit.department.organisation_id,
            )
        )
    privacy.personal_data_viewed(
        viewer=request.user, subjects=subjects, what=what, ref=f"reservation:{reservation.pk}"
    )


def detail(request, pk, *, cancel_form=None, decline_form=None, status=200):
    reservation = selectors.reservation_for_user(user=request.user, reservation_id=pk)
    context = {
        "reservation": reservation,
        "position": selectors.waiting_position(reservation),
        "handover": selectors.handover_details(reservation=reservation),
        "cancel_form": cancel_form or CancelForm(),
        "decline_form": decline_form or DeclineForm(),
    }
    _contacts_viewed(request, reservation, privacy.What.RESERVATION_CONTACT)
    return render(request, "reservations/detail.html", context, status=status)


def slip(request, pk):
    """The pickup slip, or for a delivery the delivery note: one A4 page for the door."""
    reservation = selectors.reservation_for_user(user=request.user, reservation_id=pk)
    url = request.build_absolute_uri(reservation.get_absolute_url())
    context = {
        "reservation": reservation,
        "handover": selectors.handover_details(reservation=reservation, with_photo=True),
        "url": url,
        "qr": qr_svg(url),
    }
    _contacts_viewed(request, reservation, privacy.What.PICKUP_SLIP)
    return render(request, "reservations/slip.html", context)


def _act(request, pk, action, success, cancel_form=None, decline_form=None):
    """Run one action; on bad input show the reservation again with why, changing nothing.

    400 when the input is wrong (a missing reason), 409 when the reservation's state no
    longer allows it (already cancelled, extended once): the service's error says which.
    Someone who is no party to it (another organisation's) gets 404 before anything runs.
    """
    selectors.reservation_for_user(user=request.user, reservation_id=pk)
    try:
        action()
    except (Reservation.DoesNotExist, PermissionDenied) as error:
        raise Http404 from error
    except ValidationError as error:
        form = cancel_form if cancel_form is not None else decline_form
        if hasattr(error, "error_dict") and form is not None:
            add_to_form(form, error)
        else:
            for message in error.messages:
                messages.error(request, message)
        return detail(
            request,
            pk,
            cancel_form=cancel_form,
            decline_form=decline_form,
            status=status_of(error),
        )
    messages.success(request, success)
    return redirect_next(request, "reservations:detail", pk=pk)


@require_POST
def cancel(request, pk):
    form = CancelForm(request.POST)
    if not form.is_valid():
        return detail(request, pk, cancel_form=form, status=400)
    reason = form.cleaned_data["reason"]
    return _act(
        request,
        pk,
        lambda: services.reservation_cancel(actor=request.user, reservation_id=pk, reason=reason),
        _("The reservation is cancelled."),
        cancel_form=form,
    )


@require_POST
def extend(request, pk):
    return _act(
        request,
        pk,
        lambda: services.reservation_extend(actor=request.user, reservation_id=pk),
        _("The collect-by date is extended."),
    )


@require_POST
def approve(request, pk):
    """The owner side approves a request (issue 20): 403 for the requesting unit's own,
    409 once decided or after its decide-by time."""
    return _act(
        request,
        pk,
        lambda: services.reservation_approve(actor=request.user, reservation_id=pk),
        _("The request is approved. The requesting unit can now collect it."),
    )


@require_POST
def decline(request, pk):
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return detail(request, pk, decline_form=form, status=400)
    reason = form.cleaned_data["reason"]
    return _act(
        request,
        pk,
        lambda: services.reservation_decline(actor=request.user, reservation_id=pk, reason=reason),
        _("The request is declined. The items are offered again."),
        decline_form=form,
    )


def handover(request, pk):
    reservation = selectors.reservation_for_user(user=request.user, reservation_id=pk)
    if not services.can_hand_over(request.user, reservation):
        raise Http404
    form = HandoverForm(request.POST or None, initial={"quantity": reservation.quantity})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.reservation_collect(
                    actor=request.user,
                    reservation_id=reservation.pk,
                    quantity=form.cleaned_data["quantity"],
                    scanned_code=form.cleaned_data["scanned_code"],
                )
            except ValidationError as error:
                add_to_form(form, error)
                status = status_of(error)
            else:
                messages.success(request, _("Handover confirmed. Thank you for reusing!"))
                return redirect("reservations:detail", pk=pk)
    return render(
        request,
        "reservations/handover.html",
        {"reservation": reservation, "form": form},
        status=status,
    )


# --- basket -----------------------------------------------------------------------------------


def _basket(request) -> dict:
    return dict(request.session.get(BASKET_KEY, {}))


@require_POST
def basket_add(request, pk):
    listing = listing_selectors.listing_for_view(user=request.user, listing_id=pk)
    basket = _basket(request)
    quantity = inputs.bounded_int(request.POST.get("quantity"), low=1, high=MAX_QUANTITY, default=1)
    basket[str(listing.pk)] = quantity
    request.session[BASKET_KEY] = basket
    messages.success(request, _("Added to the basket: %(title)s") % {"title": listing.title})
    return redirect_next(request, "reservations:basket")


@require_POST
def basket_remove(request, pk):
    basket = _basket(request)
    basket.pop(str(pk), None)
    request.session[BASKET_KEY] = basket
    return redirect("reservations:basket")


def basket(request):
    items = selectors.basket_listings(basket=_basket(request))
    form = BasketForm(
        request.POST or None,
        prefill=selectors.contact_prefill(user=request.user),
        actor=request.user,
    )
    status = 200
    if request.method == "POST":
        status = 400
        quantities = {}
        for listing in items:
            quantities[listing.pk] = inputs.bounded_int(
                request.POST.get(f"quantity_{listing.pk}", str(listing.basket_quantity)),
                low=0,
                high=MAX_QUANTITY,
                default=0,
            )
            listing.basket_quantity = quantities[listing.pk]

        def write(data):
            reservations = services.basket_reserve(
                actor=request.user,
                items=[services.BasketItem(pk, qty) for pk, qty in quantities.items()],
                handover=data["handover"],
                wanted_date=data["wanted_date"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                note=data["note"],
                for_unit_id=form.for_unit_id(),
            )
            request.session[BASKET_KEY] = {}
            messages.success(
                request,
                _("Reserved %(n)d items. Collect them by the dates shown.")
                % {"n": len(reservations)},
            )
            if reservations and reservations[0].on_behalf:
                messages.info(request, _on_behalf_message(reservations[0]))
            return redirect("reservations:list")

        outcome = submissions.submit_once(request, form, write=write, fallback="reservations:list")
        if isinstance(outcome, HttpResponse):
            return outcome
        _refuse_foreign_unit(form)
        status = outcome
    # The internal charges, before confirming (issue 21); None when none would be made.
    for_unit = acted_for(form)
    quote = charge_selectors.basket_quote(
        unit_id=for_unit.pk if for_unit else request.user.unit_id, listings=items
    )
    context = {
        "items": items,
        "form": form,
        "quote": quote,
        "quote_for_unit": for_unit,
        "quote_may_act_for": "for_unit" in form.fields,
    }
    return render(request, "reservations/basket.html", context, status=status)
