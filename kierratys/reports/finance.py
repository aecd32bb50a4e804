"""The finance downloads of internal prices (issue 21): a month's charges of the
coordinator's organisation as CSV or XLSX, written by `spreadsheets` like the other
reports. Two tables: the totals per cost centre (one row per cost centre code, what a
finance system posts) and every charge line with its cost centre code.

The addresses are the "charges" namespace's, with the coordinator's pages of
reservations.charges (kierratys/urls.py includes `urls`)."""

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kierratys.accounts.roles import coordinators_organisation_id
from reservations.charges import selectors
from reservations.charges import views as charge_views

from . import spreadsheets
from .spreadsheets import MONTH, NUMBER, Column, Table

KINDS = ("totals", "lines")
FORMATS = ("csv", "xlsx")


def totals_table(page: dict) -> Table:
    return Table(
        title=_("Charges per cost centre"),
        columns=[
            Column(_("Month"), MONTH),
            Column(_("Cost centre")),
            Column(_("Units")),
            Column(_("Charges"), NUMBER),
            Column(_("Total (€)"), NUMBER),
        ],
        rows=[
            [
                page["month"],
                total.cost_centre,
                ", ".join(unit.display_name for unit in total.units),
                total.lines,
                total.total_eur,
            ]
            for total in page["totals"]
        ],
    )


def lines_table(page: dict) -> Table:
    return Table(
        title=_("Charges"),
        columns=[
            Column(_("Cost centre")),
            Column(_("Date")),
            Column(_("Unit")),
            Column(_("Item")),
            Column(_("Service")),
            Column(_("Quantity"), NUMBER),
            Column(_("Per")),
            Column(_("Unit price (€)"), NUMBER),
            Column(_("Amount (€)"), NUMBER),
        ],
        rows=[
            [
                charge.cost_centre,
                timezone.localdate(charge.charged_at),
                charge.unit.display_name,
                charge.item,
                charge.get_kind_display(),
                charge.quantity,
                charge.get_per_display(),
                charge.unit_price_eur,
                charge.amount_eur,
            ]
            for charge in page["charges"]
        ],
    )


def export(request, kind: str, fmt: str):
    """/organisation/finance/<totals|lines>.<csv|xlsx>?month=YYYY-MM"""
    organisation_id = coordinators_organisation_id(request.user)
    if kind not in KINDS or fmt not in FORMATS:
        raise Http404
    month = charge_views.month_of(request.GET.get("month"))
    if month is None:
        messages.error(request, _("Choose a month, for example 2026-03."))
        return redirect(reverse("charges:month"))
    page = selectors.charges_page(organisation_id=organisation_id, month=month)
    table = totals_table(page) if kind == "totals" else lines_table(page)
    name = f"kierratys-{'charges' if kind == 'lines' else 'cost-centres'}-{month:%Y-%m}"
    if fmt == "csv":
        response = HttpResponse(content_type=spreadsheets.CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        spreadsheets.write_csv(response, table, spreadsheets.csv_format(get_language()))
        return response
    return FileResponse(
        spreadsheets.xlsx_file(table, creator=settings.SERVICE_NAME),
        as_attachment=True,
        filename=f"{name}.xlsx",
        content_type=spreadsheets.XLSX_CONTENT_TYPE,
    )


urls = [
    *charge_views.urls,
    path("<slug:kind>.<slug:fmt>", export, name="export"),
]
