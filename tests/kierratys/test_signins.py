"""Signing in and out: what is recorded, and ending a user's sessions (issue 18)."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kierratys.accounts import selectors, services
from kierratys.accounts.models import SignInMethod, User, UserSession
from kierratys.accounts.roles import COORDINATOR

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(user, agent="Firefox/130") -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def session_key_of(client: Client) -> str:
    return client.cookies["sessionid"].value


def signed_in(client: Client) -> bool:
    return client.get(reverse("profile")).status_code == 200


def test_a_password_sign_in_records_its_method_time_and_session():
    user = UserFactory(language="sv")
    before = timezone.now()
    client = sign_in(user)
    user.refresh_from_db()
    assert user.last_sign_in_method == SignInMethod.PASSWORD
    assert user.last_sign_in_provider == ""
    assert user.last_login >= before
    session = UserSession.objects.get(user=user)
    assert session.session_key == session_key_of(client)
    assert Session.objects.filter(session_key=session.session_key).exists()
    assert (session.method, session.provider_name) == ("password", "")
    assert session.user_agent == "Firefox/130"
    assert client.cookies["django_language"].value == "sv"  # as before: the account's language
    assert signed_in(client)


@pytest.mark.parametrize("same_user", [True, False])
def test_a_sign_in_on_a_signed_in_session_leaves_one_row_for_it(rf, same_user):
    """Single sign-on on a browser signed in already: the same person's session is kept
    (now recorded as single sign-on); another person's is replaced by a new one."""
    from django.contrib.sessions.backends.db import SessionStore

    first_user = UserFactory()
    user = first_user if same_user else UserFactory()
    first = session_key_of(sign_in(first_user))
    request = rf.post("/")
    request.session, request.user = SessionStore(first), first_user
    services.user_signed_in(request=request, user=user, method="sso", provider_name="IdP")
    assert (request.session.session_key == first) is same_user
    assert list(UserSession.objects.values_list("session_key", "user", "method")) == [
        (request.session.session_key, user.pk, "sso")
    ]
    assert Session.objects.filter(session_key=first).exists() is same_user


def test_a_single_sign_on_records_the_providers_name(rf):
    from django.contrib.sessions.backends.db import SessionStore

    user = UserFactory()
    request = rf.post("/sso/callback/", HTTP_USER_AGENT="Safari")
    request.session = SessionStore()
    request.user = user
    services.user_signed_in(
        request=request,
        user=user,
        method="sso",
        provider_name=" Turun kaupunki (Entra ID) ",
        provider_session_id="idp-sid-1",
    )
    user.refresh_from_db()
    assert (user.last_sign_in_method, user.last_sign_in_provider) == (
        "sso",
        "Turun kaupunki (Entra ID)",
    )
    row = UserSession.objects.get(user=user)
    assert row.session_key == request.session.session_key
    assert Session.objects.filter(session_key=row.session_key).exists()
    assert (row.method, row.provider_name, row.provider_session_id) == (
        "sso",
        "Turun kaupunki (Entra ID)",
        "idp-sid-1",
    )
    keys = selectors.user_session_keys(provider_session_id="idp-sid-1")
    assert keys == [row.session_key]
    assert services.user_sessions_end(user=user, session_keys=keys) == 1
    assert not Session.objects.filter(session_key=row.session_key).exists()


def test_an_inactive_account_is_not_signed_in(rf):
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.exceptions import ValidationError

    user = UserFactory(is_active=False)
    request = rf.post("/")
    request.session = SessionStore()
    with pytest.raises(ValidationError):
        services.user_signed_in(request=request, user=user, method="sso", provider_name="IdP")
    assert not UserSession.objects.exists()
    assert request.session.get("_auth_user_id") is None


def test_ending_the_given_sessions_leaves_the_others_signed_in():
    user = UserFactory()
    phone, laptop, tablet = sign_in(user, "Phone"), sign_in(user, "Laptop"), sign_in(user, "Tab")
    other = UserFactory()
    others = sign_in(other)
    ended = services.user_sessions_end(
        user=user,
        # Someone else's key is never ended through this user, nor an unknown one.
        session_keys=[session_key_of(phone), session_key_of(laptop), session_key_of(others), "x"],
    )
    assert ended == 2
    assert not signed_in(phone) and not signed_in(laptop)
    assert signed_in(tablet) and signed_in(others)
    assert list(UserSession.objects.filter(user=user).values_list("user_agent", flat=True)) == [
        "Tab"
    ]


def test_ending_all_sessions_signs_the_user_out_everywhere():
    user = UserFactory()
    browsers = [sign_in(user), sign_in(user)]
    other = sign_in(UserFactory())
    assert services.user_sessions_end(user=user) == 2
    assert not any(signed_in(browser) for browser in browsers)
    assert signed_in(other)
    assert not UserSession.objects.filter(user=user).exists()
    assert services.user_sessions_end(user=user) == 0


