"""Impact report pages: bind the filter, call one selector, render (or write CSV or XLSX).

Each organisation sees its own figures only. Its coordinators see every department and unit
of it; everyone else with a unit sees that unit's figures only: asking for a department or
another unit is refused with 403. Another organisation's department or unit is an unknown
choice of the filter. The regional view (region.py) puts partner organisations' totals side
by side, for coordinators of a region's members.
"""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kierratys.accounts.roles import is_coordinator, organisation_id_of, role_names
from kierratys.api.selectors import reuse_figures

from . import exports, region, selectors, spreadsheets, svg
from .forms import ReportFilterForm, this_year


def _forbidden(request, message: str) -> HttpResponse:
    return render(request, "reports/forbidden.html", {"message": message}, status=403)


def _access(request):
    """(the viewer's organisation's id, own unit or None for coordinators, a refusal
    response or None)."""
    user = request.user
    organisation_id = organisation_id_of(user)
    if not role_names(user) or organisation_id is None:
        return (
            None,
            None,
            _forbidden(
                request,
                _("Reports show a unit's figures, and your account is not linked to a unit."),
            ),
        )
    if is_coordinator(user):
        return organisation_id, None, None
    department = request.GET.get("department", "").strip()
    unit = request.GET.get("unit", "").strip()
    if department or (unit and unit != str(user.unit_id)):
        return None, None, _forbidden(request, _("You can see your own unit's figures only."))
    return organisation_id, user.unit, None


def _query(filters: selectors.ReportFilter, own_unit) -> str:
    params = {"start": filters.start.isoformat(), "end": filters.end.isoformat()}
    if filters.department is not None:
        params["department"] = filters.department.pk
    if filters.unit is not None and own_unit is None:
        params["unit"] = filters.unit.pk
    if filters.category_id is not None:
        params["category"] = filters.category_id
    return urlencode(params)


def _period_links(
    request, today: date, keep: tuple[str, ...] = ("department", "unit", "category")
) -> list[dict]:
    kept = {key: request.GET[key] for key in keep if request.GET.get(key, "").strip()}
    first, last = this_year(today)
    periods = [
        (_("This year"), first, last),
        (_("Last year"), first.replace(year=today.year - 1), last.replace(year=today.year - 1)),
        (_("Last 12 months"), today - timedelta(days=364), today),
    ]
    current = (
        request.GET.get("start", first.isoformat()),
        request.GET.get("end", last.isoformat()),
    )
    return [
        {
            "label": label,
            "query": urlencode({"start": start.isoformat(), "end": end.isoformat(), **kept}),
            "current": current == (start.isoformat(), end.isoformat()),
        }
        for label, start, end in periods
    ]


def _number(value, decimals: int = 0) -> str:
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _month_charts(report) -> dict:
    rows = report.monthly
    bars_items, bars_co2e = [], []
    for index, row in enumerate(rows):
        month = row["month"]
        year = str(month.year) if index == 0 or month.month == 1 else ""
        name = date_format(month, "YEAR_MONTH_FORMAT")
        bars_items.append(
            svg.Bar(str(month.month), row["items"], _number(row["items"]), year, name)
        )
        bars_co2e.append(
            svg.Bar(str(month.month), float(row["co2e"]), f"{_number(row['co2e'])} kg", year, name)
        )
    best_items = max(rows, key=lambda row: row["items"], default=None)
    best_co2e = max(rows, key=lambda row: row["co2e"], default=None)
    period = _period_text(report.filter)
    if best_items is None or not best_items["items"]:
        items_desc = _("No items were reused in %(period)s.") % {"period": period}
        co2e_desc = _("No CO₂e was avoided in %(period)s.") % {"period": period}
    else:
        items_desc = _("%(total)s items reused in %(period)s; the most in %(month)s: %(best)s.") % {
            "total": _number(report.totals["items"]),
            "period": period,
            "month": date_format(best_items["month"], "YEAR_MONTH_FORMAT"),
            "best": _number(best_items["items"]),
        }
        co2e_desc = _(
            "%(total)s kg CO₂e avoided in %(period)s; the most in %(month)s: %(best)s kg."
        ) % {
            "total": _number(report.totals["co2e"]),
            "period": period,
            "month": date_format(best_co2e["month"], "YEAR_MONTH_FORMAT"),
            "best": _number(best_co2e["co2e"]),
        }
    return {
        "items": svg.column_chart(
            chart_id="chart-items",
            title=_("Items reused per month"),
            desc=items_desc,
            bars=bars_items,
            colour=svg.BRAND,
        ),
        "co2e": svg.column_chart(
            chart_id="chart-co2e",
            title=_("CO₂e avoided per month (kg)"),
            desc=co2e_desc,
            bars=bars_co2e,
            colour=svg.GREEN,
        ),
    }


def _breakdown_chart(report):
    rows = report.breakdown
    if not rows:
        return None
    unit_level = report.filter.breakdown == "unit"
    title = _("Items reused per unit") if unit_level else _("Items reused per department")
    leader = rows[0]
    if leader["items"]:
        desc = _("%(name)s gave the most for reuse: %(items)s of %(total)s items.") % {
            "name": leader["name"],
            "items": _number(leader["items"]),
            "total": _number(report.totals["items"]),
        }
    else:
        desc = _("No items were reused in %(period)s.") % {"period": _period_text(report.filter)}
    bars = [svg.Bar(row["name"], row["items"], _number(row["items"])) for row in rows]
    return svg.bar_chart(chart_id="chart-breakdown", title=title, desc=desc, bars=bars)


def _period_text(filters: selectors.ReportFilter) -> str:
    start = date_format(filters.start, "SHORT_DATE_FORMAT")
    end = date_format(filters.end, "SHORT_DATE_FORMAT")
    return f"{start}–{end}"


