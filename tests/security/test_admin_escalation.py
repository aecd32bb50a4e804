"""Coordinators manage users in the admin, but never above their own level.

Before, a coordinator (admin access, not superuser) could set a superuser's password in
the admin, or change its email address and reset the password, and so become superuser.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from kierratys.accounts.models import User
from kierratys.accounts.roles import COORDINATOR, STAFF, WAREHOUSE

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "coordinator-chose-this-9"


@pytest.fixture
def superuser():
    return UserFactory(email="root@demo.example", is_staff=True, is_superuser=True)


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def change_url(user):
    return reverse("admin:kierratys_user_change", args=[user.pk])


def password_url(user):
    return reverse("admin:auth_user_password_change", args=[user.pk])


def form_data(client, user, **changes):
    """What the admin's change form would post for `user`, with `changes` on top."""
    page = client.get(change_url(user))
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled or name == "password":
            continue
        value = form.initial.get(name)
        if value is None:
            continue
        if name in ("is_active", "is_superuser", "is_staff"):
            if value:
                data[name] = "on"
            continue
        if hasattr(value, "pk"):
            value = value.pk
        data[name] = value
    data.update(changes)
    return data


def test_superusers_are_not_listed_for_coordinators(coordinator_client, superuser):
    page = coordinator_client.get(reverse("admin:kierratys_user_changelist"))
    assert page.status_code == 200
    assert superuser.email not in page.text
    search = coordinator_client.get(reverse("admin:kierratys_user_changelist") + "?q=root")
    assert superuser.email not in search.text


@pytest.mark.parametrize("method", ["get", "post"])
def test_coordinator_cannot_set_a_superusers_password(
    client, coordinator_client, superuser, method
):
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    call = getattr(coordinator_client, method)
    response = call(password_url(superuser), data if method == "post" else None)
    assert response.status_code in (403, 404)
    superuser.refresh_from_db()
    assert superuser.check_password(PASSWORD)
    assert not superuser.check_password(NEW_PASSWORD)
    client.logout()
    client.post(reverse("login"), {"username": superuser.email, "password": NEW_PASSWORD})
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "changes",
    [
        {"email": "mine@demo.example"},  # then a password reset to my own mailbox
        {"full_name": "Renamed"},
        {"is_active": ""},
        {"roles": [WAREHOUSE]},
    ],
    ids=["email", "name", "deactivate", "roles"],
)
def test_coordinator_cannot_change_a_superuser(coordinator_client, superuser, changes):
    page = coordinator_client.get(change_url(superuser))
    assert page.status_code in (302, 403, 404)
    data = {
        "email": superuser.email,
        "full_name": superuser.full_name,
        "unit": superuser.unit_id,
        "language": "",
        "is_active": "on",
        **changes,
    }
    coordinator_client.post(change_url(superuser), data)
    fresh = User.objects.get(pk=superuser.pk)
    assert (fresh.email, fresh.full_name, fresh.is_active, fresh.is_superuser) == (
        superuser.email,
        superuser.full_name,
        True,
        True,
    )


@pytest.mark.parametrize("action", ["deactivate", "activate"])
def test_coordinator_actions_skip_superusers(coordinator_client, superuser, action):
    start_active = action == "deactivate"
    User.objects.filter(pk=superuser.pk).update(is_active=start_active)
    coordinator_client.post(
        reverse("admin:kierratys_user_changelist"),
        {"action": action, "_selected_action": [superuser.pk]},
    )
    superuser.refresh_from_db()
    assert superuser.is_active is start_active


@pytest.mark.parametrize("target", ["self", "other"])
@pytest.mark.parametrize(
    "flags",
    [
        {"is_superuser": "on"},
        {"is_staff": "on"},
        {"groups": "__admins__"},
        {"user_permissions": "__all__"},
    ],
    ids=["superuser", "staff", "groups", "permissions"],
)
def test_coordinator_cannot_set_flags_or_extra_rights(
    coordinator_client, coordinator, target, flags
):
    user = coordinator if target == "self" else UserFactory()
    admins = Group.objects.create(name="admins")
    admins.permissions.set(Permission.objects.all())
    if flags.get("groups") == "__admins__":
        flags = {"groups": [admins.pk]}
    if flags.get("user_permissions") == "__all__":
        flags = {"user_permissions": list(Permission.objects.values_list("pk", flat=True))}
    roles = [COORDINATOR] if target == "self" else []
    data = form_data(coordinator_client, user, roles=roles, **flags)
    response = coordinator_client.post(change_url(user), data)
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_superuser
    assert user.is_staff is (target == "self")
    assert not user.groups.filter(name="admins").exists()
    assert not user.user_permissions.exists()
    expected = {STAFF, COORDINATOR} if target == "self" else {STAFF}
    assert set(user.groups.values_list("name", flat=True)) == expected


def test_a_superuser_still_manages_superusers(client, superuser):
    other = UserFactory(email="root2@demo.example", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    response = client.post(
        password_url(other),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.check_password(NEW_PASSWORD)
