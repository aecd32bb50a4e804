"""The coordinator's users page: who is in the organisation, when and how each signed in."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kierratys.accounts.models import User
from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from kierratys.accounts.signin_selectors import USERS_PAGE_SIZE

from ..factories import PASSWORD, UserFactory, member_of, other_organisation

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
URL = "/organisation/users/"


@pytest.fixture
def coordinator():
    return UserFactory(roles=[COORDINATOR], is_staff=True, full_name="Kaisa Koordinaattori")


@pytest.fixture
def coordinator_client(coordinator):
    client = Client()
    client.force_login(coordinator)
    return client


def rows(page) -> list[str]:
    """Each user's row as its text, whitespace collapsed."""
    found = re.findall(r"<tr data-user-id=\"\d+\">(.*?)</tr>", page.text, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in found]


def row_of(page, name: str) -> str:
    [row] = [row for row in rows(page) if row.startswith(name)]
    return row


def test_the_page_is_at_its_address_and_among_the_coordinators_tools(coordinator_client):
    assert reverse("organisation_users") == URL
    page = coordinator_client.get(reverse("organisation_hub"), **EN)
    assert f'href="{URL}"' in page.text and ">Users<" in page.text


def test_a_password_sign_in_shows_as_password_with_its_local_time(coordinator_client):
    user = UserFactory(full_name="Pekka Salasana")
    Client().post(reverse("login"), {"username": user.email, "password": PASSWORD})
    user.refresh_from_db()
    local = timezone.localtime(user.last_login, ZoneInfo("Europe/Helsinki"))
    page = coordinator_client.get(URL, **EN)
    assert page.status_code == 200
    assert row_of(page, "Pekka Salasana").endswith(f"{local:%-d.%-m.%Y %H:%M} Password")
    never = UserFactory(full_name="Ville Vasta")
    assert row_of(coordinator_client.get(URL, **EN), "Ville Vasta") == (
        f"Ville Vasta {never.email} {never.unit.name} Unit staff Yes – Never"
    )


def test_single_sign_on_shows_the_providers_name(coordinator_client):
    UserFactory(
        full_name="Sanna Sso",
        last_login=timezone.now(),
        last_sign_in_method="sso",
        last_sign_in_provider="Turun kaupunki (Entra ID)",
    )
    assert row_of(coordinator_client.get(URL, **EN), "Sanna Sso").endswith(
        "Turun kaupunki (Entra ID)"
    )


def test_shows_unit_roles_and_whether_active(coordinator_client, coordinator):
    UserFactory(full_name="Wilma Varasto", roles=[WAREHOUSE], unit=coordinator.unit)
    UserFactory(full_name="Olli Pois", is_active=False)
    page = coordinator_client.get(URL, **EN)
    wilma = row_of(page, "Wilma Varasto")
    assert coordinator.unit.name in wilma
    assert "Unit staff, Warehouse staff" in wilma and " Yes " in wilma
    assert " No " in row_of(page, "Olli Pois")
    assert "Unit staff, Coordinator" in row_of(page, "Kaisa Koordinaattori")


def test_another_organisations_users_never_appear(coordinator_client):
    elsewhere = other_organisation()
    stranger = member_of(elsewhere, full_name="Raisa Raisiolainen", email="raisa@kunta1.example")
    page = coordinator_client.get(URL, **EN)
    assert "Raisa" not in page.text and stranger.email not in page.text
    assert rows(coordinator_client.get(URL, {"q": "Raisa"}, **EN)) == []
    # Their coordinator sees them, and not ours.
    theirs = Client()
    theirs.force_login(member_of(elsewhere, roles=[COORDINATOR], is_staff=True))
    page = theirs.get(URL, **EN)
    assert "Raisa Raisiolainen" in page.text and "Kaisa" not in page.text


@pytest.mark.parametrize("roles", [[], [WAREHOUSE]])
def test_others_than_coordinators_are_refused(client, roles):
    user = UserFactory(roles=roles)
    UserFactory(full_name="Tuula Työkaveri", unit=user.unit)
    client.force_login(user)
    page = client.get(URL, **EN)
    assert page.status_code == 403  # as on the partners page
    assert "Tuula" not in page.text
    home = client.get(reverse("home"), follow=True, **EN)
    assert f'href="{URL}"' not in home.text


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get(URL)["Location"].startswith(reverse("login"))


