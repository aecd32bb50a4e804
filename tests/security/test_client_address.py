"""The throttle's client address behind proxies: X-Forwarded-For, rightmost minus PROXY_COUNT.

Before, PROXY_COUNT set an ipware option but ipware was not installed, so axes used
REMOTE_ADDR: behind a proxy everyone shared the proxy's address and five wrong
passwords locked the account for every user.
"""

import pytest
from django.urls import reverse

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ADDRESS = "liisa@demo.example"
PROXY = "10.0.0.2"


def sign_in(client, password, forwarded=None, remote=PROXY):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    response = client.post(reverse("login"), {"username": ADDRESS, "password": password}, **headers)
    signed_in = "_auth_user_id" in client.session
    client.logout()
    return response.status_code, signed_in


@pytest.mark.parametrize(
    ("count", "attacker", "colleague"),
    [
        (1, "198.51.100.7", "203.0.113.9"),
        (1, "192.0.2.1, 198.51.100.7", "192.0.2.1, 203.0.113.9"),  # same forged prefix
        (1, "2001:db8::1", "2001:db8::2"),
        (2, "198.51.100.7, 10.0.0.1", "203.0.113.9, 10.0.0.1"),
    ],
)
def test_behind_proxies_one_clients_failures_do_not_lock_out_another(
    client, settings, count, attacker, colleague
):
    settings.PROXY_COUNT = count
    UserFactory(email=ADDRESS)
    for _ in range(5):
        sign_in(client, "wrong-guess", attacker)
    assert sign_in(client, PASSWORD, attacker) == (429, False)
    assert sign_in(client, PASSWORD, colleague) == (302, True)


@pytest.mark.parametrize(
    ("count", "forged"),
    [
        (0, ["203.0.113.{n}", "203.0.113.{n}, 198.51.100.{n}"]),
        # Behind one proxy only the rightmost entry is the proxy's: what the client
        # writes to the left of it is ignored.
        (1, ["203.0.113.{n}, 198.51.100.7", "garbage-{n}, 198.51.100.7"]),
    ],
)
def test_a_forged_forwarded_for_does_not_escape_the_lock(client, settings, count, forged):
    settings.PROXY_COUNT = count
    UserFactory(email=ADDRESS)
    forwarded = [pattern.format(n=n) for n in range(1, 4) for pattern in forged]
    remote = "198.51.100.7" if count == 0 else PROXY
    for value in forwarded[:5]:
        sign_in(client, "wrong-guess", value, remote=remote)
    for value in forwarded:
        assert sign_in(client, PASSWORD, value, remote=remote) == (429, False), value


@pytest.mark.parametrize("forwarded", ["", "unknown", "not an address", " , ", "300.1.1.1"])
def test_a_broken_forwarded_for_falls_back_to_the_connection(client, settings, forwarded):
    settings.PROXY_COUNT = 1
    UserFactory(email=ADDRESS)
    for _ in range(5):
        sign_in(client, "wrong-guess", forwarded)
    # Locked for the proxy's own address, the one the broken header fell back to.
    assert sign_in(client, PASSWORD, None) == (429, False)


def test_the_password_reset_limit_uses_the_same_client_address(client, settings):
    settings.PROXY_COUNT = 1
    for n in range(settings.PASSWORD_RESET_LIMIT_PER_CLIENT):
        client.post(
            reverse("password_reset"),
            {"email": f"user{n}@demo.example"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
    blocked = client.post(
        reverse("password_reset"),
        {"email": "one.more@demo.example"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    other = client.post(
        reverse("password_reset"),
        {"email": "one.more@demo.example"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert (blocked.status_code, other.status_code) == (429, 302)
