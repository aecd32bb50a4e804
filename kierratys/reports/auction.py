"""The auction export: the organisation's "sell" decisions (listings.services.end_of_life),
ready for a public-sector auction service, as CSV or XLSX (spreadsheets.py).

One row per decision: title, description (with size, material and colour), quantity,
location (the warehouse's address when the item is on a shelf, else its unit's), links to
the large photos, condition in the page's language, the suggested starting price and the
item code. Coordinators only, for their own organisation, for the decisions of a period.
"""

from datetime import date

from django import forms
from django.conf import settings
from django.db.models import Prefetch
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from kierratys.accounts.roles import is_coordinator, organisation_id_of
from listings.models import EndOfLife, ListingPhoto

from . import spreadsheets
from .forms import DATE_WIDGET, this_year
from .spreadsheets import NUMBER, Column, Table


class AuctionPeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("Decided from"),
        required=False,
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Enter a valid date.")},
    )
    end = forms.DateField(
        label=gettext_lazy("Decided until"),
        required=False,
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Enter a valid date.")},
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The last day cannot be before the first day."))
        return data

    def period(self, today: date) -> tuple[date, date]:
        first, _last = this_year(today)
        data = self.cleaned_data
        return data.get("start") or first, data.get("end") or today


def sell_decisions(*, organisation_id: int, start: date, end: date) -> list[EndOfLife]:
    """The organisation's "sell" decisions of the period (days in the local time zone)."""
    photos = ListingPhoto.objects.order_by("position")
    return list(
        EndOfLife.objects.filter(
            outcome=EndOfLife.Outcome.SELL,
            listing__organisation_id=organisation_id,
            decided_at__date__gte=start,
            decided_at__date__lte=end,
        )
        .select_related("listing__owner_unit", "listing__storage_location__warehouse", "decided_by")
        .prefetch_related(Prefetch("listing__photos", queryset=photos))
        .order_by("decided_at", "pk")
    )


def _description(listing) -> str:
    lines = [listing.description.strip()] if listing.description.strip() else []
    if listing.dimensions:
        lines.append(_("Size (W × D × H): %(size)s") % {"size": listing.dimensions})
    if listing.material:
        lines.append(_("Material: %(material)s") % {"material": listing.get_material_display()})
    if listing.colour:
        lines.append(_("Colour: %(colour)s") % {"colour": listing.get_colour_display()})
    if listing.weight_kg:
        lines.append(_("Weight: %(kg)s kg per item") % {"kg": floatformat(listing.weight_kg, -2)})
    return "\n".join(lines)


def _location(listing) -> str:
    """Where a buyer collects it: the warehouse when it is on a shelf, else its unit."""
    if listing.storage_location_id:
        warehouse = listing.storage_location.warehouse
        return f"{warehouse.name}, {warehouse.address}"
    unit = listing.owner_unit
    return f"{unit.display_name}, {unit.address}"


def _photo_links(request, listing) -> str:
    # Local media is a path ("/media/..."), S3 a full URL: build_absolute_uri keeps the latter.
    return "\n".join(request.build_absolute_uri(photo.large.url) for photo in listing.photos.all())


def auction_table(request, decisions: list[EndOfLife]) -> Table:
    columns = [
        Column(_("Title")),
        Column(_("Description")),
        Column(_("Quantity"), NUMBER),
        Column(_("Location")),
        Column(_("Photo links")),
        Column(_("Condition")),
        Column(_("Suggested starting price (€)"), NUMBER),
        Column(_("Item code")),
    ]
    rows = (
        [
            row.listing.title,
            _description(row.listing),
            row.quantity,
            _location(row.listing),
            _photo_links(request, row.listing),
            row.listing.get_condition_display(),
            row.starting_price_eur,
            row.listing.code,
        ]
        for row in decisions
    )
    return Table(_("For auction"), columns, rows)


def _forbidden(request) -> HttpResponse:
    message = _("Only coordinators export their organisation's items for the auction service.")
    return render(request, "reports/forbidden.html", {"message": message}, status=403)


def auction_export(request):
    """The page (the period and what it holds), or with ?format=csv|xlsx the file itself."""
    organisation_id = organisation_id_of(request.user)
    if not is_coordinator(request.user) or organisation_id is None:
        return _forbidden(request)
    today = timezone.localdate()
    form = AuctionPeriodForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    start, end = form.period(today) if valid and form.is_bound else (this_year(today)[0], today)
    decisions = (
        sell_decisions(organisation_id=organisation_id, start=start, end=end) if valid else []
    )
    file_format = request.GET.get("format", "")
    if valid and file_format in ("csv", "xlsx"):
        table = auction_table(request, decisions)
        name = f"kierratys-auction-{start.isoformat()}-{end.isoformat()}"
        if file_format == "csv":
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
    context = {
        "form": form if form.is_bound else AuctionPeriodForm(initial={"start": start, "end": end}),
        "decisions": decisions,
        "start": start,
        "end": end,
        "query": f"start={start.isoformat()}&end={end.isoformat()}",
    }
    return render(
        request, "listings/end_of_life_auction.html", context, status=200 if valid else 400
    )
