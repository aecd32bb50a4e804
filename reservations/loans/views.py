"""Loan pages: booking on the item's calendar, a loan's page, handing out and taking back
by the label, "my loans" and the overdue lists. Thin: bind, call one service, render.
The "loans" namespace (kierratys/urls.py)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kierratys.accounts.pauses.selectors import pause_for_listing
from kierratys.accounts.roles import belongs_to_unit, may_act_for_other_units
from kierratys.common import submissions
from kierratys.common.errors import add_to_form, status_of
from kierratys.common.inputs import positive_id  # noqa: F401  (the <id:...> converter)
from listings import selectors as listing_selectors

from . import selectors, services
from .forms import CancelForm, LoanForm, PickUpForm, ReturnForm
from .models import Loan


def loan_form(*, user, listing, data=None) -> LoanForm:
    return LoanForm(data, listing=listing, actor=user)


def loan_box_context(*, request, listing, form=None) -> dict:
    """The item page's calendar and booking form (also the booking page's)."""
    user = request.user
    today = timezone.localdate()
    month = selectors.month_of(request.GET.get("month"), today)
    own = belongs_to_unit(user, listing.owner_unit_id)
    bookable = listing.status == listing.Status.PUBLISHED and not own
    pause = pause_for_listing(listing) if bookable else None
    return {
        "listing": listing,
        "calendar": selectors.loan_calendar(listing=listing, month=month, today=today),
        "form": form or (loan_form(user=user, listing=listing) if bookable else None),
        "own": own,
        "bookable": bookable and pause is None,
        "pause": pause,
        "loans": selectors.loans_of_listing(listing=listing, user=user),
        "request": request,
    }


def _booked_message(loan: Loan) -> str:
    words = {
        "q": loan.quantity,
        "title": loan.listing.title,
        "start": date_format(loan.start, "SHORT_DATE_FORMAT"),
        "end": date_format(loan.end, "SHORT_DATE_FORMAT"),
    }
    return _("Booked: %(q)d × %(title)s from %(start)s to %(end)s.") % words


def book(request, pk):
    """GET: the calendar and the form; POST: book. 400 for bad input, 409 when a day has
    too few free, with the form and the calendar as they are now."""
    listing = listing_selectors.listing_for_view(user=request.user, listing_id=pk)
    if not listing.for_loan:
        raise Http404
    form = loan_form(user=request.user, listing=listing, data=request.POST or None)
    status = 200
    if request.method == "POST":

        def write(data):
            loan = services.loan_book(
                actor=request.user,
                listing_id=listing.pk,
                start=data["start"],
                end=data["end"],
                quantity=data["quantity"],
                unit_id=form.unit_id(),
            )
            loan.listing = listing
            messages.success(request, _booked_message(loan))
            return redirect(loan)

        outcome = submissions.submit_once(request, form, write=write, fallback=listing)
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    context = loan_box_context(request=request, listing=listing, form=form)
    return render(request, "loans/book.html", context, status=status)


def detail(request, pk, *, cancel_form=None, status=200):
    loan = selectors.loan_for_user(user=request.user, loan_id=pk)
    context = {
        "loan": loan,
        **services.loan_actions(user=request.user, loan=loan),
        "cancel_form": cancel_form or CancelForm(),
    }
    return render(request, "loans/detail.html", context, status=status)


@require_POST
def cancel(request, pk):
    selectors.loan_for_user(user=request.user, loan_id=pk)  # 404 before anything runs
    form = CancelForm(request.POST)
    if not form.is_valid():
        return detail(request, pk, cancel_form=form, status=400)
    try:
        services.loan_cancel(actor=request.user, loan_id=pk, reason=form.cleaned_data["reason"])
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            add_to_form(form, error)
        else:
            for message in error.messages:
                messages.error(request, message)
        return detail(request, pk, cancel_form=form, status=status_of(error))
    messages.success(request, _("The loan is cancelled. Its days are free again."))
    return redirect("loans:detail", pk=pk)


def _handover(request, pk, *, form_class, template, act, success):
    """Hand out or take back: the owner side only (others get 404), confirmed by the label
    or by hand. A refusal shows the form again with why: 400 bad input, 409 wrong state."""
    loan = selectors.loan_for_user(user=request.user, loan_id=pk)
    if not services.can_hand_over(request.user, loan):
        raise Http404
    form = form_class(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                act(loan, form.cleaned_data)
            except ValidationError as error:
                add_to_form(form, error)
                status = status_of(error)
            else:
                messages.success(request, success)
                return redirect("loans:detail", pk=pk)
    return render(request, template, {"loan": loan, "form": form}, status=status)


def pick_up(request, pk):
    return _handover(
        request,
        pk,
        form_class=PickUpForm,
        template="loans/pick_up.html",
        act=lambda loan, data: services.loan_pick_up(
            actor=request.user, loan_id=loan.pk, scanned_code=data["scanned_code"]
        ),
        success=_("Lent out. The borrower returns it by the last day."),
    )


def take_back(request, pk):
    return _handover(
        request,
        pk,
        form_class=ReturnForm,
        template="loans/return.html",
        act=lambda loan, data: services.loan_return(
            actor=request.user,
            loan_id=loan.pk,
            condition=data["condition"],
            damage_note=data["damage_note"],
            scanned_code=data["scanned_code"],
        ),
        success=_("Returned. Thank you!"),
    )


def mine(request):
    context = selectors.loans_of_user(user=request.user)
    context["overdue_ours"] = selectors.overdue_for_owner(user=request.user)
    context["acts_for_others"] = may_act_for_other_units(request.user)
    return render(request, "loans/mine.html", context)


def overdue(request):
    """Our unit's items that are late back."""
    rows = selectors.overdue_for_owner(user=request.user)
    return render(request, "loans/overdue.html", {"rows": rows, "warehouse": False})


def warehouse_overdue(request):
    """For warehouse staff and coordinators: the organisation's items late back (403 for
    anyone else)."""
    rows = selectors.overdue_for_warehouse(user=request.user)
    return render(request, "loans/overdue.html", {"rows": rows, "warehouse": True})


urls = [
    path("", mine, name="mine"),
    path("overdue/", overdue, name="overdue"),
    path("overdue/warehouse/", warehouse_overdue, name="warehouse_overdue"),
    path("item/<id:pk>/", book, name="book"),
    path("<id:pk>/", detail, name="detail"),
    path("<id:pk>/cancel/", cancel, name="cancel"),
    path("<id:pk>/pick-up/", pick_up, name="pick_up"),
    path("<id:pk>/return/", take_back, name="return"),
]
