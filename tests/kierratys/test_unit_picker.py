"""The unit picker (issue 18): finding one's unit among hundreds by typing, with or
without script; only the units of one's own organisation are ever suggested or accepted."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from kierratys.accounts import unit_picker_views
from kierratys.accounts.models import User
from kierratys.accounts.selectors import units_matching
from kierratys.accounts.unit_picker import CHOICES_WITHOUT_SCRIPT, SUGGESTIONS, scope_of

from ..factories import (
    DepartmentFactory,
    OrganisationFactory,
    UnitFactory,
    UserFactory,
    other_organisation,
)
from .test_accounts import verification_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def turku():
    return OrganisationFactory()


@pytest.fixture
def education(turku):
    return DepartmentFactory(
        organisation=turku, name="Kasvatus ja opetus", name_sv="Fostran och utbildning"
    )


@pytest.fixture
def units(turku, education):
    """Three units of Turku, and a look-alike of the first in another organisation."""
    health = DepartmentFactory(organisation=turku, name="Hyvinvointi")
    return {
        "paivakoti": UnitFactory(
            department=education,
            name="Päiväkoti Äijänpää",
            name_sv="Daghemmet Åsen",
            street_address="Ålandsgatan 3",
            district="Itäharju",
        ),
        "puistokoulu": UnitFactory(
            department=education,
            name="Puistokoulu",
            street_address="Puistokatu 10",
            district="Keskusta",
        ),
        "neuvola": UnitFactory(
            department=health,
            name="Kupittaan neuvola",
            street_address="Kunnallissairaalantie 20",
            district="Kupittaa",
        ),
        "elsewhere": UnitFactory(
            department=DepartmentFactory(organisation=other_organisation(1), name="Opetus"),
            name="Päiväkoti Äijänpää",
            street_address="Kuntakatu 1",
            district="Itäharju",
        ),
    }


def names(found) -> list[str]:
    return [unit.name for unit in found]


# --- The selector ---------------------------------------------------------------------


def test_every_typed_word_must_match_somewhere(turku, units):
    # The words match the name, the department, the street address and the district.
    assert names(units_matching(organisation=turku, text="kasvatus itäharju")) == [
        "Päiväkoti Äijänpää"
    ]
    assert names(units_matching(organisation=turku, text="puistokatu koulu")) == ["Puistokoulu"]
    assert units_matching(organisation=turku, text="puistokoulu itäharju") == []


@pytest.mark.parametrize(
    "typed",
    ["päiväkoti", "paivakoti", "PÄIVÄKOTI", "Äijänpää", "aijanpaa", "åsen", "ASEN", "alandsgatan"],
)
def test_case_and_finnish_and_swedish_letters_do_not_matter(turku, units, typed):
    assert names(units_matching(organisation=turku, text=typed)) == ["Päiväkoti Äijänpää"]


def test_the_swedish_name_is_found_and_shown_in_swedish(turku, units):
    with translation.override("sv"):
        [unit] = units_matching(organisation=turku, text="daghemmet")
        assert unit.display_name == "Daghemmet Åsen"
    found = units_matching(organisation=turku, text="fostran")  # the department's Swedish name
    assert set(names(found)) == {"Päiväkoti Äijänpää", "Puistokoulu"}


def test_another_organisations_and_closed_units_are_never_found(turku, units):
    UnitFactory(department=units["puistokoulu"].department, name="Vanha koulu", is_active=False)
    found = units_matching(organisation=turku, text="päiväkoti")
    assert found == [units["paivakoti"]]
    assert units_matching(organisation=turku, text="kuntakatu") == []
    assert units_matching(organisation=turku, text="vanha") == []


def test_a_name_starting_with_the_text_comes_first_and_the_answer_is_bounded(turku, education):
    UnitFactory(department=education, name="Aurinkokoulu")
    UnitFactory(department=education, name="Koulumäen päiväkoti")
    UnitFactory(department=education, name="Kaarinan koulu")
    assert names(units_matching(organisation=turku, text="koulu")) == [
        "Koulumäen päiväkoti",  # the name starts with it
        "Kaarinan koulu",  # a word of the name does
        "Aurinkokoulu",  # inside a compound
    ]
    for n in range(50):
        UnitFactory(department=education, name=f"Koulu {n:02d}")
    assert len(units_matching(organisation=turku, text="koulu", limit=5)) == 5
    assert len(units_matching(organisation=turku, text="koulu", limit=1000)) == 50


def test_nothing_typed_finds_nothing(turku, units):
    assert units_matching(organisation=turku, text="  ") == []
    assert units_matching(organisation=turku, text="%") == []


# --- The endpoint ---------------------------------------------------------------------


def search(client, **params):
    return client.get(reverse("unit_search"), params, HTTP_ACCEPT_LANGUAGE="en")


def test_an_anonymous_caller_gets_the_units_of_the_addresss_organisation(client, units):
    response = search(client, email="maija@demo.example", q="äijänpää")
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": units["paivakoti"].pk,
            "label": "Päiväkoti Äijänpää",
            "detail": "Kasvatus ja opetus · Ålandsgatan 3, Itäharju",
        }
    ]
    # The other organisation's look-alike, by its own domain only.
    response = search(client, email="maija@kunta1.example", q="äijänpää")
    assert [row["id"] for row in response.json()] == [units["elsewhere"].pk]


def test_an_anonymous_caller_without_a_known_domain_gets_no_units(client, units):
    for params in ({"q": "päiväkoti"}, {"email": "maija@elsewhere.example", "q": "päiväkoti"}):
        response = search(client, **params)
        assert response.status_code == 400
        assert "Enter your work email address first" in response.json()["error"]


def test_a_signed_in_user_gets_only_their_own_organisations_units(client, units):
    client.force_login(UserFactory(unit=units["neuvola"]))
    response = search(client, email="someone@kunta1.example", q="päiväkoti")
    assert [row["id"] for row in response.json()] == [units["paivakoti"].pk]


def test_a_scope_names_the_pages_organisation_and_a_forged_one_is_ignored(client, units):
    kunta = units["elsewhere"].department.organisation
    response = search(client, scope=scope_of(kunta.pk), q="äijänpää")
    assert [row["id"] for row in response.json()] == [units["elsewhere"].pk]
    forged = scope_of(kunta.pk).replace(":", ":x", 1)
    assert search(client, scope=forged, q="äijänpää").status_code == 400
    assert search(client, scope=str(kunta.pk), q="äijänpää").status_code == 400


def test_one_organisation_is_searched_before_any_address(client):
    unit = UnitFactory(name="Ainoa koulu")
    assert [row["id"] for row in search(client, q="ainoa").json()] == [unit.pk]


def test_an_answer_holds_a_bounded_number_of_units(client, education):
    for n in range(SUGGESTIONS + 5):
        UnitFactory(department=education, name=f"Koulu {n:02d}")
    assert len(search(client, email="maija@demo.example", q="koulu").json()) == SUGGESTIONS


def test_too_many_searches_are_refused_for_a_while(client, units, monkeypatch):
    monkeypatch.setattr(unit_picker_views, "PER_MINUTE_ANONYMOUS", 3)
    for _ in range(3):
        assert search(client, email="maija@demo.example", q="koulu").status_code == 200
    response = search(client, email="maija@demo.example", q="koulu")
    assert response.status_code == 429
    assert "Too many searches" in response.json()["error"]


# --- Sign-up without script -----------------------------------------------------------


def sign_up(client, **fields):
    data = {"email": "uusi.kayttaja@demo.example", "full_name": "Uusi Käyttäjä", **fields}
    return client.post(reverse("signup"), data, HTTP_ACCEPT_LANGUAGE="en")


def test_typed_text_matching_one_unit_chooses_it(client, units):
    response = sign_up(client, unit_text="puistokoulu")
    assert response.status_code == 302
    assert User.objects.get().unit == units["puistokoulu"]


def test_typed_text_matching_several_lists_them_to_choose_from(client, units):
    response = sign_up(client, unit_text="kasvatus")
    assert response.status_code == 200
    assert not User.objects.exists()
    page = response.text
    assert "Several units match “kasvatus”. Choose yours below" in page
    assert f'type="radio" name="unit" value="{units["paivakoti"].pk}"' in page
    assert f'type="radio" name="unit" value="{units["puistokoulu"].pk}"' in page
    assert "Kupittaan neuvola" not in page
    assert 'value="Uusi Käyttäjä"' in page  # nothing typed is lost

    response = sign_up(client, unit_text="kasvatus", unit=units["puistokoulu"].pk)
    assert response.status_code == 302
    assert User.objects.get().unit == units["puistokoulu"]


def test_the_exact_name_wins_over_longer_ones(client, education):
    one = UnitFactory(department=education, name="Koulu 1")
    UnitFactory(department=education, name="Koulu 10")
    assert sign_up(client, unit_text="koulu 1").status_code == 302
    assert User.objects.get().unit == one


def test_typed_text_matching_nothing_says_so(client, units):
    response = sign_up(client, unit_text="Olematon")
    assert response.status_code == 200
    assert "No unit matches “Olematon”. Check the spelling" in response.text
    assert not User.objects.exists()


def test_nothing_typed_asks_for_the_unit(client, units):
    response = sign_up(client, unit_text="")
    assert "Type the name of your unit and choose it from the list." in response.text
    assert not User.objects.exists()


def test_another_organisations_unit_id_is_refused(client, units):
    response = sign_up(client, unit_text="Päiväkoti Äijänpää", unit=units["elsewhere"].pk)
    assert response.status_code == 200
    assert "Choose a unit of your own organisation (Turku)." in response.text
    assert not User.objects.exists()
    assert sign_up(client, unit="not-a-number").status_code == 200
    assert not User.objects.exists()


def test_the_chosen_unit_is_kept_when_another_field_needs_fixing(client, units):
    response = sign_up(client, full_name="", unit_text="neuvola")
    assert response.status_code == 200
    page = response.text
    assert f'name="unit" value="{units["neuvola"].pk}"' in page
    assert 'name="unit_text" value="Kupittaan neuvola"' in page
    assert "Hyvinvointi · Kunnallissairaalantie 20, Kupittaa" in page


def test_the_picker_is_searchable_by_script_and_without(client, units):
    """The page carries what the script needs; the combobox roles are the script's."""
    page = client.get(reverse("signup"), HTTP_ACCEPT_LANGUAGE="en").text
    assert "Päiväkoti" not in page  # nothing is listed before anything is typed
    assert 'data-source="/accounts/units/"' in page and 'data-email-field="id_email"' in page
    assert 'name="unit_text"' in page and 'role="listbox"' in page and 'role="status"' in page
    assert '<script src="/static/js/unit-picker.js" defer>' in page
    assert 'href="/static/css/unit-picker.css"' in page


def test_more_matches_than_can_be_listed_asks_for_more(client, education):
    for n in range(CHOICES_WITHOUT_SCRIPT + 2):
        UnitFactory(department=education, name=f"Koulu {n:02d}")
    page = sign_up(client, unit_text="koulu").text
    assert f"More than {CHOICES_WITHOUT_SCRIPT} units match “koulu”." in page
    assert page.count('type="radio" name="unit"') == CHOICES_WITHOUT_SCRIPT
    assert not User.objects.exists()


def test_the_verification_page_shows_the_unit_given_at_sign_up(client, units, run_tasks):
    assert sign_up(client, unit=units["neuvola"].pk).status_code == 302
    run_tasks()
    page = client.get(verification_path(mail.outbox[0]), HTTP_ACCEPT_LANGUAGE="en").text
    assert 'name="unit_text" value="Kupittaan neuvola"' in page
    assert f'name="unit" value="{units["neuvola"].pk}"' in page
    assert 'data-source="/accounts/units/?scope=' in page  # the address's organisation
