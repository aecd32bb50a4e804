"""Sign-up takes plain work addresses only: no quoting, routing or look-alike tricks.

Django's EmailField accepts quoted local parts and `%` or `!` routing; a mail server of
the city's domain may forward such an address elsewhere, so a verification link could
reach someone who does not work for the city.
"""

import pytest
from django.core import mail
from django.urls import reverse

from kierratys.accounts.models import User

from ..factories import UnitFactory

pytestmark = pytest.mark.django_db

PLAIN_FORM = "Enter your work email address in its usual form"

ROUTING_TRICKS = [
    '"liisa"@demo.example',  # quoted local part
    '"liisa.virtanen"@demo.example',
    '"x@evil.example"@demo.example',  # quoted @: a second address inside
    "liisa%evil.example@demo.example",  # percent hack
    "evil.example!liisa@demo.example",  # bang path
    "liisa+evil@demo.example",  # sub-address: a second account for one mailbox
    "käyttäjä@demo.example",  # non-ASCII: the city's addresses are plain a-z
    "kristiina.s\u0430lo@demo.example",  # Cyrillic a
    ".liisa@demo.example",
    "liisa..virtanen@demo.example",
]
INVALID_OR_FOREIGN = [
    "@evil.example:liisa@demo.example",  # source route
    "liisa@[192.0.2.1]",  # IP literal
    "liisa@demo.example@evil.example",  # two @ signs
    "liisa@evil.example",
    "liisa@sub.demo.example",
    '"a b"@demo.example',
]


def sign_up(client, email):
    return client.post(
        reverse("signup"),
        {
            "email": email,
            "full_name": "Liisa Virtanen",
            "phone": "",
            "unit": UnitFactory().pk,
            "password1": "vihrea-tuoli-kiertaa-42",
            "password2": "vihrea-tuoli-kiertaa-42",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.mark.parametrize("email", ROUTING_TRICKS)
def test_routing_tricks_are_refused_with_a_clear_message(client, run_tasks, email):
    response = sign_up(client, email)
    run_tasks()
    assert response.status_code == 200
    assert PLAIN_FORM in response.text
    assert "firstname.lastname@demo.example" in response.text
    assert not User.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("email", INVALID_OR_FOREIGN)
def test_invalid_and_foreign_addresses_are_refused(client, run_tasks, email):
    response = sign_up(client, email)
    run_tasks()
    assert response.status_code == 200
    assert "error-summary" in response.text
    assert not User.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "email",
    [
        "Liisa.Virtanen@demo.example",
        "liisa-maria.o-virtanen@demo.example",
        "l_virtanen2@demo.example",
    ],
)
def test_ordinary_work_addresses_are_accepted(client, run_tasks, email):
    response = sign_up(client, email)
    run_tasks()
    assert response.status_code == 302
    assert User.objects.get().email == email.lower()
    assert mail.outbox[0].to == [email.lower()]
