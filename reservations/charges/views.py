"""The coordinator's internal prices (/organisation/finance/): the price list, and each
month's charges per cost centre (its downloads are kierratys.reports.finance, beside the
other spreadsheets). Anyone but a coordinator gets the friendly 403 page; a coordinator
only ever sees their own organisation's prices and charges."""

import re
from datetime import date

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kierratys.accounts.roles import coordinators_organisation_id
from kierratys.common import submissions

from . import selectors, services
from .forms import PriceListForm

MONTH = re.compile(r"(\d{4})-(\d{2})")
FIRST_YEAR, LAST_YEAR = 2000, 2100


def month_of(value: str | None) -> date | None:
    """A month typed as YYYY-MM (what <input type=month> sends); None when it is not one."""
    match = MONTH.fullmatch((value or "").strip())
    if match is None:
        return None
    year, month = int(match[1]), int(match[2])
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def requested_month(request) -> tuple[date, bool]:
    """The month asked for (?month=YYYY-MM), else this month; and whether the ask was bad
    (then a message says so and this month is shown)."""
    value = request.GET.get("month")
    month = month_of(value)
    if month is None and value:
        messages.error(request, _("Choose a month, for example 2026-03."))
    return month or timezone.localdate().replace(day=1), month is None and bool(value)


def charges_month(request):
    """The charges of a month per cost centre, with the downloads for finance."""
    organisation_id = coordinators_organisation_id(request.user)
    month, bad = requested_month(request)
    context = selectors.charges_page(organisation_id=organisation_id, month=month)
    return render(request, "charges/month.html", context, status=400 if bad else 200)


def price_list(request):
    """GET: the prices; POST: save them. Bad input: 400 with the messages, nothing saved."""
    organisation_id = coordinators_organisation_id(request.user)
    prices = selectors.price_list_of(organisation_id=organisation_id)
    form = PriceListForm(request.POST or None, price_list=prices)
    status = 200
    if request.method == "POST":

        def write(data):
            saved = services.price_list_save(
                actor=request.user,
                delivery_basis=data["delivery_basis"],
                delivery_eur=data["delivery_eur"],
                storage_month_eur=data["storage_month_eur"],
                cleaning_eur=data["cleaning_eur"],
            )
            if saved.is_free:
                messages.success(request, _("Prices saved. All are zero: nothing is charged."))
            else:
                messages.success(request, _("Prices saved. They apply to handovers from now on."))
            return redirect(reverse("charges:prices"))

        outcome = submissions.submit_once(request, form, write=write, fallback="charges:prices")
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    return render(request, "charges/prices.html", {"form": form, "prices": prices}, status=status)


urls = [
    path("", charges_month, name="month"),
    path("prices/", price_list, name="prices"),
]
