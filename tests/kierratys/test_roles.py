import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from kierratys.accounts import services
from kierratys.accounts.roles import COORDINATOR, STAFF, WAREHOUSE

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def test_roles_exist_with_permissions():
    coordinator = Group.objects.get(name=COORDINATOR)
    perms = set(coordinator.permissions.values_list("codename", flat=True))
    assert {"change_unit", "add_department", "change_user"} <= perms
    assert Group.objects.filter(name__in=[STAFF, WAREHOUSE]).count() == 2


def test_coordinator_sets_roles_and_gets_admin_access(coordinator):
    user = UserFactory()
    services.user_set_roles(actor=coordinator, user=user, roles=[COORDINATOR])
    user.refresh_from_db()
    assert set(user.groups.values_list("name", flat=True)) == {STAFF, COORDINATOR}
    assert user.is_staff
    services.user_set_roles(actor=coordinator, user=user, roles=[WAREHOUSE])
    user.refresh_from_db()
    assert set(user.groups.values_list("name", flat=True)) == {STAFF, WAREHOUSE}
    assert not user.is_staff


def test_unknown_role_is_refused(coordinator):
    user = UserFactory()
    with pytest.raises(ValidationError):
        services.user_set_roles(actor=coordinator, user=user, roles=["superhero"])
    assert set(user.groups.values_list("name", flat=True)) == {STAFF}


def test_coordinator_cannot_lock_themselves_out(coordinator):
    with pytest.raises(ValidationError):
        services.user_set_active(actor=coordinator, user=coordinator, active=False)
    with pytest.raises(ValidationError):
        services.user_set_roles(actor=coordinator, user=coordinator, roles=[])
    coordinator.refresh_from_db()
    assert coordinator.is_active


def nav_keys(response) -> list[str]:
    import re

    return re.findall(r'data-nav="([a-z_]+)"', response.text)


def test_navigation_follows_the_role(client):
    staff = UserFactory()
    warehouse = UserFactory(roles=[WAREHOUSE])
    coordinator = UserFactory(roles=[COORDINATOR], is_staff=True)
    client.force_login(staff)
    staff_nav = nav_keys(client.get(reverse("listings:catalogue")))
    client.force_login(warehouse)
    warehouse_nav = nav_keys(client.get(reverse("listings:catalogue")))
    client.force_login(coordinator)
    coordinator_nav = nav_keys(client.get(reverse("listings:catalogue")))
    assert "warehouse" not in staff_nav and "warehouse" in warehouse_nav
    assert set(staff_nav) <= set(warehouse_nav)
    assert "warehouse" not in coordinator_nav
    assert set(staff_nav) <= set(coordinator_nav)
    assert {"catalogue", "new_listing", "our_listings", "reservations", "reports"} <= set(staff_nav)


def test_coordinator_manages_users_in_admin(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("admin:kierratys_user_changelist")).status_code == 200
    assert client.get(reverse("admin:kierratys_unit_changelist") + "?q=koulu").status_code == 200
    user = UserFactory()
    response = client.post(
        reverse("admin:kierratys_user_changelist"),
        {"action": "deactivate", "_selected_action": [user.pk]},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active


def test_coordinator_sets_roles_in_admin(client, coordinator):
    client.force_login(coordinator)
    user = UserFactory()
    url = reverse("admin:kierratys_user_change", args=[user.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(unit=user.unit_id, roles=[WAREHOUSE], is_active="on", date_joined_0="", language="")
    data.pop("groups", None)
    data.pop("user_permissions", None)
    data.pop("last_login", None)
    data.pop("email_verified_at", None)
    data.pop("date_joined", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert set(user.groups.values_list("name", flat=True)) == {STAFF, WAREHOUSE}


@pytest.mark.parametrize(
    "url",
    ["admin:index", "admin:login", "admin:kierratys_user_changelist", "admin:app_list"],
)
def test_signed_in_users_without_admin_access_get_the_friendly_403(client, staff_user, url):
    client.force_login(staff_user)
    path = reverse(url, kwargs={"app_label": "kierratys"} if url == "admin:app_list" else None)
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "No access" in response.text and "ask your coordinator" in response.text
    assert 'name="password"' not in response.text  # not the admin's sign-in form
    assert "log in to a different account" not in response.text.lower()


def test_anonymous_visitors_are_still_asked_to_sign_in_to_the_admin(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert client.get(reverse("admin:login")).status_code == 200


def test_coordinators_still_open_the_admin(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:login")).status_code == 302  # signed in already


def test_forbidden_and_missing_pages_explain_themselves(client, staff_user):
    client.force_login(staff_user)
    forbidden = client.get("/inventory/", HTTP_ACCEPT_LANGUAGE="en")
    assert forbidden.status_code == 403 and "No access" in forbidden.text
    missing = client.get("/listings/999999/", HTTP_ACCEPT_LANGUAGE="sv")
    assert missing.status_code == 404 and "Sidan hittades inte" in missing.text
