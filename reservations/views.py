from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kierratys.common import inputs, submissions
from kierratys.common.errors import add_to_form, status_of
from kierratys.common.limits import MAX_QUANTITY
from kierratys.common.redirects import redirect_next
from listings import selectors as listing_selectors

from . import selectors, services
from .forms import BasketForm, CancelForm, HandoverForm, ReserveForm
from .models import Reservation

BASKET_KEY = "basket"


def reserve(request, pk):
    """POST /listings/<id>/reserve/: 409 with the form when someone else got there first."""
    listing = listing_selectors.listing_for_view(user=request.user, listing_id=pk)
    form = ReserveForm(
        request.POST or None, available=listing.quantity_available, user=request.user
    )
    status = 200
    conflict = False
    if request.method == "POST":
        status = 400
        if form.is_valid():
            with submissions.claim(request) as once:
                if once.repeat:
                    return once.repeat_response(listing)
                if once.missing:
                    form.add_error(None, once.missing_message)
                else:
                    try:
                        reservation = _reserve(request, listing, form.cleaned_data)
                    except ValidationError as error:
                        add_to_form(form, error)
                        status = status_of(error)
                        conflict = isinstance(error, services.NotEnoughAvailable)
                    else:
                        return once.done(redirect(reservation))
        listing.refresh_from_db(fields=["quantity_available"])
    context = {"listing": listing, "form": form, "conflict": conflict}
    return render(request, "reservations/reserve.html", context, status=status)


def _reserve(request, listing, data) -> Reservation:
    reservation = services.reservation_create(
        actor=request.user,
        listing_id=listing.pk,
        quantity=data["quantity"],
        handover=data["handover"],
        wanted_date=data["wanted_date"],
        contact_name=data["contact_name"],
        contact_phone=data["contact_phone"],
        note=data["note"],
        join_waiting_list=data["join_waiting_list"],
    )
    if reservation.status == Reservation.Status.WAITING:
        messages.success(
            request, _("You are on the waiting list. We will tell you when it is your turn.")
        )
    else:
        messages.success(
            request,
            _("Reserved. Collect it by %(date)s.")
            % {"date": date_format(reservation.collect_by, "SHORT_DATE_FORMAT")},
        )
    return reservation


def reservation_list(request):
    return render(
        request, "reservations/list.html", selectors.reservations_of_unit(user=request.user)
    )


def detail(request, pk, *, cancel_form=None, status=200):
    reservation = selectors.reservation_for_user(user=request.user, reservation_id=pk)
    context = {
        "reservation": reservation,
        "position": selectors.waiting_position(reservation),
        "cancel_form": cancel_form or CancelForm(),
    }
    return render(request, "reservations/detail.html", context, status=status)


def slip(request, pk):
    reservation = selectors.reservation_for_user(user=request.user, reservation_id=pk)
    return render(request, "reservations/slip.html", {"reservation": reservation})


def _act(request, pk, action, success, cancel_form=None):
    """Run one action; on bad input show the reservation again with why, changing nothing.

    400 when the input is wrong (a missing reason), 409 when the reservation's state no
    longer allows it (already cancelled, extended once): the service's error says which.
    """
    try:
        action()
    except (Reservation.DoesNotExist, PermissionDenied) as error:
        raise Http404 from error
    except ValidationError as error:
        if hasattr(error, "error_dict") and cancel_form is not None:
            add_to_form(cancel_form, error)
        else:
            for message in error.messages:
                messages.error(request, message)
        return detail(request, pk, cancel_form=cancel_form, status=status_of(error))
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
    form = BasketForm(request.POST or None, user=request.user)
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
        if form.is_valid():
            data = form.cleaned_data
            with submissions.claim(request) as once:
                if once.repeat:
                    return once.repeat_response("reservations:list")
                if once.missing:
                    form.add_error(None, once.missing_message)
                else:
                    try:
                        reservations = services.basket_reserve(
                            actor=request.user,
                            items=[services.BasketItem(pk, qty) for pk, qty in quantities.items()],
                            handover=data["handover"],
                            wanted_date=data["wanted_date"],
                            contact_name=data["contact_name"],
                            contact_phone=data["contact_phone"],
                            note=data["note"],
                        )
                    except ValidationError as error:
                        add_to_form(form, error)
                        status = status_of(error)
                    else:
                        request.session[BASKET_KEY] = {}
                        messages.success(
                            request,
                            _("Reserved %(n)d items. Collect them by the dates shown.")
                            % {"n": len(reservations)},
                        )
                        return once.done(redirect("reservations:list"))
    return render(
        request, "reservations/basket.html", {"items": items, "form": form}, status=status
    )
