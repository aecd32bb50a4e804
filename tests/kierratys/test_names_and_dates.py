"""Names in the reader's language (service, municipality, departments, units) and one date
format everywhere (1.12.2026)."""

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation

from kierratys import settings as settings_module
from kierratys.common import names
from kierratys.common.mail import render_mail
from kierratys.templatetags.mail_tags import short_date
from listings import choices

from ..factories import DepartmentFactory, ListingFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def page(client, url, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    text = client.get(url).text
    assert f'<html lang="{language}">' in text
    return text


@pytest.fixture
def school():
    department = DepartmentFactory(
        name="Kasvatuksen ja opetuksen toimiala",
        name_sv="Sektorn för fostran och utbildning",
    )
    return UnitFactory(department=department, name="Luostarivuoren koulu", name_sv="")


@pytest.fixture
def daycare(school):
    return UnitFactory(
        department=school.department, name="Päiväkoti Kastanja", name_sv="Daghemmet Kastanjen"
    )


def test_unit_and_department_in_swedish_on_the_swedish_page(client, daycare):
    listing = ListingFactory(owner_unit=daycare, available_until=date(2026, 12, 31))
    client.force_login(UserFactory(unit=daycare))
    url = reverse("listings:detail", args=[listing.pk])
    swedish = page(client, url, "sv")
    assert "Daghemmet Kastanjen (Sektorn för fostran och utbildning)" in swedish
    assert "Päiväkoti Kastanja" not in swedish
    finnish = page(client, url, "fi")
    assert "Päiväkoti Kastanja (Kasvatuksen ja opetuksen toimiala)" in finnish
    assert "Daghemmet" not in finnish


def test_a_name_not_given_in_swedish_falls_back_to_the_primary_name(client, school):
    listing = ListingFactory(owner_unit=school)
    client.force_login(UserFactory(unit=school))
    assert "Luostarivuoren koulu" in page(
        client, reverse("listings:detail", args=[listing.pk]), "sv"
    )
    with translation.override("en"):
        assert str(school) == "Luostarivuoren koulu"
        assert school.department.display_name == "Kasvatuksen ja opetuksen toimiala"


def test_catalogue_filters_name_units_in_the_readers_language(school, daycare):
    choices.forget()
    with translation.override("sv"):
        units = dict(choices.units())
        departments = dict(choices.departments())
    assert units[daycare.pk] == "Daghemmet Kastanjen"
    assert units[school.pk] == "Luostarivuoren koulu"
    assert departments[school.department_id] == "Sektorn för fostran och utbildning"
    with translation.override("fi"):
        assert dict(choices.units())[daycare.pk] == "Päiväkoti Kastanja"


def test_service_and_municipality_names_follow_the_page_language(client):
    swedish = page(client, reverse("login"), "sv")
    assert "Åbo" in swedish and "Återbruk" in swedish
    finnish = page(client, reverse("login"), "fi")
    assert "Turku" in finnish and "Åbo" not in finnish and "Kierrätys" in finnish


def test_mail_names_the_service_in_the_recipients_language():
    subject, _body = render_mail(
        "verify_email", {"verify_url": "https://x.example/v", "full_name": "Anna"}, "sv"
    )
    assert subject == "Bekräfta din e-postadress för Återbruk"
    subject, _body = render_mail(
        "verify_email", {"verify_url": "https://x.example/v", "full_name": "Anna"}, "fi"
    )
    assert "Kierrätys" in subject


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", {"fi": "Kierrätys", "sv": "Återbruk", "en": "Kierrätys"}),
        ("Återbruket", {"fi": "Återbruket", "sv": "Återbruket", "en": "Återbruket"}),
        (
            "fi=Kierrätys, sv=Återvinning",
            {"fi": "Kierrätys", "sv": "Återvinning", "en": "Kierrätys"},
        ),
    ],
)
def test_names_per_language_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("SERVICE_NAME_TEST", value)
    default = {"fi": "Kierrätys", "sv": "Återbruk", "en": "Kierrätys"}
    assert settings_module._names("SERVICE_NAME_TEST", default) == expected


def test_a_language_without_a_name_gets_the_default_languages(settings):
    settings.SERVICE_NAMES = {"fi": "Kierrätys"}
    assert names.service_name("sv") == "Kierrätys"


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_dates_read_the_same_in_every_language(language):
    with translation.override(language):
        assert formats.date_format(date(2026, 12, 1)) == "1.12.2026"
        assert formats.date_format(date(2026, 12, 1), "SHORT_DATE_FORMAT") == "1.12.2026"
        assert (
            formats.date_format(datetime(2026, 12, 1, 9, 5), "SHORT_DATETIME_FORMAT")
            == "1.12.2026 09:05"
        )
        assert short_date("2026-12-01") == "1.12.2026"  # mail


def test_dates_typed_the_finnish_way_are_understood_in_swedish_too():
    from django import forms

    with translation.override("sv"):
        assert forms.DateField().clean("1.12.2026") == date(2026, 12, 1)
        assert forms.DateField().clean("2026-12-01") == date(2026, 12, 1)


def test_listing_page_shows_dates_as_day_month_year_in_swedish(client, daycare):
    listing = ListingFactory(
        owner_unit=daycare, available_from=date(2026, 11, 3), available_until=date(2026, 12, 31)
    )
    client.force_login(UserFactory(unit=daycare))
    text = page(client, reverse("listings:detail", args=[listing.pk]), "sv")
    assert "3.11.2026–31.12.2026" in text
    assert "2026-12-31" not in text.replace('datetime="2026-12-31', "")


def test_the_admin_edits_the_names_in_swedish_and_english_below_the_name(client, school):
    from kierratys.accounts.models import User

    admin = User.objects.create_superuser(
        "admin@demo.example", "a-long-admin-password-1", full_name="Admin"
    )
    client.force_login(admin)
    for url in (
        reverse("admin:kierratys_unit_change", args=[school.pk]),
        reverse("admin:kierratys_department_change", args=[school.department_id]),
    ):
        form = client.get(url).text
        assert form.index('name="name"') < form.index('name="name_sv"')
        assert form.index('name="name_sv"') < form.index('name="name_en"')
    assert (
        "Sektorn för fostran och utbildning"
        in client.get(reverse("admin:kierratys_department_changelist")).text
    )


TEMPLATE_DIRS = [
    Path(__file__).resolve().parents[2] / app / "templates"
    for app in ("kierratys", "listings", "reservations", "inventory")
]
# A date shown to people is day.month.year (with or without the weekday or the year) or
# a named format; 'c' and 'Y-m-d' are for machines (datetime attributes, form values).
SHOWN_DATE = re.compile(r"^(([Dl] )?j\.n\.(Y( H:i)?)?|[A-Z_]+_FORMAT|c|Y-m-d)$")


def test_templates_write_dates_in_the_one_format():
    formats_used = {
        (path.name, match.group(1))
        for folder in TEMPLATE_DIRS
        for path in folder.rglob("*.*")
        if path.suffix in (".html", ".txt")
        for match in re.finditer(r"\|date:[\"']([^\"']*)[\"']", path.read_text("utf-8"))
    }
    assert formats_used, "no dates found: is the search right?"
    assert [used for used in formats_used if not SHOWN_DATE.match(used[1])] == []
