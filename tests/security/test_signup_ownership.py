"""Only the owner of an address chooses its password, name and unit.

Before, the sign-up form took a password: anyone could pre-register a colleague's
address, and once the colleague opened the link the account was the attacker's.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from kierratys.accounts.models import User

from ..conftest import needs_postgres
from ..factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

VICTIM = "maija.meikalainen@demo.example"
ATTACKER_PASSWORD = "hyokkaajan-oma-salasana-77"
OWNER_PASSWORD = "maijan-oma-tuoli-salasana-31"


def sign_up(client, *, email=VICTIM, name="Hyökkääjä", unit=None, password=ATTACKER_PASSWORD):
    unit = unit or UnitFactory()
    return client.post(
        reverse("signup"),
        {
            "email": email,
            "full_name": name,
            "phone": "",
            "unit": unit.pk,
            # The old form took these; the new one must ignore them.
            "password1": password,
            "password2": password,
        },
    )


def links_in(message) -> list[str]:
    return re.findall(r"https?://[^/\s]+(/accounts/verify/\S+/)", message.body)


def newest_link(to=VICTIM) -> str:
    mine = [m for m in mail.outbox if m.to == [to] and links_in(m)]
    return links_in(mine[-1])[0]


def owner_opens(client, path, *, name="Maija Meikäläinen", unit=None, password=OWNER_PASSWORD):
    """The owner follows the link; where a form asks, they give their own details."""
    page = client.get(path)
    if page.status_code != 200:
        return page
    data = {"full_name": name, "phone": "", "password1": password, "password2": password}
    if unit is not None:
        data["unit"] = unit.pk
    else:
        data["unit"] = page.context["form"]["unit"].value()
    return client.post(path, data)


def can_sign_in(client, password, email=VICTIM) -> bool:
    client.post(reverse("login"), {"username": email, "password": password})
    signed_in = "_auth_user_id" in client.session
    client.logout()
    return signed_in


@pytest.mark.parametrize(
    "attacker_password", [ATTACKER_PASSWORD, "Tuoli-2024-kevat!", "x" * 40 + "-9"]
)
def test_the_attackers_password_never_opens_the_owners_account(
    client, run_tasks, attacker_password
):
    sign_up(client, password=attacker_password)
    run_tasks()
    owner_unit = UnitFactory()
    owner_opens(client, newest_link(), unit=owner_unit)
    user = User.objects.get(email=VICTIM)
    assert not can_sign_in(client, attacker_password)
    assert can_sign_in(client, OWNER_PASSWORD)
    assert user.is_active
    assert user.unit == owner_unit
    assert user.full_name == "Maija Meikäläinen"


def test_opening_the_link_alone_activates_nothing(client, run_tasks):
    """Mail scanners and link previews open links too: only the owner's form activates."""
    sign_up(client)
    run_tasks()
    path = newest_link()
    page = client.get(path)
    assert page.status_code == 200
    assert 'name="password1"' in page.text
    assert not User.objects.get(email=VICTIM).is_active
    assert client.get(path).status_code == 200  # still usable by the owner


def test_the_verification_page_shows_the_details_to_confirm(client, run_tasks):
    unit = UnitFactory(name="Ruusukorttelin koulu")
    sign_up(client, name="Joku Muu", unit=unit)
    run_tasks()
    page = client.get(newest_link(), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert 'value="Joku Muu"' in page.text  # the owner sees what was given, and can change it
    assert page.context["form"]["unit"].value() == unit.pk


@pytest.mark.parametrize(
    "passwords",
    [("", ""), ("12345678", "12345678"), (OWNER_PASSWORD, OWNER_PASSWORD + "x")],
    ids=["empty", "common", "mismatch"],
)
def test_the_owner_must_choose_a_valid_password(client, run_tasks, passwords):
    sign_up(client)
    run_tasks()
    path = newest_link()
    page = client.get(path)
    response = client.post(
        path,
        {
            "full_name": "Maija",
            "phone": "",
            "unit": page.context["form"]["unit"].value(),
            "password1": passwords[0],
            "password2": passwords[1],
        },
    )
    assert response.status_code == 200
    assert "error-summary" in response.text
    assert not User.objects.get(email=VICTIM).is_active


def test_an_unverified_sign_up_does_not_block_the_owner(client, run_tasks):
    sign_up(client, name="Hyökkääjä", unit=UnitFactory())
    run_tasks()
    owner_unit = UnitFactory()
    response = sign_up(client, name="Maija Meikäläinen", unit=owner_unit)
    run_tasks()
    assert response.status_code == 302
    # The owner gets a fresh link, and it carries the latest details, not the earlier ones.
    path = newest_link()
    page = client.get(path)
    assert page.status_code == 200
    assert 'value="Maija Meikäläinen"' in page.text
    assert page.context["form"]["unit"].value() == owner_unit.pk
    owner_opens(client, path)
    user = User.objects.get(email=VICTIM)
    assert (user.is_active, user.unit, user.full_name) == (True, owner_unit, "Maija Meikäläinen")
    assert User.objects.filter(email=VICTIM).count() == 1


def test_a_verified_account_is_left_alone(client, run_tasks):
    owner = UserFactory(email=VICTIM, full_name="Maija")
    before = (owner.password, owner.unit_id, owner.full_name)
    response = sign_up(client)
    run_tasks()
    assert response.status_code == 302  # the same answer as a new address
    owner.refresh_from_db()
    assert (owner.password, owner.unit_id, owner.full_name) == before
    assert [m.to for m in mail.outbox] == [[VICTIM]]
    assert links_in(mail.outbox[0]) == []


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_sign_ups_racing_for_a_new_address_make_one_pending_account_and_no_error():
    from kierratys.accounts import services as account_services

    from ..support.threads import race

    units = [UnitFactory(), UnitFactory()]
    for _round in range(5):
        User.objects.filter(email="kilpa@demo.example").delete()
        _results, errors = race(
            [
                lambda unit=unit: account_services.user_sign_up(
                    email="kilpa@demo.example",
                    full_name="Kilpa Ilija",
                    phone="",
                    unit=unit,
                    language="fi",
                )
                for unit in units
            ]
        )
        assert errors == []
        account = User.objects.get(email="kilpa@demo.example")
        assert not account.is_active and account.email_verified_at is None
