"""Wanted requests, issue 20: posted on behalf of a unit (item 4); their posters told when a
listing's audience widens to reach them; closed as fulfilled when the requesting unit
reserves the listing made in answer to them."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from kierratys.accounts.models import Notice
from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from kierratys.common.submissions import new_token
from listings import services as listing_services
from listings.models import Listing
from listings.wanted import services
from listings.wanted.models import WantedRequest
from reservations import services as reservation_services
from reservations.models import Reservation

from ..factories import (
    CategoryFactory,
    DepartmentFactory,
    UnitFactory,
    UserFactory,
    other_organisation,
    reserve,
    unit_of,
)

pytestmark = pytest.mark.django_db
Audience = Listing.Audience
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
DAY = timedelta(days=1)


@pytest.fixture
def chairs():
    return CategoryFactory(name_en="Chairs", name_fi="Tuolit", name_sv="Stolar")


@pytest.fixture
def school():
    unit = UnitFactory(name="Puolalan koulu")
    UserFactory(unit=unit, full_name="Riikka Rehtori", language="en")
    return unit


@pytest.fixture
def warehouse_worker(client):
    user = UserFactory(roles=[WAREHOUSE], full_name="Ville Varasto", language="en")
    client.force_login(user)
    return user


def fields(category=None, **more):
    return {
        "category": category,
        "quantity": 2,
        "details": more.pop("details", "" if category else "Pinottavia tuoleja"),
        "needed_by": None,
        "audience": more.pop("audience", Audience.ORGANISATION),
    }


def form_data(**more):
    return {
        "category": "",
        "quantity": "2",
        "details": "Pinottavia tuoleja",
        "needed_by": "",
        "audience": "organisation",
        "submission": new_token(),
        **more,
    }


# --- posting on behalf of a unit ------------------------------------------------------------


def test_warehouse_staff_post_a_request_for_a_unit(warehouse_worker, school, chairs):
    wanted = services.wanted_post(
        actor=warehouse_worker, for_unit_id=school.pk, fields=fields(chairs)
    )
    assert wanted.unit == school and wanted.poster == warehouse_worker and wanted.on_behalf
    assert wanted.department_id == school.department_id


def test_a_coordinator_posts_for_a_unit_too(school, chairs):
    coordinator = UserFactory(roles=[COORDINATOR])
    wanted = services.wanted_post(actor=coordinator, for_unit_id=school.pk, fields=fields(chairs))
    assert wanted.unit == school and wanted.on_behalf


def test_staff_without_the_role_and_other_organisations_units_are_404(
    warehouse_worker, school, chairs
):
    with pytest.raises(Http404):
        services.wanted_post(actor=UserFactory(), for_unit_id=school.pk, fields=fields(chairs))
    foreign = unit_of(other_organisation())
    with pytest.raises(Http404):
        services.wanted_post(actor=warehouse_worker, for_unit_id=foreign.pk, fields=fields(chairs))
    assert not WantedRequest.objects.exists()


def test_posting_for_a_unit_through_the_page(client, warehouse_worker, school):
    form = client.get(reverse("wanted:new"), **EN)
    assert "For unit (optional)" in form.text
    response = client.post(
        reverse("wanted:new"), form_data(for_unit=str(school.pk), for_unit_text=school.name), **EN
    )
    wanted = WantedRequest.objects.get()
    assert response.status_code == 302 and wanted.unit == school and wanted.on_behalf
    page = client.get(wanted.get_absolute_url(), **EN)
    assert "Ville Varasto, on behalf of Puolalan koulu" in page.text
    assert "We got it: close as fulfilled" in page.text  # who posted it may close it
    listed = client.get(reverse("wanted:list"), **EN)
    assert "posted by Ville Varasto" in listed.text  # among their own, saying by whom
    # The unit's own people see it as theirs and may close it.
    client.force_login(school.members.get())
    page = client.get(wanted.get_absolute_url(), **EN)
    assert "We got it: close as fulfilled" in page.text
    client.post(reverse("wanted:close", args=[wanted.pk]), {"outcome": "fulfilled"})
    wanted.refresh_from_db()
    assert wanted.status == WantedRequest.Status.FULFILLED


def test_staff_posting_for_unit_by_hand_post_for_their_own_unit(client, school):
    staff = UserFactory()
    client.force_login(staff)
    assert "For unit" not in client.get(reverse("wanted:new"), **EN).text
    response = client.post(
        reverse("wanted:new"), form_data(for_unit=str(school.pk), for_unit_text=school.name)
    )
    assert response.status_code == 302
    wanted = WantedRequest.objects.get()
    assert wanted.unit == staff.unit and not wanted.on_behalf


def test_another_organisations_unit_posted_to_the_page_is_404(client, warehouse_worker):
    foreign = unit_of(other_organisation())
    response = client.post(reverse("wanted:new"), form_data(for_unit=str(foreign.pk)))
    assert response.status_code == 404
    assert not WantedRequest.objects.exists()


def test_matches_are_what_the_requesting_unit_sees_not_the_poster(
    warehouse_worker, school, chairs, run_tasks
):
    """A listing at its department stage in the warehouse's department is not the school's
    to reserve: no notice, until the stage reaches the school."""
    organisation = school.department.organisation
    organisation.department_days = 7
    organisation.save()
    services.wanted_post(actor=warehouse_worker, for_unit_id=school.pk, fields=fields(chairs))
    giver = UserFactory(unit=UnitFactory(department=warehouse_worker.unit.department))
    listing = publish(giver, chairs)
    assert listing.audience == Audience.DEPARTMENT
    run_tasks()
    assert not Notice.objects.filter(user=warehouse_worker).exists()


# --- told when the audience widens ----------------------------------------------------------


def publish(user, category, title="Pinottava tuoli"):
    return listing_services.listing_create(
        actor=user,
        unit=user.unit,
        fields={"title": title, "category": category, "condition": "good", "quantity": 3},
        publish=True,
    )


def test_the_poster_is_told_when_the_stage_widens_to_reach_them(chairs, run_tasks):
    organisation = other_organisation(department_days=7, organisation_days=14, partner_days=0)
    asker = UserFactory(unit=unit_of(organisation), language="en")
    wanted = services.wanted_post(actor=asker, fields=fields(chairs))
    giver = UserFactory(unit=unit_of(organisation))
    listing = publish(giver, chairs)
    assert listing.audience == Audience.DEPARTMENT  # the asker's department is another
    run_tasks()
    assert not Notice.objects.filter(user=asker).exists()

    listing_services.listings_audience_advance(now=timezone.now() + 7 * DAY)
    listing.refresh_from_db()
    assert listing.audience == Audience.ORGANISATION
    run_tasks()
    notice = Notice.objects.get(user=asker)
    assert notice.kind == Notice.Kind.WANTED_MATCH and notice.params["request_id"] == wanted.pk

    # Widening further reaches no one new: told once.
    listing_services.listings_audience_advance(now=timezone.now() + 21 * DAY)
    run_tasks()
    assert Notice.objects.filter(user=asker).count() == 1


def test_no_notice_on_widening_for_whoever_saw_it_already(chairs, run_tasks):
    organisation = other_organisation(department_days=7, organisation_days=14, partner_days=0)
    department = DepartmentFactory(organisation=organisation)
    asker = UserFactory(unit=UnitFactory(department=department))
    services.wanted_post(actor=asker, fields=fields(chairs))
    listing = publish(UserFactory(unit=UnitFactory(department=department)), chairs)
    run_tasks()
    assert Notice.objects.filter(user=asker).count() == 1  # told at publishing
    listing_services.listings_audience_advance(now=timezone.now() + 7 * DAY)
    listing.refresh_from_db()
    assert listing.audience == Audience.ORGANISATION
    run_tasks()
    assert Notice.objects.filter(user=asker).count() == 1


def test_the_owner_widening_it_now_tells_the_poster_too(chairs, run_tasks):
    organisation = other_organisation(department_days=7, organisation_days=14, partner_days=0)
    asker = UserFactory(unit=unit_of(organisation))
    services.wanted_post(actor=asker, fields=fields(chairs))
    giver = UserFactory(unit=unit_of(organisation))
    listing = publish(giver, chairs)
    run_tasks()
    listing_services.listing_audience_set(
        actor=giver, listing_id=listing.pk, audience=Audience.ORGANISATION, hold=False
    )
    run_tasks()
    assert Notice.objects.get(user=asker).kind == Notice.Kind.WANTED_MATCH


# --- fulfilled by reserving the answer ------------------------------------------------------


def answered(asker, chairs, **listing_fields):
    wanted = services.wanted_post(actor=asker, fields=fields(chairs))
    giver = UserFactory()
    draft = services.wanted_answer(actor=giver, request_id=wanted.pk)
    if listing_fields:
        Listing.objects.filter(pk=draft.pk).update(**listing_fields)
    listing = listing_services.listing_publish(actor=giver, listing_id=draft.pk)
    return wanted, listing, giver


def test_reserving_the_answer_fulfils_the_request(client, chairs):
    asker = UserFactory()
    wanted, listing, _giver = answered(asker, chairs)
    reservation = reserve(listing, user=asker, quantity=2)
    assert reservation.status == Reservation.Status.ACTIVE
    wanted.refresh_from_db()
    assert wanted.status == WantedRequest.Status.FULFILLED
    assert wanted.closed_by == asker and wanted.closed_at is not None
    # Counted in the report as fulfilled.
    coordinator = UserFactory(roles=[COORDINATOR])
    client.force_login(coordinator)
    today = timezone.localdate().isoformat()
    report = client.get(reverse("reports:index"), {"start": today, "end": today})
    assert report.context["report"].totals["wanted_fulfilled"] == 1


def test_another_unit_reserving_the_answer_leaves_the_request_open(chairs):
    asker = UserFactory()
    wanted, listing, _giver = answered(asker, chairs)
    reserve(listing, user=UserFactory(), quantity=1)
    wanted.refresh_from_db()
    assert wanted.status == WantedRequest.Status.OPEN


def test_a_request_for_approval_fulfils_it_only_when_approved(chairs):
    asker = UserFactory()
    wanted, listing, giver = answered(asker, chairs, owner_approves=True)
    request = reserve(listing, user=asker)
    assert request.status == Reservation.Status.REQUESTED
    wanted.refresh_from_db()
    assert wanted.status == WantedRequest.Status.OPEN
    reservation_services.reservation_approve(actor=giver, reservation_id=request.pk)
    wanted.refresh_from_db()
    assert wanted.status == WantedRequest.Status.FULFILLED


def test_reserving_the_answer_on_the_units_behalf_fulfils_it(warehouse_worker, school, chairs):
    wanted = services.wanted_post(
        actor=warehouse_worker, for_unit_id=school.pk, fields=fields(chairs)
    )
    giver = UserFactory()
    draft = services.wanted_answer(actor=giver, request_id=wanted.pk)
    listing = listing_services.listing_publish(actor=giver, listing_id=draft.pk)
    reserve(listing, user=warehouse_worker, for_unit_id=school.pk)
    wanted.refresh_from_db()
    assert wanted.status == WantedRequest.Status.FULFILLED


def test_the_answer_reserved_from_the_waiting_list_fulfils_it_when_promoted(chairs):
    asker = UserFactory()
    wanted, listing, _giver = answered(asker, chairs)
    first = reserve(listing, user=UserFactory(), quantity=listing.quantity)
    waiting = reserve(listing, user=asker, join_waiting_list=True)
    assert waiting.status == Reservation.Status.WAITING
    wanted.refresh_from_db()
    assert wanted.is_open
    reservation_services.reservation_cancel(
        actor=first.requested_by, reservation_id=first.pk, reason=""
    )
    wanted.refresh_from_db()
    assert wanted.status == WantedRequest.Status.FULFILLED
