"""One account, one spelling: look-alike letters neither multiply the throttle nor the account.

PostgreSQL's case-insensitive lookup (UPPER) maps dotless ı and long ſ to I and S, so
these spellings reached the account while the throttle counted each of them apart:
5 x 2^n guesses for an address with n letters i or s. SQLite's lookup is ASCII-only, so
there the same spellings could sign up a second account beside the real one.
"""

import pytest
from django.core import mail
from django.urls import reverse

from kierratys.accounts.models import User

from ..factories import PASSWORD, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

ADDRESS = "kristiina.salo@demo.example"
LOOK_ALIKES = [
    "krıstiina.salo@demo.example",  # dotless i
    "kristıına.salo@demo.example",  # two of them
    "kristiina.ſalo@demo.example",  # long s
    "\u212aristiina.salo@demo.example",  # Kelvin sign for K
    "KRıSTıINA.ſALO@DEMO.EXAMPLE",  # mixed with capitals
    "Kristiina.Salo@DEMO.example",  # plain case, the baseline that always worked
    "kristiina.salo@demo.\uff45xample",  # full-width e in the domain
]


def sign_in(client, username, password):
    return client.post(
        reverse("login"), {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE="en"
    )


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def test_failures_in_any_spelling_count_against_the_one_account(client):
    UserFactory(email=ADDRESS)
    for spelling in LOOK_ALIKES[:5]:
        sign_in(client, spelling, "wrong-guess")
    response = sign_in(client, ADDRESS, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.text
    assert signed_in_as(client) is None


@pytest.mark.parametrize("spelling", LOOK_ALIKES)
def test_a_locked_account_stays_locked_in_every_spelling(client, spelling):
    UserFactory(email=ADDRESS)
    for _ in range(5):
        sign_in(client, ADDRESS, "wrong-guess")
    response = sign_in(client, spelling, PASSWORD)
    assert response.status_code == 429
    assert signed_in_as(client) is None


@pytest.mark.parametrize("spelling", LOOK_ALIKES)
def test_every_spelling_reaches_the_same_single_account(client, spelling):
    user = UserFactory(email=ADDRESS)
    response = sign_in(client, spelling, PASSWORD)
    assert response.status_code == 302
    assert signed_in_as(client) == str(user.pk)


@pytest.mark.parametrize("spelling", LOOK_ALIKES)
def test_sign_up_with_a_look_alike_creates_no_second_account(client, run_tasks, spelling):
    owner = UserFactory(email=ADDRESS)
    response = client.post(
        reverse("signup"),
        {
            "email": spelling,
            "full_name": "Joku Muu",
            "phone": "",
            "unit": UnitFactory().pk,
            # Ignored since sign-up stopped taking a password; accepted by the old form.
            "password1": "vihrea-tuoli-kiertaa-42",
            "password2": "vihrea-tuoli-kiertaa-42",
        },
    )
    run_tasks()
    assert response.status_code == 302  # the same answer as for a new address
    assert list(User.objects.values_list("pk", flat=True)) == [owner.pk]
    # Only the owner hears of it, at the address as registered.
    assert [m.to for m in mail.outbox] == [[ADDRESS]]
    assert "/accounts/verify/" not in mail.outbox[0].body


@pytest.mark.parametrize("spelling", LOOK_ALIKES)
def test_the_admin_sees_a_look_alike_as_the_same_address(client, spelling):
    owner = UserFactory(email=ADDRESS)
    root = UserFactory(email="root@demo.example", is_staff=True, is_superuser=True)
    client.force_login(root)
    client.post(
        reverse("admin:kierratys_user_add"),
        {
            "email": spelling,
            "full_name": "Kaksoisolento",
            "unit": UnitFactory().pk,
            "password1": "tuoli-salasana-987x",
            "password2": "tuoli-salasana-987x",
        },
    )
    assert set(User.objects.values_list("pk", flat=True)) == {owner.pk, root.pk}
