"""The open data catalogue as DCAT-AP 3 JSON-LD, for the national open data portal
(avoindata.fi) and others to harvest from one stable address.

One `dcat:Catalog` (the service) with a `dcat:Dataset` per organisation that publishes
(open_data.py), each with a JSON and a CSV `dcat:Distribution`. Titles, descriptions and
keywords in Finnish, Swedish and English as language-tagged literals; themes, frequency,
languages, formats and the licence as the EU Publications Office's authority IRIs, as
DCAT-AP asks. The context is inline, so reading it never fetches anything."""

from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .open_data import LICENCE_URL, Period

LANGUAGES = ("fi", "sv", "en")
EU = "http://publications.europa.eu/resource/authority/"
LANGUAGE_IRIS = {"fi": EU + "language/FIN", "sv": EU + "language/SWE", "en": EU + "language/ENG"}
FORMATS = {
    "json": (EU + "file-type/JSON", "application/json"),
    "csv": (EU + "file-type/CSV", "text/csv"),
}
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def _in_each_language(text) -> list[dict]:
    """`text(language)` in fi, sv and en, as language-tagged literals."""
    values = []
    for language in LANGUAGES:
        with translation.override(language):
            values.append({"@language": language, "@value": str(text(language))})
    return values


def _iri(url: str) -> dict:
    return {"@id": url}


def _date(day: date) -> dict:
    return {"@value": day.isoformat(), "@type": "xsd:date"}


def _name(organisation, language: str) -> str:
    return {"sv": organisation.name_sv, "en": organisation.name_en}.get(language, "") or str(
        organisation.name
    )


def _distribution(organisation, kind: str) -> dict:
    url = settings.SITE_URL + reverse(f"open_data:impact_{kind}", args=[organisation.slug])
    file_type, media_type = FORMATS[kind]
    return {
        "@id": f"{url}#distribution",
        "@type": "dcat:Distribution",
        "dct:title": _in_each_language(
            lambda language: _("Monthly figures as %(format)s") % {"format": kind.upper()}
        ),
        "dcat:accessURL": _iri(url),
        "dcat:downloadURL": _iri(url),
        "dct:format": _iri(file_type),
        "dcat:mediaType": _iri(f"https://www.iana.org/assignments/media-types/{media_type}"),
        "dct:license": _iri(LICENCE_URL),
    }


def _dataset(organisation, span: Period, modified: date) -> dict:
    page = settings.SITE_URL + reverse("open_data:organisation", args=[organisation.slug])
    publisher = {
        "@id": f"{page}#publisher",
        "@type": "foaf:Agent",
        "foaf:name": _in_each_language(lambda language: _name(organisation, language)),
        "dct:identifier": organisation.business_id,
    }
    dataset = {
        "@id": f"{page}#dataset",
        "@type": "dcat:Dataset",
        "dct:identifier": f"{page}#dataset",
        "dct:title": _in_each_language(
            lambda language: (
                _("Furniture reuse: impact of %(organisation)s")
                % {"organisation": _name(organisation, language)}
            )
        ),
        "dct:description": _in_each_language(
            lambda language: (
                _(
                    "Furniture and equipment that the units of %(organisation)s took into use "
                    "again instead of buying new, each month and per category: items, kilograms, "
                    "CO2e avoided and replacement value in euros; and the items donated, sold "
                    "and recycled."
                )
                % {"organisation": _name(organisation, language)}
            )
        ),
        "dcat:keyword": [
            keyword
            for word in (
                lambda language: _("reuse"),
                lambda language: _("furniture"),
                lambda language: _("circular economy"),
            )
            for keyword in _in_each_language(word)
        ],
        "dcat:theme": [_iri(EU + "data-theme/ENVI"), _iri(EU + "data-theme/GOVE")],
        "dct:publisher": publisher,
        "dct:language": [_iri(LANGUAGE_IRIS[language]) for language in LANGUAGES],
        "dct:accrualPeriodicity": _iri(EU + "frequency/MONTHLY"),
        "dct:issued": _date(organisation.open_data_since.date()),
        "dct:modified": _date(modified),
        "dct:temporal": {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": _date(span.start),
            "dcat:endDate": _date(span.end),
        },
        "dcat:landingPage": _iri(page),
        "dcat:distribution": [_distribution(organisation, kind) for kind in FORMATS],
    }
    if organisation.support_email:
        dataset["dcat:contactPoint"] = {
            "@type": "vcard:Organization",
            "vcard:fn": str(organisation.name),
            "vcard:hasEmail": _iri(f"mailto:{organisation.support_email}"),
        }
    return dataset


def catalogue(*, organisations, span: Period, modified: date) -> dict:
    """The whole catalogue document (a dict to serialise as JSON-LD)."""
    home = settings.SITE_URL + reverse("open_data:index")
    return {
        "@context": CONTEXT,
        "@id": f"{home}#catalogue",
        "@type": "dcat:Catalog",
        "dct:title": _in_each_language(
            lambda language: (
                _("%(service)s: open impact data")
                % {"service": settings.SERVICE_NAMES.get(language, settings.SERVICE_NAME)}
            )
        ),
        "dct:description": _in_each_language(
            lambda language: _(
                "Monthly figures of furniture reuse in Finnish municipalities and their "
                "organisations that share this service, published by each organisation under "
                "the CC BY 4.0 licence."
            )
        ),
        "dct:publisher": {
            "@id": f"{home}#publisher",
            "@type": "foaf:Agent",
            "foaf:name": _in_each_language(
                lambda language: settings.SERVICE_NAMES.get(language, settings.SERVICE_NAME)
            ),
        },
        "foaf:homepage": _iri(settings.SITE_URL + "/"),
        "dct:language": [_iri(LANGUAGE_IRIS[language]) for language in LANGUAGES],
        "dct:license": _iri(LICENCE_URL),
        "dct:modified": _date(modified),
        "dcat:dataset": [_dataset(o, span, modified) for o in organisations],
    }
