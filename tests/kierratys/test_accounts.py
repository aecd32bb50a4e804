import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from kierratys.accounts.models import User
from kierratys.accounts.roles import STAFF

from ..factories import PASSWORD, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


NEW_PASSWORD = "vihrea-tuoli-kiertaa-42"


def signup_data(unit, **overrides):
    data = {
        "email": "Uusi.Kayttaja@demo.example",
        "full_name": "Uusi Käyttäjä",
        "phone": "040 123 4567",
        "unit": unit.pk,
    }
    data.update(overrides)
    return data


def verification_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/verify/\S+/)", message.body).group(1)


def verify(client, path, unit, password=NEW_PASSWORD, **headers):
    """The owner's half: confirm the details and choose the password on the link's page."""
    data = {
        "full_name": "Uusi Käyttäjä",
        "phone": "040 123 4567",
        "unit": unit.pk,
        "password1": password,
        "password2": password,
    }
    return client.post(path, data, **headers)


def test_login_with_email_and_password(client):
    user = UserFactory(email="liisa@demo.example")
    response = client.post(
        reverse("login"), {"username": "Liisa@Demo.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_gives_a_clear_message_in_finnish(client):
    UserFactory(email="liisa@demo.example")
    response = client.post(
        reverse("login"),
        {"username": "liisa@demo.example", "password": "wrong"},
        HTTP_ACCEPT_LANGUAGE="fi",
    )
    assert response.status_code == 200
    assert "Sähköpostiosoite tai salasana ei ole oikein" in response.text
    assert "_auth_user_id" not in client.session


def test_unknown_email_gives_the_same_message(client):
    response = client.post(reverse("login"), {"username": "nobody@demo.example", "password": "x"})
    assert response.status_code == 200
    assert "error-summary" in response.text


def test_logout_is_post_only(client, staff_user):
    client.force_login(staff_user)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_every_page_needs_login_except_public_ones(client):
    assert client.get(reverse("home")).status_code == 302
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))
    for public in ["login", "signup", "password_reset", "healthz"]:
        assert client.get(reverse(public)).status_code == 200, public


def test_sign_up_verify_and_log_in(client, run_tasks):
    unit = UnitFactory()
    response = client.post(reverse("signup"), signup_data(unit), HTTP_ACCEPT_LANGUAGE="sv")
    run_tasks()
    assert response.status_code == 302
    user = User.objects.get(email="uusi.kayttaja@demo.example")
    assert user.is_active is False
    assert user.unit == unit
    assert user.language == "sv"

    # The link is only in the email, never in a response.
    assert len(mail.outbox) == 1
    path = verification_path(mail.outbox[0])
    assert "Bekräfta" in mail.outbox[0].subject
    followed = client.get(response["Location"])
    assert "/accounts/verify/" not in followed.text

    # Inactive, and without a password, until the owner opens the link and chooses one.
    login = {"username": user.email, "password": NEW_PASSWORD}
    client.post(reverse("login"), login)
    assert "_auth_user_id" not in client.session
    assert not user.has_usable_password()

    page = client.get(path)
    assert page.status_code == 200
    assert "uusi.kayttaja@demo.example" in page.text
    response = verify(client, path, unit)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active
    assert user.groups.filter(name=STAFF).exists()
    assert client.post(reverse("login"), login).status_code == 302


def test_verification_link_works_only_once(client, run_tasks):
    unit = UnitFactory()
    client.post(reverse("signup"), signup_data(unit))
    run_tasks()
    path = verification_path(mail.outbox[0])
    assert verify(client, path, unit).status_code == 302
    for response in [
        client.get(path, HTTP_ACCEPT_LANGUAGE="en"),
        verify(client, path, unit, "toinen-salasana-tuoli-8", HTTP_ACCEPT_LANGUAGE="en"),
    ]:
        assert response.status_code == 400
        assert "invalid, expired or already used" in response.text
    assert User.objects.get().check_password(NEW_PASSWORD)


def test_expired_verification_link_is_refused(client, settings, run_tasks):
    client.post(reverse("signup"), signup_data(UnitFactory()))
    run_tasks()
    path = verification_path(mail.outbox[0])
    settings.PASSWORD_RESET_TIMEOUT = -1
    assert client.get(path).status_code == 400
    assert verify(client, path, UnitFactory()).status_code == 400
    assert not User.objects.get(email="uusi.kayttaja@demo.example").is_active


def test_tampered_verification_link_is_refused(client):
    assert client.get("/accounts/verify/Mw/abc-123/").status_code == 400
    assert client.get("/accounts/verify/%%%/abc/").status_code == 400


