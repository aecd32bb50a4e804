"""Open impact data (issue 19): the public pages and files under /open-data/ (no sign-in,
any origin may read them), and the coordinator's page that publishes or stops.

/open-data/                        the publishing organisations, the licence, the columns
/open-data/catalog.jsonld          DCAT-AP 3 catalogue for harvesters (dcat.py)
/open-data/<slug>/                 one organisation's figures, as a page
/open-data/<slug>/impact.json|csv  the same figures as files
An organisation that does not publish is a 404 at its addresses, whoever asks."""

import json
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kierratys.accounts import selectors as account_selectors
from kierratys.accounts.organisation_services import organisation_open_data_set
from kierratys.accounts.roles import coordinators_organisation_id

from . import dcat, open_data, spreadsheets

PUBLIC_CACHE = "public, max-age=3600"
JSON_LD = "application/ld+json"


def _public(response):
    response["Cache-Control"] = PUBLIC_CACHE
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may fetch it
    return response


def _published(slug: str):
    organisation = open_data.published_organisation(slug=slug)
    if organisation is None:
        raise Http404
    return organisation


@login_not_required
@require_GET
def index(request):
    context = {
        "organisations": list(open_data.published_organisations()),
        "period": open_data.period(),
        "licence_url": open_data.LICENCE_URL,
    }
    return _public(render(request, "reports/open_data.html", context))


@login_not_required
@require_GET
def catalogue(request):
    document = dcat.catalogue(
        organisations=list(open_data.published_organisations()),
        span=open_data.period(),
        modified=timezone.localdate(),
    )
    body = json.dumps(document, ensure_ascii=False, indent=1)
    return _public(HttpResponse(body, content_type=f"{JSON_LD}; charset=utf-8"))


@login_not_required
@require_GET
def organisation(request, slug):
    organisation = _published(slug)
    language = get_language()[:2]
    rows = [
        row | {"category_name": row.get(f"category_{language}") or row["category_fi"]}
        for row in open_data.impact_rows(organisation=organisation)
    ]
    context = {
        "organisation": organisation,
        "rows": rows,
        "period": open_data.period(),
        "licence_url": open_data.LICENCE_URL,
    }
    return _public(render(request, "reports/open_data_organisation.html", context))


def _number(value):
    return float(value) if isinstance(value, Decimal) else value


@login_not_required
@require_GET
def impact_json(request, slug):
    organisation = _published(slug)
    span = open_data.period()
    document = {
        "organisation": {
            "name": organisation.name,
            "business_id": organisation.business_id,
        },
        "licence": open_data.LICENCE_URL,
        "attribution": f"{organisation.name}, {request.build_absolute_uri('/')}",
        "period": {"start": span.start.isoformat(), "end": span.end.isoformat()},
        "columns": list(open_data.COLUMNS),
        "rows": [
            {key: _number(value) for key, value in row.items()}
            for row in open_data.impact_rows(organisation=organisation)
        ],
    }
    return _public(JsonResponse(document, json_dumps_params={"ensure_ascii": False}))


@login_not_required
@require_GET
def impact_csv(request, slug):
    """Machine-readable CSV: `,` between fields, a decimal point, the column names above."""
    organisation = _published(slug)
    columns = [spreadsheets.Column(name) for name in open_data.COLUMNS]
    rows = [list(row.values()) for row in open_data.impact_rows(organisation=organisation)]
    table = spreadsheets.Table(title=organisation.slug, columns=columns, rows=rows)
    response = HttpResponse(content_type=spreadsheets.CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{organisation.slug}-impact.csv"'
    spreadsheets.write_csv(response, table, spreadsheets.csv_format("en"))
    return _public(response)


def manage(request):
    """The coordinator's page: what is published, where, and the switch."""
    coordinators_organisation_id(request.user)  # anyone else: the friendly 403 page
    organisation = account_selectors.organisation_of(user=request.user)
    return render(
        request,
        "reports/open_data_manage.html",
        {"organisation": organisation, "licence_url": open_data.LICENCE_URL},
    )


@require_POST
def publish(request):
    choice = request.POST.get("publish")
    if choice not in ("1", "0"):
        messages.error(request, _("Choose whether to publish the figures or to stop."))
        return redirect("open_data:manage")
    organisation = organisation_open_data_set(actor=request.user, publish=choice == "1")
    if organisation.open_data_since:
        messages.success(request, _("Your impact figures are published as open data."))
    else:
        messages.success(request, _("Your impact figures are no longer published."))
    return redirect("open_data:manage")


urls = [
    path("open-data/", index, name="index"),
    path("open-data/catalog.jsonld", catalogue, name="catalogue"),
    path("open-data/<slug:slug>/", organisation, name="organisation"),
    path("open-data/<slug:slug>/impact.json", impact_json, name="impact_json"),
    path("open-data/<slug:slug>/impact.csv", impact_csv, name="impact_csv"),
    path("organisation/open-data/", manage, name="manage"),
    path("organisation/open-data/publish/", publish, name="publish"),
]