def test_signing_out_removes_that_sessions_record_only():
    user = UserFactory()
    leaving, staying = sign_in(user), sign_in(user)
    key = session_key_of(leaving)
    response = leaving.post(reverse("logout"))
    assert response.status_code == 302
    assert not signed_in(leaving)
    assert not UserSession.objects.filter(session_key=key).exists()
    assert not Session.objects.filter(session_key=key).exists()
    assert UserSession.objects.filter(session_key=session_key_of(staying)).exists()
    assert signed_in(staying)


def test_deactivating_a_user_ends_their_sessions():
    user = UserFactory()
    coordinator = UserFactory(roles=[COORDINATOR], unit=user.unit)
    browser = sign_in(user)
    key = session_key_of(browser)
    services.user_set_active(actor=coordinator, user=user, active=False)
    assert not UserSession.objects.filter(user=user).exists()
    assert not Session.objects.filter(session_key=key).exists()
    assert not signed_in(browser)
    assert not User.objects.get(pk=user.pk).is_active


def test_the_admin_sign_in_and_out_are_recorded_too():
    coordinator = UserFactory(roles=[COORDINATOR], is_staff=True)
    client = Client()
    response = client.post(
        reverse("admin:login"),
        {"username": coordinator.email, "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    coordinator.refresh_from_db()
    assert coordinator.last_sign_in_method == "password"
    key = session_key_of(client)
    assert UserSession.objects.filter(user=coordinator, session_key=key).exists()
    assert client.get("/admin/").status_code == 200
    client.post(reverse("admin:logout"))
    assert not UserSession.objects.filter(session_key=key).exists()
    assert not signed_in(client)


def test_changing_the_password_keeps_this_session_and_ends_the_others():
    user = UserFactory()
    here, elsewhere = sign_in(user, "Here"), sign_in(user, "Elsewhere")
    old_key = session_key_of(here)
    response = here.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "uusi-salasana-tuoli-7",
            "new_password2": "uusi-salasana-tuoli-7",
        },
    )
    assert response.status_code == 302
    assert signed_in(here) and not signed_in(elsewhere)
    assert session_key_of(here) != old_key
    assert list(UserSession.objects.filter(user=user).values_list("session_key", "user_agent")) == [
        (session_key_of(here), "Here")
    ]


def test_a_password_reset_ends_every_session(run_tasks):
    from django.core import mail

    user = UserFactory()
    browser = sign_in(user)
    Client().post(reverse("password_reset"), {"email": user.email})
    run_tasks()
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[-1].body).group(1)
    resetter = Client()
    resetter.post(
        resetter.get(link)["Location"],
        {"new_password1": "uusi-salasana-tuoli-7", "new_password2": "uusi-salasana-tuoli-7"},
    )
    user.refresh_from_db()
    assert user.check_password("uusi-salasana-tuoli-7")
    assert not signed_in(browser)
    assert not UserSession.objects.filter(user=user).exists()


def _admin_change(client, user, **changes):
    url = reverse("admin:kierratys_user_change", args=[user.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.pop("password", None)
    data.update({"unit": user.unit_id, "roles": [], "language": ""} | changes)
    if not data.get("is_active"):
        data.pop("is_active", None)  # an unticked box is not sent
    return client.post(url, data)


def test_switching_an_account_off_in_its_admin_form_ends_its_sessions():
    coordinator = UserFactory(roles=[COORDINATOR], is_staff=True)
    user = UserFactory(unit=coordinator.unit)
    browser = sign_in(user)
    admin = Client()
    admin.force_login(coordinator)
    response = _admin_change(admin, user, is_active=False)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not User.objects.get(pk=user.pk).is_active
    assert not signed_in(browser)
    assert not UserSession.objects.filter(user=user).exists()


def test_nobody_switches_their_own_account_off_in_the_admin_form():
    coordinator = UserFactory(roles=[COORDINATOR], is_staff=True)
    admin = Client(HTTP_ACCEPT_LANGUAGE="en")
    admin.force_login(coordinator)
    response = _admin_change(admin, coordinator, is_active=False, roles=[COORDINATOR])
    assert response.status_code == 200
    assert "You cannot deactivate your own account." in response.text
    assert User.objects.get(pk=coordinator.pk).is_active


def test_the_periodic_jobs_remove_expired_sessions_and_their_records():
    from datetime import timedelta

    from kierratys.management.jobs import periodic_jobs_run

    user = UserFactory()
    expired, living = sign_in(user), sign_in(user)
    Session.objects.filter(session_key=session_key_of(expired)).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    assert periodic_jobs_run()["sign-in sessions removed"] == 1
    assert not Session.objects.filter(session_key=session_key_of(expired)).exists()
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [
        session_key_of(living)
    ]
    assert signed_in(living)