def _scope_text(filters: selectors.ReportFilter, category_name: str) -> str:
    if filters.unit is not None:
        whose = filters.unit.display_name
    elif filters.department is not None:
        whose = filters.department.display_name
    else:
        whose = _("all departments")
    return f"{whose} · {category_name}" if category_name else whose


def index(request):
    organisation_id, own_unit, refusal = _access(request)
    if refusal is not None:
        return refusal
    today = timezone.localdate()
    form = ReportFilterForm(
        request.GET, own_unit=own_unit, organisation_id=organisation_id, today=today
    )
    context = {
        "form": form,
        "own_unit": own_unit,
        "periods": _period_links(request, today),
        "report": None,
        "regions": region.regions_of(organisation_id) if own_unit is None else [],
    }
    if form.is_valid():
        filters = form.filters()
        report = selectors.impact_report(filters=filters)
        context.update(
            report=report,
            filters=filters,
            period=_period_text(filters),
            scope=_scope_text(filters, form.category_name()),
            query=_query(filters, own_unit),
            month_charts=_month_charts(report),
            breakdown_chart=_breakdown_chart(report),
            reuse=reuse_figures(filters=filters),
        )
    return render(request, "reports/index.html", context)


def _export(request, table: str):
    """(the table to download, its file name without the extension, None), or (None, None,
    a response): a refusal, or back to the form when the filters are wrong."""
    if table not in selectors.TABLES:
        raise Http404
    organisation_id, own_unit, refusal = _access(request)
    if refusal is not None:
        return None, None, refusal
    form = ReportFilterForm(request.GET, own_unit=own_unit, organisation_id=organisation_id)
    if not form.is_valid():
        messages.error(request, _("The table could not be downloaded: check the filters."))
        return None, None, redirect(f"{reverse('reports:index')}?{request.GET.urlencode()}")
    filters = form.filters()
    data = selectors.report_table(filters=filters, table=table)
    sheet = exports.table_for(table, data, request=request, level=filters.breakdown)
    name = f"kierratys-{table}-{filters.start.isoformat()}-{filters.end.isoformat()}"
    return sheet, name, None


def csv_export(request, table: str):
    """The table as CSV in the page's language's conventions (`;` and a decimal comma in
    Finnish and Swedish), so that Excel opens it right by double-click."""
    sheet, name, response = _export(request, table)
    if response is not None:
        return response
    response = HttpResponse(content_type=spreadsheets.CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    spreadsheets.write_csv(response, sheet, spreadsheets.csv_format(get_language()))
    return response


def xlsx_export(request, table: str):
    """The table as an Excel workbook: numbers as numbers, months as dates."""
    sheet, name, response = _export(request, table)
    if response is not None:
        return response
    return FileResponse(
        spreadsheets.xlsx_file(sheet, creator=settings.SERVICE_NAME),
        as_attachment=True,
        filename=f"{name}.xlsx",
        content_type=spreadsheets.XLSX_CONTENT_TYPE,
    )


def methodology(request):
    """How the figures are computed: for everyone who can see a report."""
    if not role_names(request.user):
        return _forbidden(request, _("Your account has no role yet: contact support."))
    factors, sources = selectors.category_factors()
    return render(request, "reports/methodology.html", {"factors": factors, "sources": sources})


def _region_of(request):
    """(the regions of the coordinator's organisation, the chosen one), a refusal, or 404
    for a region the organisation is not a member of (or when it is in none)."""
    if not is_coordinator(request.user):
        return None, None, _forbidden(request, _("The regional view is for coordinators."))
    regions = region.regions_of(organisation_id_of(request.user))
    wanted = request.GET.get("region", "").strip()
    chosen = next((r for r in regions if r.slug == wanted), None) if wanted else None
    if chosen is None and (wanted or not regions):
        raise Http404
    return regions, chosen or regions[0], None


def region_view(request):
    """Partner organisations of a region side by side: for its members' coordinators, who
    choose the region (?region=slug) when their organisation belongs to several."""
    regions, chosen, refusal = _region_of(request)
    if refusal is not None:
        return refusal
    today = timezone.localdate()
    form = ReportFilterForm(request.GET, period_only=True, today=today)
    context = {
        "form": form,
        "regions": regions,
        "region": chosen,
        "periods": _period_links(request, today, keep=("region", "category")),
        "report": None,
    }
    if form.is_valid():
        filters = form.filters()
        context.update(
            report=region.region_report(region=chosen, filters=filters),
            period=_period_text(filters),
            query=request.GET.urlencode() or urlencode({"region": chosen.slug}),
        )
    return render(request, "reports/region.html", context)


def region_export(request, kind: str):
    """The regional view's table as CSV or XLSX, with the page's filters."""
    if kind not in ("csv", "xlsx"):
        raise Http404
    regions, chosen, refusal = _region_of(request)
    if refusal is not None:
        return refusal
    form = ReportFilterForm(request.GET, period_only=True)
    if not form.is_valid():
        messages.error(request, _("The table could not be downloaded: check the filters."))
        return redirect(f"{reverse('reports:region')}?{request.GET.urlencode()}")
    filters = form.filters()
    sheet = exports.region_table(region.region_report(region=chosen, filters=filters))
    name = f"kierratys-{chosen.slug}-{filters.start.isoformat()}-{filters.end.isoformat()}"
    if kind == "csv":
        response = HttpResponse(content_type=spreadsheets.CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        spreadsheets.write_csv(response, sheet, spreadsheets.csv_format(get_language()))
        return response
    return FileResponse(
        spreadsheets.xlsx_file(sheet, creator=settings.SERVICE_NAME),
        as_attachment=True,
        filename=f"{name}.xlsx",
        content_type=spreadsheets.XLSX_CONTENT_TYPE,
    )
