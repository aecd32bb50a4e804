"""Sign-up lists only the units of the address's own organisation (issue 17)."""

import pytest
from django.urls import reverse
from django.utils import translation

from kierratys.accounts.forms import SignUpForm
from kierratys.accounts.models import User

from ..factories import DepartmentFactory, OrganisationFactory, UnitFactory, other_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def units():
    turku = UnitFactory(
        name="Turun koulu", department=DepartmentFactory(organisation=OrganisationFactory())
    )
    kunta = UnitFactory(
        name="Kunnan koulu",
        department=DepartmentFactory(organisation=other_organisation(1)),
    )
    return turku, kunta


def test_the_unit_list_follows_the_addresss_domain(units):
    turku, kunta = units
    form = SignUpForm({"email": "maija@kunta1.example"})
    assert list(form.fields["unit"].queryset) == [kunta]
    form = SignUpForm({"email": "Maija@DEMO.example"})
    assert list(form.fields["unit"].queryset) == [turku]


def test_before_an_address_no_organisations_units_are_listed(client, units):
    with translation.override("en"):
        page = client.get(reverse("signup"), HTTP_ACCEPT_LANGUAGE="en").text
    assert "Turun koulu" not in page and "Kunnan koulu" not in page
    # The picker's script searches the units of the address typed above it.
    assert 'data-source="/accounts/units/"' in page and 'data-email-field="id_email"' in page


def test_one_organisation_is_searched_at_once(client):
    unit = UnitFactory(name="Ainoa koulu")
    page = client.get(reverse("signup")).text
    assert 'data-source="/accounts/units/?scope=' in page
    response = client.get(reverse("unit_search"), {"q": "ainoa"})
    assert [row["id"] for row in response.json()] == [unit.pk]


def test_an_unknown_domain_says_so_and_lists_nothing(client, units):
    with translation.override("en"):
        response = client.post(
            reverse("signup"),
            {"email": "maija@elsewhere.example", "full_name": "Maija", "unit": units[0].pk},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 200
    assert "Sign-up is only open to the email addresses of the organisations" in response.text
    assert "Turun koulu" not in response.text and "Kunnan koulu" not in response.text


def test_the_address_first_then_its_organisations_units(client, units):
    """Without script: the typed text is looked up among the address's organisation's units."""
    with translation.override("en"):
        response = client.post(
            reverse("signup"),
            {"email": "maija@kunta1.example", "full_name": "Maija", "unit_text": "koulu"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 302
    assert User.objects.get().unit == units[1]
