"""Organisations (issue 17, first part): a business ID with a valid check digit, a brand
colour dark enough for the header's white text, sign-up domains owned by one organisation,
added by the service's administrators without a code change, and sign-up to a unit of the
address's own organisation only."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from kierratys.accounts import services
from kierratys.accounts.errors import AccountError
from kierratys.accounts.models import EmailDomain, Organisation, User
from kierratys.accounts.organisation_services import organisation_create
from kierratys.accounts.organisations import contrast_ratio, validate_brand_colour
from kierratys.accounts.roles import COORDINATOR

from ..factories import DepartmentFactory, UnitFactory, UserFactory, other_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def create(**overrides):
    fields = {
        "name": "Kaarina",
        "name_sv": "S:t Karins",
        "slug": "kaarina",
        "kind": Organisation.Kind.MUNICIPALITY,
        "business_id": "0133226-9",
        "domains": ["Kaarina.fi", "@kaarina.example"],
    }
    fields.update(overrides)
    return organisation_create(**fields)


# --- business ID and brand colour -------------------------------------------------------------


def test_an_organisation_is_added_with_its_domains_in_lower_case():
    kaarina = create()
    assert kaarina.business_id == "0133226-9"
    assert sorted(kaarina.email_domains.values_list("domain", flat=True)) == [
        "kaarina.example",
        "kaarina.fi",
    ]


@pytest.mark.parametrize("business_id", ["0133226-8", "1234567", "abc", ""])
def test_a_wrong_business_id_is_refused_and_nothing_is_saved(business_id):
    with pytest.raises(ValidationError) as refused:
        create(business_id=business_id)
    assert refused.value.code == AccountError.BUSINESS_ID
    assert "business ID" in refused.value.messages[0]
    assert not Organisation.objects.filter(slug="kaarina").exists()
    assert not EmailDomain.objects.filter(domain="kaarina.fi").exists()


def test_the_header_colour_must_leave_white_text_readable():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    validate_brand_colour("#0b4f6c")  # the service's own: about 8.6:1
    with pytest.raises(ValidationError) as light:
        validate_brand_colour("#ffcc00")  # yellow under white text: about 1.5:1
    assert light.value.code == AccountError.COLOUR_CONTRAST
    assert "4.5:1" in light.value.messages[0]
    with pytest.raises(ValidationError) as malformed:
        validate_brand_colour("blue")
    assert malformed.value.code == AccountError.COLOUR_FORMAT


def test_a_light_brand_colour_saves_nothing():
    with pytest.raises(ValidationError) as refused:
        create(brand_colour="#7fb2e5")
    assert "brand_colour" in refused.value.message_dict
    assert not Organisation.objects.filter(slug="kaarina").exists()


def test_a_domain_of_another_organisation_is_refused_by_name():
    other_organisation(1, domains=["raisio.fi"])
    with pytest.raises(ValidationError) as refused:
        create(domains=["kaarina.fi", "RAISIO.fi"])
    assert refused.value.message_dict["domains"] == [
        "The email domain raisio.fi already belongs to another organisation."
    ]
    assert not Organisation.objects.filter(slug="kaarina").exists()


# --- the command and the admin ----------------------------------------------------------------


def test_the_command_adds_an_organisation_to_the_running_service(capsys):
    call_command(
        "organisation_add",
        "--name=Hyvinvointialue",
        "--slug=varha",
        "--kind=wellbeing_county",
        "--business-id=3221331-8",
        "--domain=varha.fi",
    )
    varha = Organisation.objects.get(slug="varha")
    assert varha.kind == Organisation.Kind.WELLBEING_COUNTY
    assert "Added Hyvinvointialue (3221331-8)." in capsys.readouterr().out


def test_the_command_explains_a_refusal():
    with pytest.raises(CommandError, match="business ID"):
        call_command("organisation_add", "--name=X", "--slug=x", "--kind=other", "--business-id=1")
    assert not Organisation.objects.filter(slug="x").exists()


def test_only_the_service_administrators_manage_organisations(client):
    coordinator = UserFactory(is_staff=True)
    client.force_login(coordinator)
    assert client.get("/admin/kierratys/organisation/").status_code == 403
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/kierratys/organisation/").status_code == 200


def test_the_admin_refuses_a_domain_another_organisation_has(client):
    other_organisation(1, domains=["raisio.fi"])
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/kierratys/organisation/add/",
        {
            "name": "Kaarina",
            "slug": "kaarina",
            "kind": "municipality",
            "business_id": "0133226-9",
            "languages": '["fi", "sv"]',
            "brand_colour": "#0b4f6c",
            "impact_overrides": "{}",
            "department_days": 7,
            "organisation_days": 14,
            "partner_days": 14,
            "is_active": "on",
            "email_domains-TOTAL_FORMS": 1,
            "email_domains-INITIAL_FORMS": 0,
            "email_domains-0-domain": " Raisio.FI ",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "already belongs to another organisation" in response.text
    assert not Organisation.objects.filter(slug="kaarina").exists()


# --- sign-up follows the address's organisation -----------------------------------------------


def test_an_address_signs_up_only_to_a_unit_of_its_own_organisation(client):
    raisio = other_organisation(2, domains=["raisio.example"])
    turku_unit = UnitFactory()  # the default organisation's
    response = client.post(
        reverse("signup"),
        {
            "email": "maija@raisio.example",
            "full_name": "Maija",
            "phone": "040 1",
            "unit": turku_unit.pk,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Choose a unit of your own organisation (Kunta 2)." in response.text
    assert not User.objects.filter(email="maija@raisio.example").exists()

    own_unit = UnitFactory(department=DepartmentFactory(organisation=raisio))
    response = client.post(
        reverse("signup"),
        {
            "email": "maija@raisio.example",
            "full_name": "Maija",
            "phone": "040 1",
            "unit": own_unit.pk,
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="maija@raisio.example").unit == own_unit


# --- an installation from before organisations ------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_existing_departments_become_the_citys_organisation(settings):
    settings.SIGNUP_EMAIL_DOMAINS = ["turku.example"]
    executor = MigrationExecutor(connection)
    before = [("kierratys", "0006_names_in_swedish_and_english")]
    after = [("kierratys", "0007_organisations")]
    executor.migrate(before)
    old = MigrationExecutor(connection).loader.project_state(before).apps
    old.get_model("kierratys", "Department").objects.create(name="Kasvatus", code="KASVO")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    department = new.get_model("kierratys", "Department").objects.get(code="KASVO")
    organisation = new.get_model("kierratys", "Organisation").objects.get()
    assert department.organisation_id == organisation.pk
    assert (organisation.name, organisation.name_sv) == ("Turku", "Åbo")
    assert list(organisation.email_domains.values_list("domain", flat=True)) == ["turku.example"]

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to today for the next tests


# --- coordinators manage their own organisation only ------------------------------------------


def test_a_coordinator_sees_and_manages_only_their_own_organisation(client):
    coordinator = UserFactory(roles=[COORDINATOR], is_staff=True)
    own = UnitFactory(name="Oma koulu")
    elsewhere = UnitFactory(
        name="Naapurin koulu", department=DepartmentFactory(organisation=other_organisation(3))
    )
    stranger = UserFactory(unit=elsewhere, full_name="Naapurin Nina")
    client.force_login(coordinator)

    units = client.get("/admin/kierratys/unit/").text
    assert "Oma koulu" in units and "Naapurin koulu" not in units
    people = client.get("/admin/kierratys/user/").text
    assert "Naapurin Nina" not in people
    # Another organisation's unit or person by id: not there for them.
    assert client.get(f"/admin/kierratys/unit/{elsewhere.pk}/change/").status_code == 302
    assert client.get(f"/admin/kierratys/user/{stranger.pk}/change/").status_code == 302
    # A new unit can only go under their own organisation's departments.
    form = client.get("/admin/kierratys/unit/add/").text
    assert own.department.name in form and elsewhere.department.name not in form
    # And the rule holds in the service too, whatever calls it.
    with pytest.raises(ValidationError) as refused:
        services.user_set_active(actor=coordinator, user=stranger, active=False)
    assert refused.value.code == AccountError.FORBIDDEN
    stranger.refresh_from_db()
    assert stranger.is_active


def test_pages_name_the_persons_own_organisation_and_its_support(client):
    raisio = other_organisation(4, name="Raisio", support_email="tuki@raisio.example")
    person = UserFactory(unit=UnitFactory(department=DepartmentFactory(organisation=raisio)))
    client.force_login(person)
    page = client.get("/listings/").text
    header = page.split("</header>")[0]
    assert "Raisio" in header and "Turku" not in header
    assert "tuki@raisio.example" in page


def test_the_header_wears_the_organisations_brand_colour(client):
    raisio = other_organisation(5, name="Raisio", brand_colour="#6b2c5f")
    client.force_login(
        UserFactory(unit=UnitFactory(department=DepartmentFactory(organisation=raisio)))
    )
    head = client.get("/listings/").text.split("</head>")[0]
    link = f"/organisations/{raisio.slug}/brand.css?c=6b2c5f"
    assert link in head
    assert "public" in client.get(link)["Cache-Control"]  # nobody's own: cached, signed in too
    client.logout()
    style = client.get(link)
    assert style["Content-Type"].startswith("text/css")
    assert ":root { --brand: #6b2c5f; }" in style.text
    assert "public" in style["Cache-Control"]
    assert client.get("/organisations/nobody/brand.css").status_code == 404


def test_the_header_shows_the_organisations_logo_in_place_of_the_services(client):
    from django.core.files.base import ContentFile

    from ..images import jpeg_bytes

    raisio = other_organisation(6, name="Raisio")
    raisio.logo.save("raisio.jpg", ContentFile(jpeg_bytes()), save=True)
    client.force_login(
        UserFactory(unit=UnitFactory(department=DepartmentFactory(organisation=raisio)))
    )
    header = client.get("/listings/").text.split("</header>")[0]
    # Local media or a signed S3 address (signed anew for each page): the logo's own file.
    assert 'class="org-logo" src="' in header and "organisations/raisio" in header
    assert "img/logo.svg" not in header
    client.force_login(UserFactory())  # the default organisation has no logo
    assert "img/logo.svg" in client.get("/listings/").text.split("</header>")[0]