def test_sign_up_refuses_other_domains(client):
    response = client.post(
        reverse("signup"),
        signup_data(UnitFactory(), email="someone@gmail.com"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "only open to the email addresses of the organisations in the service" in response.text
    assert not User.objects.filter(email="someone@gmail.com").exists()
    assert mail.outbox == []


def test_verification_refuses_weak_password_and_keeps_values(client, run_tasks):
    unit = UnitFactory()
    client.post(reverse("signup"), signup_data(unit))
    run_tasks()
    path = verification_path(mail.outbox[0])
    response = verify(client, path, unit, "12345678", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "This password is too common" in response.text
    assert 'value="Uusi Käyttäjä"' in response.text
    assert not User.objects.get().is_active


def test_sign_up_keeps_values_when_a_field_is_missing(client):
    data = {**signup_data(UnitFactory()), "unit": ""}
    response = client.post(reverse("signup"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert 'value="Uusi Käyttäjä"' in response.text
    assert not User.objects.exists()


def test_sign_up_refuses_inactive_unit(client):
    unit = UnitFactory(is_active=False)
    response = client.post(reverse("signup"), signup_data(unit))
    assert response.status_code == 200
    assert not User.objects.exists()


def test_sign_up_with_registered_email_reveals_nothing(client, run_tasks):
    existing = UserFactory(email="uusi.kayttaja@demo.example")
    response = client.post(reverse("signup"), signup_data(UnitFactory()))
    run_tasks()
    assert response.status_code == 302  # same answer as a new sign-up
    assert User.objects.count() == 1
    assert mail.outbox[0].to == [existing.email]
    assert "/accounts/verify/" not in mail.outbox[0].body


def test_password_reset_by_email(client, run_tasks):
    user = UserFactory(email="liisa@demo.example")
    client.post(reverse("password_reset"), {"email": "liisa@demo.example"})
    run_tasks()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    response = client.post(
        form_url,
        {"new_password1": "uusi-salasana-tuoli-7", "new_password2": "uusi-salasana-tuoli-7"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("uusi-salasana-tuoli-7")


def test_deactivated_user_cannot_log_in_or_reset(client, coordinator, run_tasks):
    from kierratys.accounts import services

    user = UserFactory(email="lahtija@demo.example")
    services.user_set_active(actor=coordinator, user=user, active=False)
    client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    client.post(reverse("password_reset"), {"email": user.email})
    run_tasks()
    assert mail.outbox == []


def test_deactivated_user_is_logged_out_of_existing_sessions(client, coordinator):
    from kierratys.accounts import services

    user = UserFactory()
    client.force_login(user)
    services.user_set_active(actor=coordinator, user=user, active=False)
    assert client.get(reverse("home")).status_code == 302


def test_login_is_throttled_after_five_failures(client):
    user = UserFactory(email="liisa@demo.example")
    for _ in range(5):
        client.post(reverse("login"), {"username": user.email, "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": user.email, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.text
    assert "_auth_user_id" not in client.session


def test_throttling_is_per_account(client):
    UserFactory(email="liisa@demo.example")
    other = UserFactory(email="ville@demo.example")
    for _ in range(5):
        client.post(reverse("login"), {"username": "liisa@demo.example", "password": "wrong"})
    response = client.post(reverse("login"), {"username": other.email, "password": PASSWORD})
    assert response.status_code == 302


def test_new_verified_user_gets_the_staff_role(client, run_tasks):
    unit = UnitFactory()
    client.post(reverse("signup"), signup_data(unit))
    run_tasks()
    verify(client, verification_path(mail.outbox[0]), unit)
    user = User.objects.get()
    assert list(user.groups.values_list("name", flat=True)) == [STAFF]
    assert Group.objects.filter(name=STAFF).exists()


def test_verification_mail_is_retried_when_sending_fails(client, run_tasks, settings):
    """A mail server outage does not lose the mail: the worker tries again later."""
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    working_backend = settings.EMAIL_BACKEND
    # A real SMTP client whose server refuses the connection (nothing listens on port 9).
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    response = client.post(reverse("signup"), signup_data(UnitFactory()))
    assert response.status_code == 302  # the sign-up itself succeeded
    run_tasks()
    assert mail.outbox == []
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.run_after > timezone.now()
    settings.EMAIL_BACKEND = working_backend  # the mail server is back
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now() - timedelta(seconds=1))
    run_tasks()
    assert len(mail.outbox) == 1
