"""Warehouse tasks through the API (scope tasks): a warehouse system's token (its account
has the warehouse role) sees and works its organisation's warehouses' tasks through the
inventory services; a unit's token sees only the tasks for its own unit."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import Task
from kierratys.api.models import Scope
from tests.factories import ListingFactory, other_organisation, unit_of
from tests.factories.inventory import (
    StorageLocationFactory,
    TaskFactory,
    WarehouseFactory,
    next_working_day,
)

from .conftest import Api, make_token, problem_of

pytestmark = pytest.mark.django_db
TASKS = "/api/v1/tasks/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def depot(turku):
    return WarehouseFactory(organisation=turku)


@pytest.fixture
def warehouse_api(client, coordinator, school):
    created = make_token(coordinator, school, scopes=[Scope.TASKS], warehouse=True)
    return Api(client, created.secret)


def _ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def _task(depot, **fields):
    listing = ListingFactory(owner_unit=unit_of(depot.organisation))
    return TaskFactory(warehouse=depot, listing=listing, from_unit=listing.owner_unit, **fields)


def test_a_warehouse_system_sees_its_organisations_tasks_with_filters(warehouse_api, depot):
    day = next_working_day()
    intake = _task(depot)
    scheduled = _task(depot, status=Task.Status.SCHEDULED, date=day, kind=Task.Kind.DELIVERY)
    other_depot = _task(WarehouseFactory(organisation=depot.organisation))
    foreign = _task(WarehouseFactory(organisation=other_organisation(1)))
    assert _ids(warehouse_api.get(TASKS)) == [other_depot.pk, scheduled.pk, intake.pk]
    assert foreign.pk not in _ids(warehouse_api.get(TASKS))
    assert _ids(warehouse_api.get(TASKS, {"warehouse": depot.pk})) == [scheduled.pk, intake.pk]
    assert _ids(warehouse_api.get(TASKS, {"date": day.isoformat()})) == [scheduled.pk]
    assert _ids(warehouse_api.get(TASKS, {"status": "open", "kind": "intake"})) == [
        other_depot.pk,
        intake.pk,
    ]
    detail = warehouse_api.get(f"{TASKS}{scheduled.pk}/").json()
    assert detail["kind"] == "delivery" and detail["date"] == day.isoformat()
    assert detail["warehouse_name"] == depot.name and "contact_phone" not in detail
    problem_of(warehouse_api.get(f"{TASKS}{foreign.pk}/"), 404)


def test_bad_filters_are_400(warehouse_api):
    for params, name in [
        ({"status": "lost"}, "status"),
        ({"date": "tomorrow"}, "date"),
        ({"warehouse": "x"}, "warehouse"),
        ({"assignee": "1"}, "assignee"),
    ]:
        body = problem_of(warehouse_api.get(TASKS, params, **EN), 400)
        assert body["errors"][0]["parameter"] == name


def test_a_units_token_sees_only_its_units_tasks_and_cannot_work_them(
    client, coordinator, school, depot
):
    unit_api = Api(client, make_token(coordinator, school, scopes=[Scope.TASKS]).secret)
    ours = TaskFactory(warehouse=depot, listing=ListingFactory(owner_unit=school), from_unit=school)
    _task(depot)  # another unit's
    assert _ids(unit_api.get(TASKS)) == [ours.pk]
    refused = unit_api.post(f"{TASKS}{ours.pk}/schedule/", {"date": str(next_working_day())})
    problem_of(refused, 403)
    ours.refresh_from_db()
    assert ours.status == Task.Status.OPEN


def test_without_the_tasks_scope_403(api, client, coordinator, school, depot):
    reader = Api(client, make_token(coordinator, school, scopes=[Scope.LISTINGS_READ]).secret)
    problem_of(reader.get(TASKS), 403)


def test_the_warehouse_role_needs_the_tasks_scope(coordinator, school):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        make_token(coordinator, school, scopes=[Scope.LISTINGS_READ], warehouse=True)
    assert "warehouse" in error.value.message_dict


def test_schedule_start_and_shelve_through_the_services(warehouse_api, depot):
    task = _task(depot)
    shelf = StorageLocationFactory(warehouse=depot)
    day = next_working_day()
    scheduled = warehouse_api.post(f"{TASKS}{task.pk}/schedule/", {"date": str(day)})
    assert scheduled.status_code == 200, scheduled.content
    assert (scheduled.json()["status"], scheduled.json()["date"]) == ("scheduled", str(day))
    started = warehouse_api.post(f"{TASKS}{task.pk}/start/", {})
    assert started.json()["status"] == "in_progress"
    done = warehouse_api.post(f"{TASKS}{task.pk}/done/", {"location": shelf.pk})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done"
    task.listing.refresh_from_db()
    assert task.listing.storage_location_id == shelf.pk


def test_steps_the_state_does_not_allow_are_409_and_bad_input_400(warehouse_api, depot):
    task = _task(depot)
    body = problem_of(warehouse_api.post(f"{TASKS}{task.pk}/start/", {}, **EN), 409)
    assert body["code"] == "illegal_transition"
    past = warehouse_api.post(f"{TASKS}{task.pk}/schedule/", {"date": "2020-01-02"}, **EN)
    assert problem_of(past, 400)["errors"] == [
        {"pointer": "#/date", "detail": "The date is in the past."}
    ]
    unknown = warehouse_api.post(f"{TASKS}{task.pk}/schedule/", {"day": "2030-01-02"})
    assert "#/day" in [e["pointer"] for e in problem_of(unknown, 400)["errors"]]
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN


def test_the_list_costs_the_same_whatever_the_page_size(warehouse_api, depot):
    for _n in range(12):
        _task(depot)

    def count(size):
        with CaptureQueriesContext(connection) as queries:
            assert len(_ids(warehouse_api.get(TASKS, {"page_size": size}))) == size
        return len(queries)

    count(1)  # the token's last-used mark is written on the first request only
    assert count(2) == count(12)


def test_no_json_is_400(warehouse_api, depot):
    task = _task(depot)
    response = warehouse_api.post(f"{TASKS}{task.pk}/schedule/", raw="{", **EN)
    assert problem_of(response, 400)["type"].endswith("invalid-json")
    assert json.loads(response.content)["status"] == 400


def test_the_tokens_page_makes_a_warehouse_system(client, coordinator, school):
    from kierratys.accounts.roles import WAREHOUSE, role_names
    from kierratys.api.models import ServiceToken
    from kierratys.common.submissions import new_token

    client.force_login(coordinator)
    data = {
        "name": "Varastojärjestelmä",
        "unit": school.pk,
        "days": 90,
        "rate_per_minute": 120,
        "warehouse": "on",
    }
    refused = client.post(
        "/organisation/api-tokens/",
        {**data, "scopes": [Scope.LISTINGS_READ], "submission": new_token()},
        **EN,
    )
    assert refused.status_code == 400
    assert "The warehouse role is for tokens with the tasks scope." in refused.content.decode()
    assert not ServiceToken.objects.exists()
    made = client.post(
        "/organisation/api-tokens/",
        {**data, "scopes": [Scope.TASKS], "submission": new_token()},
        **EN,
    )
    assert made.status_code == 200
    assert "A warehouse system" in made.content.decode()
    assert WAREHOUSE in role_names(ServiceToken.objects.get().account)


def test_another_organisations_task_is_404_to_see_and_to_work(warehouse_api):
    elsewhere = WarehouseFactory(organisation=other_organisation(1))
    theirs = _task(elsewhere)
    problem_of(warehouse_api.get(f"{TASKS}{theirs.pk}/"), 404)
    day = str(next_working_day())
    problem_of(warehouse_api.post(f"{TASKS}{theirs.pk}/schedule/", {"date": day}), 404)
    problem_of(warehouse_api.post(f"{TASKS}{theirs.pk}/start/", {}), 404)
    problem_of(warehouse_api.post(f"{TASKS}{theirs.pk}/done/", {}), 404)
    assert theirs.pk not in _ids(warehouse_api.get(TASKS))
    theirs.refresh_from_db()
    assert theirs.status == Task.Status.OPEN


def test_cancel_and_report_a_problem_as_the_task_board_does(warehouse_api, depot):
    from listings.models import ListingEvent

    task = _task(depot)
    reported = warehouse_api.post(f"{TASKS}{task.pk}/problem/", {"problem": "Selkänoja irti"}, **EN)
    assert reported.status_code == 200, reported.content
    assert reported.json()["problem"] == "Selkänoja irti"
    assert reported.json()["status"] == "open"  # a problem does not change the state
    cancelled = warehouse_api.post(f"{TASKS}{task.pk}/cancel/", {"reason": "Ei noudeta"}, **EN)
    assert cancelled.status_code == 200, cancelled.content
    assert (cancelled.json()["status"], cancelled.json()["problem"]) == ("cancelled", "Ei noudeta")
    kinds = set(ListingEvent.objects.filter(listing=task.listing).values_list("kind", flat=True))
    assert {"task_problem", "task_cancelled"} <= kinds
    again = warehouse_api.post(f"{TASKS}{task.pk}/cancel/", {}, **EN)
    assert problem_of(again, 409)["code"] == "illegal_transition"


def test_a_cancel_frees_the_booked_slot(warehouse_api, depot):
    from tests.factories.inventory import TimeSlotFactory

    day = next_working_day()
    slot = TimeSlotFactory(warehouse=depot, weekday=day.weekday())
    task = _task(depot, kind=Task.Kind.DELIVERY)
    warehouse_api.post(f"{TASKS}{task.pk}/schedule/", {"date": str(day), "slot": slot.pk})
    assert warehouse_api.get(f"{TASKS}{task.pk}/").json()["slot"]["id"] == slot.pk
    assert warehouse_api.post(f"{TASKS}{task.pk}/cancel/", {}).status_code == 200
    task.refresh_from_db()
    assert task.slot_day_id is None and task.status == Task.Status.CANCELLED


def test_a_problem_needs_words_and_bad_bodies_change_nothing(warehouse_api, depot):
    task = _task(depot)
    for body, pointer in [
        ({}, "#/problem"),
        ({"problem": "x" * 501}, "#/problem"),
        ({"problem": 5}, "#/problem"),
        ({"problem": "Rikki", "urgent": True}, "#/urgent"),
    ]:
        response = warehouse_api.post(f"{TASKS}{task.pk}/problem/", body, **EN)
        assert pointer in [e["pointer"] for e in problem_of(response, 400)["errors"]], body
    for blank in ("", "   "):
        response = warehouse_api.post(f"{TASKS}{task.pk}/problem/", {"problem": blank}, **EN)
        assert problem_of(response, 400)["errors"] == [
            {"pointer": "#/problem", "detail": "Describe the problem."}
        ]
    too_long = warehouse_api.post(f"{TASKS}{task.pk}/cancel/", {"reason": "x" * 501}, **EN)
    assert problem_of(too_long, 400)["errors"][0]["pointer"] == "#/reason"
    task.refresh_from_db()
    assert (task.status, task.problem) == (Task.Status.OPEN, "")


def test_a_unit_takes_back_its_own_intake_but_works_no_other_task(
    client, coordinator, school, depot
):
    unit_api = Api(client, make_token(coordinator, school, scopes=[Scope.TASKS]).secret)
    listing = ListingFactory(owner_unit=school)
    intake = TaskFactory(warehouse=depot, listing=listing, from_unit=school)
    delivery = TaskFactory(
        warehouse=depot, listing=listing, to_unit=school, kind=Task.Kind.DELIVERY
    )
    problem_of(unit_api.post(f"{TASKS}{intake.pk}/problem/", {"problem": "Rikki"}), 403)
    problem_of(unit_api.post(f"{TASKS}{delivery.pk}/cancel/", {}), 403)
    delivery.refresh_from_db()
    assert delivery.status == Task.Status.OPEN
    taken_back = unit_api.post(f"{TASKS}{intake.pk}/cancel/", {})
    assert taken_back.status_code == 200, taken_back.content
    assert taken_back.json()["status"] == "cancelled"


def test_cancel_and_problem_need_the_tasks_scope_and_are_404_elsewhere(
    client, coordinator, school, warehouse_api, depot
):
    mine = _task(depot)
    reader = Api(client, make_token(coordinator, school, scopes=[Scope.LISTINGS_READ]).secret)
    problem_of(reader.post(f"{TASKS}{mine.pk}/cancel/", {}), 403)
    problem_of(reader.post(f"{TASKS}{mine.pk}/problem/", {"problem": "Rikki"}), 403)
    theirs = _task(WarehouseFactory(organisation=other_organisation(1)))
    problem_of(warehouse_api.post(f"{TASKS}{theirs.pk}/cancel/", {}), 404)
    problem_of(warehouse_api.post(f"{TASKS}{theirs.pk}/problem/", {"problem": "Rikki"}), 404)
    problem_of(warehouse_api.post(f"{TASKS}999999/cancel/", {}), 404)
    for task in (mine, theirs):
        task.refresh_from_db()
        assert (task.status, task.problem) == (Task.Status.OPEN, "")
