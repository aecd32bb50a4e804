"""Texts kept in three languages on one row (`<name>_fi`, `<name>_sv`, `<name>_en`), and
the reader's one with Finnish as the fallback."""

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

LANGUAGES = {"fi": _("in Finnish"), "sv": _("in Swedish"), "en": _("in English")}
FALLBACK = "fi"


def add_translated(model, name: str, label, field_class=models.TextField, **options) -> None:
    """Give `model` the fields `<name>_fi`, `<name>_sv` and `<name>_en`. Finnish is required
    unless `options` say otherwise; the others may stay empty (Finnish is shown instead)."""
    for code, in_language in LANGUAGES.items():
        field_options = dict(options)
        default = field_options.pop("defaults", {}).get(code)
        if default is not None:
            field_options["default"] = default
        if code != FALLBACK:
            field_options["blank"] = True
        field = field_class(format_lazy("{} ({})", label, in_language), **field_options)
        field.contribute_to_class(model, f"{name}_{code}")


def text_and_language(obj, name: str, language: str | None = None) -> tuple[str, str]:
    """(`obj.<name>_<language>`, language), or the Finnish text and "fi" when it is empty:
    the page marks a Finnish fallback with lang="fi" for screen readers."""
    code = (language or get_language() or FALLBACK)[:2]
    if code not in LANGUAGES:
        code = FALLBACK
    text = getattr(obj, f"{name}_{code}", "")
    if text:
        return text, code
    return getattr(obj, f"{name}_{FALLBACK}", ""), FALLBACK


def in_language(obj, name: str, language: str | None = None) -> str:
    """`obj.<name>_<language>`, or the Finnish one when that is empty."""
    return text_and_language(obj, name, language)[0]


# The supervisory authority for the accessibility of public-sector digital services.
# The Act on the Provision of Digital Services (306/2019) first gave the task to the
# Regional State Administrative Agency for Southern Finland (saavutettavuusvaatimukset.fi);
# government proposal HE 71/2024 vp moved the task and its unit to the Finnish Transport and
# Communications Agency Traficom from 1.1.2025 (https://finlex.fi/fi/hallituksen-esitykset/
# 2024/71, https://www.traficom.fi/fi/ajankohtaista/esteettomyys-ja-saavutettavuusvalvonnan-
# keskittamista-valmistellaan-traficomille), and the former unit's guide names Traficom as
# the authority (https://wcag.a11y.ing/en/eu-requirements/web-accessibility-directive/
# requirements-for-public-sector-websites-and-mobile-applications). The 2026 reform of the
# state's regional administration (AVIs into Lupa- ja valvontavirasto, HE 13/2025 vp) did not
# take it back. The same unit still runs the three sites below. Each organisation may edit
# these texts: a default is only where a new statement starts.
AUTHORITY_TEXT = {
    "fi": (
        "Jos huomaat palvelussa saavutettavuusongelmia, anna ensin palautetta meille. "
        "Vastaamme 14 päivän kuluessa.\n\n"
        "Jos et ole tyytyväinen saamaasi vastaukseen tai et saa vastausta lainkaan kahden "
        "viikon aikana, voit tehdä ilmoituksen valvontaviranomaiselle: Liikenne- ja "
        "viestintävirasto Traficomin saavutettavuusvalvonnalle. Sen verkkosivuilla kerrotaan, "
        "miten ilmoituksen voi tehdä ja miten asia käsitellään.\n\n"
        "Liikenne- ja viestintävirasto Traficom, saavutettavuusvalvonta\n"
        "www.saavutettavuusvaatimukset.fi\n"
        "puhelinvaihde 029 534 5000"
    ),
    "sv": (
        "Om du upptäcker brister i tjänstens tillgänglighet, ge först respons till oss. "
        "Vi svarar inom 14 dagar.\n\n"
        "Om du inte är nöjd med svaret eller inte får något svar alls inom två veckor, kan "
        "du göra en anmälan till tillsynsmyndigheten: tillgänglighetstillsynen vid Transport- "
        "och kommunikationsverket Traficom. På myndighetens webbplats får du veta hur du gör "
        "en anmälan och hur ärendet behandlas.\n\n"
        "Transport- och kommunikationsverket Traficom, tillgänglighetstillsynen\n"
        "www.tillganglighetskrav.fi\n"
        "växel 029 534 5000"
    ),
    "en": (
        "If you notice accessibility problems in the service, please send us feedback first. "
        "We answer within 14 days.\n\n"
        "If you are not satisfied with our answer, or you get no answer within two weeks, you "
        "can notify the supervisory authority: the accessibility monitoring unit of the "
        "Finnish Transport and Communications Agency Traficom. Its website tells you how to "
        "make a notification and how it is handled.\n\n"
        "Finnish Transport and Communications Agency Traficom, accessibility monitoring\n"
        "www.webaccessibility.fi\n"
        "switchboard +358 29 534 5000"
    ),
}
AUTHORITY_URL = {
    "fi": "https://www.saavutettavuusvaatimukset.fi/",
    "sv": "https://www.tillganglighetskrav.fi/",
    "en": "https://www.webaccessibility.fi/",
}