def test_newest_sign_in_first_and_never_last(coordinator_client, coordinator):
    now = timezone.now()
    User.objects.filter(pk=coordinator.pk).update(last_login=now - timedelta(days=9))
    UserFactory(full_name="Aino Eilen", last_login=now - timedelta(days=1))
    UserFactory(full_name="Bertta Ei koskaan")
    UserFactory(full_name="Cecilia Tänään", last_login=now - timedelta(minutes=5))
    names = [row.split(" ")[0] for row in rows(coordinator_client.get(URL, **EN))]
    assert names == ["Cecilia", "Aino", "Kaisa", "Bertta"]


def test_text_filters_by_name_email_or_unit(coordinator_client, coordinator):
    UserFactory(full_name="Maija Meikäläinen", email="maija.m@demo.example")
    UserFactory(full_name="Teppo Testaaja", unit=coordinator.unit)
    for text, expected in [
        ("meikä", {"Maija"}),
        ("MAIJA.M@", {"Maija"}),
        (coordinator.unit.name, {"Kaisa", "Teppo"}),
    ]:
        page = coordinator_client.get(URL, {"q": text}, **EN)
        assert {row.split(" ")[0] for row in rows(page)} == expected, text
    page = coordinator_client.get(URL, {"q": "ei ketään tällaista"}, **EN)
    assert rows(page) == [] and "Nobody matches this search." in page.text


def test_pages_and_a_bounded_number_of_queries(
    coordinator_client, coordinator, django_assert_max_num_queries
):
    now = timezone.now()
    for n in range(USERS_PAGE_SIZE + 10):
        UserFactory(
            full_name=f"Käyttäjä {n:03d}",
            roles=[WAREHOUSE] if n % 3 else [],
            last_login=now - timedelta(hours=n),
            last_sign_in_method="password",
        )
    # Session, user, roles, unread notices, announcements; the count, the page, its roles:
    # not per user.
    with django_assert_max_num_queries(8):
        first = coordinator_client.get(URL, **EN)
    assert len(rows(first)) == USERS_PAGE_SIZE
    assert "Page 1 of 2" in first.text and 'rel="next"' in first.text
    second = coordinator_client.get(URL, {"page": 2}, **EN)
    assert len(rows(second)) == 11  # the rest and the coordinator, who never signed in
    assert coordinator_client.get(URL, {"page": "x"}, **EN).status_code == 200


def test_accessible_table_markup(coordinator_client):
    page = coordinator_client.get(URL, **EN).text
    assert "<caption" in page and 'scope="col"' in page and 'scope="row"' in page
    assert 'for="users-q"' in page and 'id="users-q"' in page


def test_times_are_shown_in_local_time_in_finnish_too(coordinator_client):
    UserFactory(
        full_name="Liisa Kesä",
        last_login=datetime(2026, 7, 1, 9, 5, tzinfo=ZoneInfo("UTC")),
        last_sign_in_method="password",
    )
    page = coordinator_client.get(URL, HTTP_ACCEPT_LANGUAGE="fi")
    assert "1.7.2026 12:05" in row_of(page, "Liisa Kesä")  # summer time in Helsinki


def test_control_characters_in_the_search_are_ignored(coordinator_client):
    UserFactory(full_name="Maija Meikäläinen")
    page = coordinator_client.get(URL, {"q": "Mai\x00ja"}, **EN)
    assert page.status_code == 200
    assert [row.split(" ")[0] for row in rows(page)] == ["Maija"]


def test_the_accounts_service_tokens_act_through_are_not_among_the_people(
    coordinator, coordinator_client
):
    from kierratys.api import services

    UserFactory(full_name="Pekka Ihminen", unit=coordinator.unit)
    services.token_create(
        actor=coordinator,
        unit_id=coordinator.unit_id,
        name="Varastojärjestelmä",
        scopes=["listings:read"],
        days=30,
    )
    shown = rows(coordinator_client.get(URL, **EN))
    assert [row for row in shown if row.startswith("Pekka Ihminen")]
    assert not [row for row in shown if row.startswith("API:")]
