"""The owner approves requests (issue 20, item 3): a request holds its quantity until the
owner side approves or declines it in time, or the periodic job expires it; the waiting
list is served; refusals say why and change nothing."""

from datetime import timedelta
from functools import partial

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from kierratys import live
from kierratys.accounts.roles import COORDINATOR
from listings.models import Listing
from reservations import notify, services
from reservations.models import Reservation

from ..conftest import needs_postgres
from ..factories import (
    CategoryFactory,
    ListingFactory,
    UserFactory,
    member_of,
    other_organisation,
    reserve,
)
from ..support.live import capture_published
from ..support.threads import race

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    """The messages are asserted in English, pages and services alike."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


Status = Reservation.Status


def approving_listing(**fields) -> Listing:
    fields.setdefault("quantity", 3)
    return ListingFactory(owner_approves=True, approval_days=3, **fields)


def owner_of(listing):
    return UserFactory(unit=listing.owner_unit)


def refresh(*objects):
    for obj in objects:
        obj.refresh_from_db()


def state(listing, *reservations):
    """What a refusal must leave as it was."""
    refresh(listing, *reservations)
    return (
        listing.quantity_available,
        listing.events.count(),
        [(r.status, r.collect_by, r.decide_by, r.reason) for r in reservations],
    )


# --- reserving -------------------------------------------------------------------------------


def test_a_reservation_of_an_approving_listing_is_a_request_that_holds_its_quantity():
    listing = approving_listing(quantity=3)
    before = timezone.now()
    request = reserve(listing, quantity=2)
    refresh(listing, request)
    assert request.status == Status.REQUESTED
    assert request.collect_by is None
    assert before + timedelta(days=3) <= request.decide_by <= timezone.now() + timedelta(days=3)
    assert listing.quantity_available == 1  # held exactly as a reservation is
    assert listing.quantity_reserved == 2
    assert listing.events.latest("pk").kind == "requested"
    # Nobody can take more than is left while it waits.
    with pytest.raises(services.NotEnoughAvailable):
        reserve(listing, quantity=2)


@needs_postgres
def test_the_fast_path_leaves_approving_listings_to_the_locked_path():
    """The one-statement path writes only active reservations: it takes nothing of a
    listing whose owner approves requests, and the locked path writes the request."""
    from reservations.services import fast
    from tests.reservations.test_fast_path_parity import FAST_DETAILS

    actor = UserFactory()
    listing = approving_listing(quantity=5)
    taken = fast.reserve_fast(
        actor=actor, unit=actor.unit, listing_id=listing.pk, quantity=1, **FAST_DETAILS
    )
    assert taken is None
    refresh(listing)
    assert listing.quantity_available == 5 and not Reservation.objects.exists()
    assert reserve(listing, user=actor).status == Status.REQUESTED


def test_an_ordinary_listing_still_reserves_at_once():
    request = reserve(ListingFactory(quantity=2))
    assert request.status == Status.ACTIVE and request.decide_by is None


def test_a_basket_asks_for_approval_where_the_owner_approves():
    approving, ordinary = approving_listing(), ListingFactory()
    user = UserFactory()
    reservations = services.basket_reserve(
        actor=user,
        items=[services.BasketItem(approving.pk, 1), services.BasketItem(ordinary.pk, 1)],
        contact_name="Maija",
        contact_phone="040 1",
    )
    statuses = {r.listing_id: r.status for r in reservations}
    assert statuses == {approving.pk: Status.REQUESTED, ordinary.pk: Status.ACTIVE}


def test_the_owner_is_told_a_request_waits_for_a_decision(run_tasks):
    listing = approving_listing()
    reserve(listing)
    assert notify.notify_owners.call() == 1
    run_tasks()
    [message] = mail.outbox
    assert message.to == [listing.created_by.email]
    assert "approv" in message.body.lower() or "hyväks" in message.body.lower()


def test_the_listing_page_tells_reservers_the_owner_approves(client):
    listing = approving_listing()
    client.force_login(UserFactory())
    page = client.get(listing.get_absolute_url()).content.decode()
    assert "data-owner-approves" in page
    ordinary = client.get(ListingFactory().get_absolute_url()).content.decode()
    assert "data-owner-approves" not in ordinary


def test_the_listing_form_and_edit_page_set_owner_approval(client):
    from tests.listings.test_listing_pages import edit_data, form_data

    owner = UserFactory()
    client.force_login(owner)
    data = form_data(CategoryFactory(), owner_approves="on", approval_days="5")
    assert client.post(reverse("listings:create"), data).status_code == 302
    listing = Listing.objects.get()
    assert listing.owner_approves and listing.approval_days == 5
    edit_url = reverse("listings:edit", args=[listing.pk])
    assert "listing-owner_approves" in client.get(edit_url).content.decode()
    bad = edit_data(listing, **{"listing-owner_approves": "on", "listing-approval_days": "30"})
    assert client.post(edit_url, bad).status_code == 400
    refresh(listing)
    assert listing.approval_days == 5  # out of range: nothing changed
    unticked = edit_data(listing, **{"listing-approval_days": ""})  # the default days
    assert client.post(edit_url, unticked).status_code == 302
    refresh(listing)
    assert not listing.owner_approves and listing.approval_days == 3


# --- approving and declining -----------------------------------------------------------------


def test_the_owner_approves_and_the_requester_hears_it_live(
    run_tasks, django_capture_on_commit_callbacks
):
    listing = approving_listing()
    request = reserve(listing, quantity=2)
    mail.outbox.clear()
    with capture_published() as sends, django_capture_on_commit_callbacks(execute=True):
        services.reservation_approve(actor=owner_of(listing), reservation_id=request.pk)
    refresh(listing, request)
    assert request.status == Status.ACTIVE
    assert request.collect_by is not None
    assert listing.quantity_available == 1  # it held them already
    assert listing.events.latest("pk").kind == "approved"
    [changed] = [
        (groups, data)
        for send in sends
        for groups, event, data in send
        if event == "reservation.changed"
    ]
    assert live.unit_group(request.unit_id) in changed[0]
    assert changed[1]["status"] == Status.ACTIVE
    run_tasks()
    assert [m.to for m in mail.outbox] == [[request.requested_by.email]]


def test_the_coordinator_and_warehouse_rules_are_the_handovers():
    listing = approving_listing()
    request = reserve(listing)
    coordinator = member_of(roles=[COORDINATOR])  # the listing's organisation
    services.reservation_approve(actor=coordinator, reservation_id=request.pk)
    refresh(request)
    assert request.status == Status.ACTIVE


def test_declining_gives_the_quantity_back_and_serves_the_waiting_list():
    listing = approving_listing(quantity=2)
    request = reserve(listing, quantity=2)
    waiting = reserve(listing, quantity=1, join_waiting_list=True)
    services.reservation_decline(
        actor=owner_of(listing), reservation_id=request.pk, reason="Tarvitsemme ne itse."
    )
    refresh(listing, request, waiting)
    assert request.status == Status.DECLINED and request.reason == "Tarvitsemme ne itse."
    # The waiting one now asks in turn, holding its one; the other is back on offer.
    assert waiting.status == Status.REQUESTED and waiting.decide_by is not None
    assert listing.quantity_available == 1
    # The owner is asked about it as about a new request: the sweep covers it.
    assert waiting.owner_notified_at is None
    assert notify.notify_owners.call() >= 1


def test_the_requester_may_withdraw_a_request_and_the_quantity_comes_back():
    listing = approving_listing(quantity=2)
    request = reserve(listing, quantity=2)
    services.reservation_cancel(actor=request.requested_by, reservation_id=request.pk)
    refresh(listing, request)
    assert request.status == Status.CANCELLED
    assert listing.quantity_available == 2


def test_the_page_approves_and_declines(client):
    listing = approving_listing()
    first, second = reserve(listing), reserve(listing)
    client.force_login(owner_of(listing))
    response = client.post(reverse("reservations:approve", args=[first.pk]))
    assert response.status_code == 302
    response = client.post(reverse("reservations:decline", args=[second.pk]), {"reason": "Ei"})
    assert response.status_code == 302
    refresh(first, second)
    assert (first.status, second.status) == (Status.ACTIVE, Status.DECLINED)


# --- bad input -------------------------------------------------------------------------------


def test_approving_your_own_request_is_refused_with_403_and_changes_nothing(client):
    listing = approving_listing()
    coordinator = member_of(roles=[COORDINATOR])  # owner side, but of the requesting unit
    request = reserve(listing, user=coordinator)
    before = state(listing, request)
    with pytest.raises(services.NotYourDecision):
        services.reservation_approve(actor=coordinator, reservation_id=request.pk)
    client.force_login(coordinator)
    response = client.post(reverse("reservations:approve", args=[request.pk]))
    assert response.status_code == 403
    assert "Your unit made this request" in response.content.decode()
    response = client.post(reverse("reservations:decline", args=[request.pk]), {"reason": "x"})
    assert response.status_code == 403
    assert state(listing, request) == before


def test_approving_after_the_deadline_is_a_409_and_changes_nothing(client):
    listing = approving_listing()
    request = reserve(listing)
    Reservation.objects.filter(pk=request.pk).update(
        decide_by=timezone.now() - timedelta(minutes=1)
    )
    before = state(listing, request)
    owner = owner_of(listing)
    with pytest.raises(ValidationError) as error:
        services.reservation_approve(actor=owner, reservation_id=request.pk)
    assert error.value.code == "decide_late"
    client.force_login(owner)
    response = client.post(reverse("reservations:approve", args=[request.pk]))
    assert response.status_code == 409
    assert "The time to decide ended" in response.content.decode()
    response = client.post(reverse("reservations:decline", args=[request.pk]), {"reason": "x"})
    assert response.status_code == 409
    assert state(listing, request) == before


def test_declining_without_a_reason_is_a_400_and_changes_nothing(client):
    listing = approving_listing()
    request = reserve(listing)
    before = state(listing, request)
    client.force_login(owner_of(listing))
    response = client.post(reverse("reservations:decline", args=[request.pk]), {"reason": " "})
    assert response.status_code == 400
    assert "why you decline" in response.content.decode()
    assert state(listing, request) == before


def test_a_decided_request_cannot_be_decided_again():
    listing = approving_listing()
    request = reserve(listing)
    owner = owner_of(listing)
    services.reservation_approve(actor=owner, reservation_id=request.pk)
    before = state(listing, request)
    for decide in (
        partial(services.reservation_approve, actor=owner, reservation_id=request.pk),
        partial(services.reservation_decline, actor=owner, reservation_id=request.pk, reason="x"),
    ):
        with pytest.raises(ValidationError) as error:
            decide()
        assert error.value.code == "not_requested" and error.value.status == 409
    assert state(listing, request) == before


def test_an_ordinary_reservation_is_no_request_to_approve():
    listing = ListingFactory()
    reservation = reserve(listing)
    with pytest.raises(ValidationError) as error:
        services.reservation_approve(actor=owner_of(listing), reservation_id=reservation.pk)
    assert error.value.code == "not_requested"


def test_a_stranger_gets_404_and_a_bystander_is_refused(client):
    listing = approving_listing()
    request = reserve(listing)
    before = state(listing, request)
    client.force_login(member_of(other_organisation()))
    assert client.post(reverse("reservations:approve", args=[request.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.reservation_approve(actor=UserFactory(), reservation_id=request.pk)
    assert state(listing, request) == before


# --- the time-out ----------------------------------------------------------------------------


def test_unanswered_requests_expire_give_back_and_serve_the_queue():
    listing = approving_listing(quantity=2)
    late = reserve(listing, quantity=2)
    waiting = reserve(listing, quantity=2, join_waiting_list=True)
    on_time = reserve(approving_listing(quantity=1))
    Reservation.objects.filter(pk=late.pk).update(decide_by=timezone.now() - timedelta(hours=1))
    assert services.reservation_requests_expire() == 1
    assert services.reservation_requests_expire() == 0  # once
    refresh(listing, late, waiting, on_time)
    assert late.status == Status.EXPIRED
    assert late.reason == "Not approved or declined in time."
    assert waiting.status == Status.REQUESTED  # its turn: it holds both now
    assert listing.quantity_available == 0
    assert on_time.status == Status.REQUESTED


def test_the_periodic_jobs_expire_requests():
    from django.core.management import call_command

    listing = approving_listing()
    request = reserve(listing)
    Reservation.objects.filter(pk=request.pk).update(decide_by=timezone.now() - timedelta(days=1))
    call_command("periodic_jobs", verbosity=0)
    refresh(request, listing)
    assert request.status == Status.EXPIRED and listing.quantity_available == listing.quantity


def test_a_request_never_exists_without_its_decide_by_time():
    from django.db import IntegrityError, transaction

    request = reserve(approving_listing())
    with pytest.raises(IntegrityError), transaction.atomic():
        Reservation.objects.filter(pk=request.pk).update(decide_by=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Listing.objects.filter(pk=request.listing_id).update(approval_days=0)


# --- pages -----------------------------------------------------------------------------------


def test_the_owner_sees_requests_to_decide_on_the_reservations_and_listing_pages(client):
    listing = approving_listing()
    request = reserve(listing)
    client.force_login(owner_of(listing))
    page = client.get(reverse("reservations:list")).content.decode()
    assert f'data-request-id="{request.pk}"' in page
    assert reverse("reservations:approve", args=[request.pk]) in page
    page = client.get(listing.get_absolute_url()).content.decode()
    assert reverse("reservations:approve", args=[request.pk]) in page
    page = client.get(request.get_absolute_url()).content.decode()
    assert reverse("reservations:decline", args=[request.pk]) in page
    assert "held for you" not in page  # that is the requester's to read


def test_the_requester_sees_until_when_it_waits_and_no_decide_buttons(client):
    listing = approving_listing()
    request = reserve(listing)
    client.force_login(request.requested_by)
    page = client.get(request.get_absolute_url()).content.decode()
    assert "Waiting for approval until" in page
    assert reverse("reservations:approve", args=[request.pk]) not in page
    page = client.get(reverse("reservations:list")).content.decode()
    assert "data-request-id" not in page


def test_the_reservations_page_queries_do_not_grow_with_requests(
    client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    listing = approving_listing(quantity=20)
    owner = owner_of(listing)
    client.force_login(owner)
    reserve(listing)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("reservations:list"))
    for _ in range(5):
        reserve(approving_listing(owner_unit=listing.owner_unit))
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("reservations:list")).content.decode()
    assert page.count("data-request-id=") == 6


# --- the race --------------------------------------------------------------------------------


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_racing_requests_never_hold_more_than_there_is():
    """Real threads on PostgreSQL: requests take the locked path and hold exactly the
    quantity; the losers are told someone was first."""
    for _round in range(3):
        listing = approving_listing(quantity=3)
        users = [UserFactory() for _ in range(12)]
        calls = [partial(reserve, listing, user=user, seen_available=3) for user in users]
        taken, errors = race(calls)
        assert len(taken) == 3
        assert all(r.status == Status.REQUESTED for r in taken)
        assert len(errors) == 9
        assert all(isinstance(e, services.NotEnoughAvailable) for e in errors)
        refresh(listing)
        assert listing.quantity_available == 0
        held = Reservation.objects.filter(listing=listing, status=Status.REQUESTED)
        assert held.count() == 3
