"""A finished task says when it was done and by whom: the task page, the board's done column
and the run sheet ("Done 1.12.2026 at 14.05 by Name")."""

import importlib
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import formats, timezone, translation

from inventory import services
from inventory.models import Task
from kierratys.accounts.roles import WAREHOUSE
from reservations.models import Reservation

from ..factories import (
    ListingFactory,
    TaskFactory,
    UserFactory,
    next_working_day,
    reserve,
    slot_for,
    warehouse_with_slots,
)

pytestmark = pytest.mark.django_db
HELSINKI = ZoneInfo("Europe/Helsinki")
DONE_AT = datetime(2026, 12, 1, 14, 5, tzinfo=HELSINKI)


def shown(moment, language="fi") -> tuple[str, str]:
    """The day and time as the pages write them (kierratys/formats: 1.12.2026, 14:05)."""
    with translation.override(language):
        local = timezone.localtime(moment)
        return (
            formats.date_format(local, "SHORT_DATE_FORMAT"),
            formats.time_format(local, "TIME_FORMAT"),
        )


def says_done(text: str, moment, name: str | None) -> bool:
    day, time = shown(moment)
    return day in text and time in text and (name is None or name in text)


@pytest.fixture
def setup():
    warehouse, shelves, slots = warehouse_with_slots()
    driver = UserFactory(roles=[WAREHOUSE], full_name="Ville Varasto")
    return warehouse, shelves, slots, driver


def _shelved(setup):
    warehouse, shelves, slots, driver = setup
    sofa = ListingFactory(title="Sohva", quantity=1)
    intake = services.intake_request(actor=UserFactory(unit=sofa.owner_unit), listing_id=sofa.pk)
    day = next_working_day()
    services.task_schedule(
        actor=driver, task_id=intake.pk, day=day, slot_id=slot_for(slots, day).pk
    )
    services.task_start(actor=driver, task_id=intake.pk, scanned_code=sofa.code)
    services.intake_shelve(actor=driver, task_id=intake.pk, location_id=shelves[0].pk)
    intake.refresh_from_db()
    return intake, sofa, day


def _done_text(html: str, marker: str) -> str:
    found = re.search(rf'class="[^"]*{marker}[^"]*">(.*?)</', html, re.S)
    assert found, f"no {marker} on the page"
    return " ".join(found.group(1).split())


def test_the_services_that_finish_a_task_record_when_and_by_whom(setup):
    warehouse, shelves, slots, driver = setup
    before = timezone.now()
    intake, sofa, day = _shelved(setup)
    assert intake.status == Task.Status.DONE
    assert intake.completed_by == driver
    assert before <= intake.done_at <= timezone.now()

    reserver = UserFactory()
    reservation = reserve(sofa, user=reserver, handover=Reservation.Handover.DELIVERY)
    delivery = services.delivery_book(
        actor=reserver, reservation_id=reservation.pk, slot_id=slot_for(slots, day).pk, day=day
    )
    other_driver = UserFactory(roles=[WAREHOUSE])
    services.task_start(actor=other_driver, task_id=delivery.pk, scanned_code=sofa.code)
    services.delivery_complete(actor=other_driver, task_id=delivery.pk, scanned_code=sofa.code)
    delivery.refresh_from_db()
    assert delivery.completed_by == other_driver and delivery.done_at >= intake.done_at

    broken = ListingFactory(quantity=2)
    disposal = services.disposal_request(
        actor=driver, listing_id=broken.pk, quantity=1, reason="broken"
    )
    services.disposal_complete(actor=driver, task_id=disposal.pk)
    disposal.refresh_from_db()
    assert disposal.completed_by == driver and disposal.done_at is not None


def test_an_open_or_cancelled_task_has_no_done_time(setup):
    warehouse, shelves, slots, driver = setup
    task = TaskFactory(warehouse=warehouse)
    services.task_cancel(actor=driver, task_id=task.pk, reason="ei tarvita")
    task.refresh_from_db()
    assert task.done_at is None and task.completed_by is None


def test_task_page_board_and_run_sheet_say_when_it_was_done(setup, client):
    warehouse, shelves, slots, driver = setup
    intake, sofa, day = _shelved(setup)
    Task.objects.filter(pk=intake.pk).update(done_at=DONE_AT)
    client.force_login(driver)

    page = client.get(intake.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fi").text
    assert shown(DONE_AT)[0] == "1.12.2026"
    assert says_done(_done_text(page, "task-done-at"), DONE_AT, "Ville Varasto")

    board = client.get(reverse("inventory:board"), HTTP_ACCEPT_LANGUAGE="fi").text
    done_column = board[board.index('id="col-done"') :]
    assert sofa.title in done_column
    assert says_done(_done_text(done_column, "task-done-at"), DONE_AT, "Ville Varasto")

    sheet = client.get(
        reverse("inventory:run_sheet"),
        {"warehouse": warehouse.pk, "date": day.isoformat()},
        HTTP_ACCEPT_LANGUAGE="fi",
    ).text
    assert sofa.code in sheet  # the day's finished stop stays on the sheet
    assert says_done(_done_text(sheet, "stop-done"), DONE_AT, "Ville Varasto")


def test_in_english_it_reads_as_a_sentence(setup, client):
    intake, sofa, day = _shelved(setup)
    Task.objects.filter(pk=intake.pk).update(done_at=DONE_AT)
    client.force_login(setup[3])
    board = client.get(reverse("inventory:board"), HTTP_ACCEPT_LANGUAGE="en").text
    said = _done_text(board[board.index('id="col-done"') :], "task-done-at")
    assert said.startswith("Done ") and " at " in said and said.endswith("by Ville Varasto")
    # The task page has it as a fact beside the others, under the heading "Done".
    page = client.get(intake.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").text
    assert re.search(r"<dt>Done</dt><dd[^>]*>[^<]* at [^<]* by Ville Varasto</dd>", page)


def test_a_task_finished_before_the_field_existed_shows_its_time_without_a_name(setup, client):
    warehouse, shelves, slots, driver = setup
    old = TaskFactory(warehouse=warehouse, status=Task.Status.DONE, date=timezone.localdate())
    Task.objects.filter(pk=old.pk).update(updated_at=DONE_AT + timedelta(days=365))
    migration = importlib.import_module("inventory.migrations.0005_task_done_at_completed_by")
    migration.date_finished_tasks(apps, None)
    old.refresh_from_db()
    assert old.done_at == DONE_AT + timedelta(days=365) and old.completed_by is None
    client.force_login(driver)
    page = client.get(old.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fi").text
    said = _done_text(page, "task-done-at")
    assert says_done(said, DONE_AT + timedelta(days=365), None) and " by " not in said
