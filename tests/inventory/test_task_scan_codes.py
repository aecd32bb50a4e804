"""The warehouse's task scan reads codes by the same rule as the handover (listings.codes)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from inventory import services
from inventory.models import Task
from kierratys.accounts.roles import WAREHOUSE

from ..factories import (
    ListingFactory,
    UserFactory,
    next_working_day,
    slot_for,
    warehouse_with_slots,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled():
    _warehouse, _shelves, slots = warehouse_with_slots()
    driver = UserFactory(roles=[WAREHOUSE])
    sofa = ListingFactory(title="Sohva", quantity=1)
    intake = services.intake_request(actor=UserFactory(unit=sofa.owner_unit), listing_id=sofa.pk)
    day = next_working_day()
    services.task_schedule(
        actor=driver, task_id=intake.pk, day=day, slot_id=slot_for(slots, day).pk
    )
    return driver, sofa, intake


@pytest.mark.parametrize("typed", ["k-{pk}", "{pk}", "K {pk}"])
def test_a_short_typed_code_starts_the_task(scheduled, typed):
    driver, sofa, intake = scheduled
    services.task_start(actor=driver, task_id=intake.pk, scanned_code=typed.format(pk=sofa.pk))
    intake.refresh_from_db()
    assert intake.status == Task.Status.IN_PROGRESS


def test_unknown_and_other_codes_are_told_apart(scheduled):
    driver, sofa, intake = scheduled
    other = ListingFactory()
    with translation.override("en"):
        with pytest.raises(ValidationError) as unknown:
            services.task_start(actor=driver, task_id=intake.pk, scanned_code="K-999999")
        with pytest.raises(ValidationError) as another:
            services.task_start(actor=driver, task_id=intake.pk, scanned_code=f"k-{other.pk}")
    assert "No item has this code." in unknown.value.message_dict["scanned_code"][0]
    assert "another item" in another.value.message_dict["scanned_code"][0]
    intake.refresh_from_db()
    assert intake.status == Task.Status.SCHEDULED
