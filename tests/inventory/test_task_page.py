"""The task page offers exactly the steps the task's state machine allows, and only to
warehouse staff: one rule (inventory.permissions.task_steps), not a copy in the template."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory.models import Task
from kierratys.accounts.roles import WAREHOUSE

from ..factories import TaskFactory, UserFactory

pytestmark = pytest.mark.django_db

FORMS = {
    "schedule": "schedule",
    "start": "start",
    "shelve": "shelve",
    "deliver": "deliver",
    "dispose": "dispose",
    "cancel": "cancel",
}


def offered(client, task) -> set[str]:
    page = client.get(task.get_absolute_url()).text
    return {
        step for step in FORMS if reverse("inventory:task_action", args=[task.pk, step]) in page
    }


@pytest.mark.parametrize(
    ("kind", "status", "steps"),
    [
        (Task.Kind.INTAKE, Task.Status.OPEN, {"schedule", "cancel"}),
        (Task.Kind.INTAKE, Task.Status.SCHEDULED, {"schedule", "start", "cancel"}),
        (Task.Kind.INTAKE, Task.Status.IN_PROGRESS, {"shelve", "cancel"}),
        (Task.Kind.DELIVERY, Task.Status.IN_PROGRESS, {"deliver", "cancel"}),
        (Task.Kind.DISPOSAL, Task.Status.OPEN, {"schedule", "dispose", "cancel"}),
        (Task.Kind.INTAKE, Task.Status.DONE, set()),
        (Task.Kind.INTAKE, Task.Status.CANCELLED, set()),
    ],
)
def test_staff_see_the_steps_the_state_allows(client, kind, status, steps):
    day = timezone.localdate() + timedelta(days=1)
    task = TaskFactory(kind=kind, status=status, date=day if status != "open" else None)
    client.force_login(UserFactory(roles=[WAREHOUSE]))
    assert offered(client, task) == steps


def test_the_unit_that_asked_sees_the_task_but_no_warehouse_steps(client):
    task = TaskFactory(status=Task.Status.SCHEDULED, date=timezone.localdate())
    client.force_login(UserFactory(unit=task.listing.owner_unit))
    task.from_unit = task.listing.owner_unit
    task.save(update_fields=["from_unit"])
    assert client.get(task.get_absolute_url()).status_code == 200
    assert offered(client, task) == set()
