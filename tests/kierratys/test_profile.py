"""The profile page: a user keeps their own name, phone and language; the unit is shown."""

import pytest
from django.conf import settings
from django.urls import reverse

from ..factories import DepartmentFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
URL = "/accounts/profile/"


@pytest.fixture
def user(client):
    unit = UnitFactory(name="Puolalan koulu", department=DepartmentFactory(name="Kasvatus"))
    user = UserFactory(unit=unit, full_name="Aino Virta", phone="", language="fi")
    client.force_login(user)
    return user


def test_the_url_is_accounts_profile():
    assert reverse("profile") == URL


def test_the_page_shows_the_details_and_the_unit_with_its_department(client, user):
    page = client.get(URL, **EN)
    assert page.status_code == 200
    assert 'value="Aino Virta"' in page.text
    assert "Puolalan koulu" in page.text and "Kasvatus" in page.text
    assert user.email in page.text
    assert 'name="unit"' not in page.text  # shown, not edited


def test_the_account_menu_links_to_it(client, user):
    assert f'href="{URL}"' in client.get(reverse("reservations:list"), **EN).text


def test_saving_changes_name_phone_and_language(client, user):
    response = client.post(
        URL, {"full_name": "  Aino Kivi ", "phone": " 040 765 4321", "language": "sv"}, **EN
    )
    assert response.status_code == 302 and response.url == URL
    user.refresh_from_db()
    assert (user.full_name, user.phone, user.language) == ("Aino Kivi", "040 765 4321", "sv")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "sv"
    # the next page is in the chosen language
    page = client.get(URL)
    assert '<html lang="sv"' in page.text


def test_the_phone_may_be_left_empty(client, user):
    user.phone = "040 1"
    user.save()
    response = client.post(URL, {"full_name": "Aino Virta", "phone": "", "language": "fi"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.phone == ""


@pytest.mark.parametrize(
    "data,field",
    [
        ({"full_name": "   ", "phone": "", "language": "fi"}, "full_name"),
        ({"full_name": "Aino", "phone": "", "language": "de"}, "language"),
        ({"full_name": "Aino", "phone": "0" * 41, "language": "fi"}, "phone"),
        ({"full_name": "A" * 201, "phone": "", "language": "fi"}, "full_name"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(client, user, data, field):
    response = client.post(URL, data, **EN)
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.text
    user.refresh_from_db()
    assert (user.full_name, user.phone, user.language) == ("Aino Virta", "", "fi")


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_user_without_a_unit_sees_the_page(client):
    user = UserFactory(unit=None)
    client.force_login(user)
    page = client.get(URL, **EN)
    assert page.status_code == 200 and "You do not belong to a unit yet." in page.text


def test_signing_in_honours_the_saved_language(client):
    from ..factories import PASSWORD

    user = UserFactory(language="sv")
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "sv"


def test_the_service_refuses_an_empty_name():
    from django.core.exceptions import ValidationError

    from kierratys.accounts.services import user_profile_update

    user = UserFactory(full_name="Aino")
    with pytest.raises(ValidationError):
        user_profile_update(user=user, full_name=" ", phone="", language="fi")
    user.refresh_from_db()
    assert user.full_name == "Aino"
