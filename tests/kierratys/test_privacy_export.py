"""A person's data as JSON (issue 23): their own download from the profile, and their
coordinator's for them; everything of theirs, nothing of anyone else's."""

import json

import pytest
from django.urls import reverse

from kierratys.accounts.models import Notice
from kierratys.accounts.privacy import services as privacy
from kierratys.accounts.privacy.models import PersonalDataAccess
from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from listings.models import SavedSearch
from reservations.models import Reservation

from ..factories import ListingFactory, ReservationFactory, member_of, other_organisation

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def person():
    """Pirjo, with a listing, two reservations (one waiting), a saved search and a notice,
    and someone else's reservation of her listing beside them."""
    pirjo = member_of(full_name="Pirjo Persoona", email="pirjo@demo.example", phone="040 111")
    listing = ListingFactory(title="Kirjahylly", owner_unit=pirjo.unit, created_by=pirjo)
    other = member_of(full_name="Olli Muukalainen", email="olli@demo.example", phone="050 999")
    ReservationFactory(
        listing=listing, requested_by=other, contact_name="Olli Muukalainen", note="Ollin viesti"
    )
    wanted = ListingFactory(title="Sohva")
    ReservationFactory(
        listing=wanted, requested_by=pirjo, contact_phone="040 111", note="Haen perjantaina"
    )
    ReservationFactory(
        listing=ListingFactory(title="Nojatuoli"),
        requested_by=pirjo,
        status=Reservation.Status.WAITING,
    )
    SavedSearch.objects.create(user=pirjo, name="Sohvat", query="q=sohva")
    SavedSearch.objects.create(user=other, name="Ollin haku", query="q=tuoli")
    Notice.objects.create(user=pirjo, kind=Notice.Kind.SEARCH_MATCH, params={"n": 1})
    privacy.personal_data_viewed(
        viewer=other,
        subjects=[privacy.Subject(user_id=pirjo.pk, description="Pirjo Persoona")],
        what=PersonalDataAccess.What.RESERVATION_CONTACT,
        ref="reservation:1",
    )
    return pirjo


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    return json.loads(response.content), response.content.decode()


def test_a_person_downloads_everything_of_theirs_and_nothing_of_others(client, person):
    client.force_login(person)
    profile = client.get(reverse("profile"), **EN)
    assert reverse("personal_data_download") in profile.text and "Download my data" in profile.text
    data, text = download(client, reverse("personal_data_download"))

    assert data["account"]["email"] == "pirjo@demo.example"
    assert data["account"]["phone"] == "040 111"
    assert data["unit"]["name"] == person.unit.display_name
    assert data["roles"] == ["staff"]
    assert [listing["title"] for listing in data["listings"]] == ["Kirjahylly"]
    notes = {r["listing"]["title"]: (r["status"], r["note"]) for r in data["reservations"]}
    assert notes == {"Sohva": ("active", "Haen perjantaina"), "Nojatuoli": ("waiting", "")}
    assert [w["listing"]["title"] for w in data["waiting_list"]] == ["Nojatuoli"]
    assert [s["name"] for s in data["saved_searches"]] == ["Sohvat"]
    assert [n["kind"] for n in data["notices"]] == ["search_match"]
    [seen] = data["viewed_by_others"]
    assert seen["viewed_by"] == "Olli Muukalainen" and seen["where"] == "reservation_contact"
    # The other reserver of her listing: none of their contact, email, phone or searches.
    for theirs in ("olli@demo.example", "050 999", "Ollin viesti", "Ollin haku"):
        assert theirs not in text
    # Her own download is not someone viewing her data.
    assert not PersonalDataAccess.objects.filter(what="export").exists()


def test_a_coordinator_downloads_a_persons_data_and_it_is_logged(client, person):
    coordinator = member_of(roles=[COORDINATOR], full_name="Kaisa Koordinaattori")
    client.force_login(coordinator)
    page = client.get(reverse("privacy:person", args=[person.pk]), **EN)
    assert page.status_code == 200
    assert reverse("privacy:export", args=[person.pk]) in page.text
    data, _text = download(client, reverse("privacy:export", args=[person.pk]))
    assert data["account"]["email"] == "pirjo@demo.example"
    entry = PersonalDataAccess.objects.get(what=PersonalDataAccess.What.EXPORT)
    assert (entry.viewer, entry.subject, entry.ref) == (coordinator, person, f"user:{person.pk}")
    log = client.get(reverse("privacy:log"), **EN)
    assert "Personal data export" in log.text and "Kaisa Koordinaattori" in log.text


def test_another_organisations_person_does_not_exist_for_a_coordinator(client, person):
    client.force_login(member_of(other_organisation(), roles=[COORDINATOR]))
    for name in ("privacy:person", "privacy:export", "privacy:anonymise"):
        assert client.get(reverse(name, args=[person.pk])).status_code == 404
    assert not PersonalDataAccess.objects.filter(what="export").exists()


@pytest.mark.parametrize("roles", [[], [WAREHOUSE]])
def test_only_coordinators_download_someone_elses_data(client, person, roles):
    client.force_login(member_of(roles=roles))
    assert client.get(reverse("privacy:export", args=[person.pk])).status_code == 403
