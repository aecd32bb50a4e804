"""Loans (issue 20, item 1): booking, cancelling, picking up and returning, on both
databases. Each refusal says why and writes nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone, translation

from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from kierratys.common.errors import Conflict, NotFound, ServiceError
from listings.models import ListingEvent
from reservations.loans import selectors, services
from reservations.loans.errors import LoanError
from reservations.loans.models import Loan, LoanDay

from ...factories import (
    ListingFactory,
    UnitFactory,
    UserFactory,
    book,
    loan_listing,
    member_of,
    other_organisation,
)
from ...support.live import capture_published

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """The messages are asserted in English, the mails too (people without a language of
    their own get the service's)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


TODAY = timezone.localdate


def days(n):
    return TODAY() + timedelta(days=n)


def free(listing, start, end):
    return list(selectors.free_by_day(listing=listing, start=start, end=end).values())


def test_booking_takes_its_days_and_leaves_the_rest_free():
    bikes = loan_listing(quantity=2)
    loan = book(bikes, start=days(1), end=days(3), quantity=1)
    assert loan.status == Loan.Status.BOOKED
    assert free(bikes, days(0), days(4)) == [2, 1, 1, 1, 2]
    book(bikes, start=days(3), end=days(4), quantity=1)
    assert free(bikes, days(0), days(4)) == [2, 1, 1, 0, 1]
    assert ListingEvent.objects.filter(listing=bikes, kind="loan_booked").count() == 2


def test_the_last_bike_of_a_day_goes_once_and_the_refusal_names_the_day():
    bikes = loan_listing(quantity=1)
    book(bikes, start=days(1), end=days(7))
    with pytest.raises(Conflict) as refused:
        book(bikes, start=days(7), end=days(9))
    assert refused.value.code == LoanError.NOT_FREE
    assert days(7).strftime("%-d.%-m.%Y") in refused.value.messages[0]
    assert Loan.objects.count() == 1
    assert free(bikes, days(8), days(9)) == [1, 1]  # nothing of the refusal was written


def test_a_partly_free_day_says_how_many_are_left():
    bikes = loan_listing(quantity=3)
    book(bikes, quantity=2)
    with pytest.raises(Conflict) as refused:
        book(bikes, quantity=2)
    assert "Only 1 free" in refused.value.messages[0]


@pytest.mark.parametrize(
    "start, end, field, text",
    [
        (-1, 2, "start", "The first day cannot be in the past."),
        (3, 2, "end", "The last day cannot be before the first day."),
        (1, 15, "end", "This item can be borrowed for at most 14 days at a time."),
    ],
)
def test_bad_dates_are_refused_with_their_message(start, end, field, text):
    bikes = loan_listing()
    with pytest.raises(ServiceError) as refused:
        book(bikes, start=days(start), end=days(end))
    assert refused.value.message_dict == {field: [text]}
    assert refused.value.status == 400
    assert refused.value.code in (LoanError.DATES, LoanError.TOO_LONG)
    assert not Loan.objects.exists() and not LoanDay.objects.exists()


def test_a_loan_of_exactly_the_longest_allowed_is_fine():
    bikes = loan_listing(loan_max_days=3)
    assert book(bikes, start=days(1), end=days(3)).days == 3


def test_dates_outside_the_listing_are_refused():
    bikes = loan_listing(available_until=days(5))
    with pytest.raises(ServiceError) as refused:
        book(bikes, start=days(4), end=days(6))
    assert "can be borrowed from" in refused.value.messages[0]


def test_more_than_the_listing_has_is_bad_input():
    bikes = loan_listing(quantity=2)
    with pytest.raises(ServiceError) as refused:
        book(bikes, quantity=3)
    assert refused.value.message_dict == {"quantity": ["Choose a quantity between 1 and 2."]}
    assert not isinstance(refused.value, Conflict)


def test_own_item_and_items_for_keeps_cannot_be_borrowed():
    bikes = loan_listing()
    with pytest.raises(ServiceError) as own:
        book(bikes, user=UserFactory(unit=bikes.owner_unit))
    assert own.value.code == LoanError.OWN_ITEM
    chair = ListingFactory()
    with pytest.raises(ServiceError) as keeps:
        book(chair)
    assert keeps.value.code == LoanError.NOT_FOR_LOAN
    assert not Loan.objects.exists()


def test_another_organisations_listing_is_not_found():
    bikes = loan_listing()
    outsider = member_of(other_organisation())
    with pytest.raises(NotFound):
        book(bikes, user=outsider)


def test_warehouse_staff_book_for_another_unit_of_their_organisation():
    bikes = loan_listing()
    school = UnitFactory()
    for role in (WAREHOUSE, COORDINATOR):
        staff = UserFactory(roles=[role])
        loan = book(bikes, user=staff, unit_id=school.pk, start=days(1), end=days(1))
        assert (loan.unit, loan.booked_by) == (school, staff)
    assert selectors.loans_of_user(user=staff)["open"][-1] == loan  # "my loans": booked by me


def test_unit_staff_cannot_book_for_another_unit_nor_anyone_for_another_organisation():
    bikes = loan_listing()
    with pytest.raises(Http404):
        book(bikes, user=UserFactory(), unit_id=UnitFactory().pk)
    elsewhere = member_of(other_organisation()).unit
    with pytest.raises(Http404):
        book(bikes, user=UserFactory(roles=[WAREHOUSE]), unit_id=elsewhere.pk)
    assert not Loan.objects.exists()


def test_cancel_frees_the_days_and_the_owner_side_must_say_why():
    bikes = loan_listing(quantity=1)
    borrower = UserFactory()
    loan = book(bikes, user=borrower)
    with pytest.raises(ServiceError) as why:
        services.loan_cancel(actor=bikes.created_by, loan_id=loan.pk)
    assert why.value.message_dict == {"reason": ["Tell the borrowing unit why you cancel."]}
    with pytest.raises(PermissionDenied):
        services.loan_cancel(actor=UserFactory(), loan_id=loan.pk)
    services.loan_cancel(actor=borrower, loan_id=loan.pk)
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CANCELLED
    assert free(bikes, loan.start, loan.end) == [1] * 7
    with pytest.raises(Conflict):
        services.loan_cancel(actor=borrower, loan_id=loan.pk)


def test_pick_up_and_return_by_the_label():
    bikes = loan_listing(quantity=1)
    owner = bikes.created_by
    loan = book(bikes, start=days(0), end=days(6))
    with pytest.raises(ServiceError) as wrong:
        services.loan_pick_up(actor=owner, loan_id=loan.pk, scanned_code="K-999999")
    assert list(wrong.value.message_dict) == ["scanned_code"]
    services.loan_pick_up(actor=owner, loan_id=loan.pk, scanned_code=bikes.code)
    loan.refresh_from_db()
    assert loan.status == Loan.Status.PICKED_UP and loan.picked_up_at
    services.loan_return(
        actor=owner,
        loan_id=loan.pk,
        condition=Loan.Condition.GOOD,
        scanned_code=f"https://x.example/listings/{bikes.pk}/",
    )
    loan.refresh_from_db()
    assert loan.status == Loan.Status.RETURNED and loan.return_condition == "good"
    # Returned on its first day: that day and the six after it are free again.
    assert free(bikes, days(0), days(6)) == [1] * 7
    kinds = list(ListingEvent.objects.filter(listing=bikes).values_list("kind", flat=True))
    assert {"loan_booked", "loan_picked_up", "loan_returned"} <= set(kinds)


def test_only_the_owner_side_hands_out_and_not_before_the_first_day():
    bikes = loan_listing()
    borrower = UserFactory()
    loan = book(bikes, user=borrower, start=days(2), end=days(3))
    with pytest.raises(PermissionDenied):
        services.loan_pick_up(actor=borrower, loan_id=loan.pk)
    with pytest.raises(Conflict) as early:
        services.loan_pick_up(actor=bikes.created_by, loan_id=loan.pk)
    assert early.value.code == LoanError.TOO_EARLY


def test_returning_what_was_never_picked_up_is_a_conflict():
    bikes = loan_listing()
    loan = book(bikes, start=days(0), end=days(1))
    with pytest.raises(Conflict) as refused:
        services.loan_return(actor=bikes.created_by, loan_id=loan.pk, condition="good")
    assert refused.value.code == LoanError.NOT_PICKED_UP
    assert refused.value.messages == ["Only a loan that was picked up can be returned."]
    loan.refresh_from_db()
    assert loan.status == Loan.Status.BOOKED


def test_a_damaged_return_needs_a_description():
    bikes = loan_listing()
    loan = book(bikes, start=days(0), end=days(1))
    services.loan_pick_up(actor=bikes.created_by, loan_id=loan.pk)
    with pytest.raises(ServiceError) as refused:
        services.loan_return(actor=bikes.created_by, loan_id=loan.pk, condition="damaged")
    assert list(refused.value.message_dict) == ["damage_note"]
    with pytest.raises(ServiceError):
        services.loan_return(actor=bikes.created_by, loan_id=loan.pk, condition="lost-ish")
    services.loan_return(
        actor=bikes.created_by, loan_id=loan.pk, condition="damaged", damage_note="Takarengas puhki"
    )
    loan.refresh_from_db()
    assert (loan.return_condition, loan.damage_note) == ("damaged", "Takarengas puhki")


def test_the_database_refuses_a_day_over_its_capacity():
    bikes = loan_listing(quantity=1)
    book(bikes, start=days(1), end=days(1))
    with pytest.raises(IntegrityError), transaction.atomic():
        LoanDay.objects.filter(listing=bikes).update(booked=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.create(
            listing=bikes,
            unit=UnitFactory(),
            booked_by=UserFactory(),
            quantity=1,
            start=days(3),
            end=days(2),
        )


def test_overdue_lists_for_the_owner_and_the_warehouse():
    bikes = loan_listing()
    loan = book(bikes, start=days(0), end=days(1))
    services.loan_pick_up(actor=bikes.created_by, loan_id=loan.pk)
    later = days(3)
    assert selectors.overdue_for_owner(user=bikes.created_by, today=later) == [loan]
    assert selectors.overdue_for_owner(user=bikes.created_by) == []
    warehouse = UserFactory(roles=[WAREHOUSE])
    assert selectors.overdue_for_warehouse(user=warehouse, today=later) == [loan]
    outsider = member_of(other_organisation(), roles=[WAREHOUSE])
    assert selectors.overdue_for_warehouse(user=outsider, today=later) == []
    with pytest.raises(PermissionDenied):
        selectors.overdue_for_warehouse(user=UserFactory(), today=later)


def test_a_partners_shelf_shows_its_overdue_loans_to_its_warehouse_staff_only():
    from ...factories import StorageLocationFactory, WarehouseFactory

    storer = other_organisation()
    shelf = StorageLocationFactory(warehouse=WarehouseFactory(organisation=storer))
    bikes = loan_listing(storage_location=shelf)
    loan = book(bikes, start=days(0), end=days(1))
    services.loan_pick_up(actor=bikes.created_by, loan_id=loan.pk)
    later = days(3)
    assert selectors.overdue_for_warehouse(
        user=member_of(storer, roles=[WAREHOUSE]), today=later
    ) == [loan]
    # Their coordinator may not hand anything out from the shelves: not theirs to see.
    assert (
        selectors.overdue_for_warehouse(user=member_of(storer, roles=[COORDINATOR]), today=later)
        == []
    )


def test_a_loan_is_not_found_for_another_organisation():
    bikes = loan_listing()
    loan = book(bikes)
    with pytest.raises(NotFound):
        selectors.loan_for_user(user=member_of(other_organisation()), loan_id=loan.pk)
    assert selectors.loan_for_user(user=bikes.created_by, loan_id=loan.pk) == loan


def test_a_for_loan_listing_cannot_be_reserved_for_keeps():
    from reservations import services as reservation_services

    bikes = loan_listing()
    with pytest.raises(ServiceError):
        reservation_services.reservation_create(
            actor=UserFactory(),
            listing_id=bikes.pk,
            quantity=1,
            contact_name="x",
            contact_phone="1",
        )
    bikes.refresh_from_db()
    assert bikes.quantity_available == bikes.quantity


def test_the_calendar_hears_of_a_booking_after_commit(django_capture_on_commit_callbacks):
    bikes = loan_listing()
    with capture_published() as sends, django_capture_on_commit_callbacks(execute=True):
        loan = book(bikes)
    events = [(event, data) for send in sends for _groups, event, data in send]
    assert ("loan.changed", {"id": loan.pk, "listing": bikes.pk, "status": "booked"}) in events
    groups = next(g for send in sends for g, event, _d in send if event == "loan.changed")
    assert f"organisation-{bikes.organisation_id}" in groups  # whoever sees the item


def test_reminders_before_the_end_and_when_overdue(run_tasks, django_capture_on_commit_callbacks):
    from django.core import mail

    bikes = loan_listing()
    borrower = UserFactory(email="lainaaja@demo.example")
    loan = book(bikes, user=borrower, start=days(0), end=days(1))
    run_tasks()  # the owner unit hears of the booking
    mail.outbox.clear()
    services.loan_pick_up(actor=bikes.created_by, loan_id=loan.pk)
    run_tasks()  # "picked up"
    assert [m.to for m in mail.outbox] == [["lainaaja@demo.example"]]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.loans_remind() == 1
        assert services.loans_remind() == 0  # once
    run_tasks()
    assert [m.to for m in mail.outbox] == [["lainaaja@demo.example"]]
    assert mail.outbox[0].subject.startswith("Reminder: return")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.loans_remind(today=days(2)) == 1  # overdue
        assert services.loans_remind(today=days(3)) == 0  # not every day
    run_tasks()
    assert len(mail.outbox) == 1 and mail.outbox[0].subject.startswith("Overdue:")


def test_bookings_never_picked_up_are_cancelled_after_their_last_day():
    bikes = loan_listing(quantity=1)
    loan = book(bikes, start=days(0), end=days(1))
    assert services.loans_expire(today=days(1)) == 0
    assert services.loans_expire(today=days(2)) == 1
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CANCELLED


def test_the_periodic_jobs_run_the_loan_jobs():
    from kierratys.management import jobs

    bikes = loan_listing()
    book(bikes, start=days(0), end=days(0))
    done = jobs.periodic_jobs_run()
    assert done["loan reminders"] == 0 and done["loans not picked up cancelled"] == 0


def test_the_history_says_who_booked_for_which_unit_and_the_days():
    from listings import history

    bikes = loan_listing()
    school = UnitFactory(name="Puolalan koulu")
    staff = UserFactory(roles=[WAREHOUSE])
    book(bikes, user=staff, unit_id=school.pk, start=days(1), end=days(2))
    (event,) = history.describe(ListingEvent.objects.filter(listing=bikes, kind="loan_booked"))
    assert event.for_unit == "Puolalan koulu"
    assert [(c.label, c.old, c.new) for c in event.change_lines] == [
        ("Loan days", days(1).strftime("%-d.%-m.%Y"), days(2).strftime("%-d.%-m.%Y"))
    ]


def test_booking_for_a_unit_the_item_is_not_shown_to_says_so():
    from listings.models import Listing

    from ...factories import DepartmentFactory

    staff = UserFactory(roles=[WAREHOUSE])
    bikes = loan_listing(
        audience=Listing.Audience.DEPARTMENT,
        owner_unit=UnitFactory(department=staff.unit.department),
    )
    elsewhere = UnitFactory(department=DepartmentFactory(), name="Toinen koulu")
    with pytest.raises(ServiceError) as refused:
        book(bikes, user=staff, unit_id=elsewhere.pk)
    assert refused.value.code == LoanError.FOR_UNIT
    assert "not shown to Toinen koulu yet" in refused.value.message_dict["unit"][0]
    with pytest.raises(NotFound):  # its own member does not even see it
        book(bikes, user=UserFactory(unit=elsewhere))


def test_nothing_lent_is_disposed_of_and_a_withdrawn_item_is_not_handed_out():
    from listings.services import end_of_life, listing_withdraw

    bikes = loan_listing(quantity=3)
    owner = bikes.created_by
    out = book(bikes, start=days(0), end=days(3), quantity=2)
    services.loan_pick_up(actor=owner, loan_id=out.pk, scanned_code=bikes.code)
    later = book(bikes, start=days(0), end=days(2))
    listing_withdraw(actor=owner, listing_id=bikes.pk)
    with pytest.raises(Conflict) as refused:
        end_of_life.listing_end_of_life_decide(
            actor=owner, listing_id=bikes.pk, outcome="recycle", quantity=2
        )
    assert "2 loans of this item are booked or out" in str(refused.value)
    bikes.refresh_from_db()
    assert bikes.quantity_disposed == 0
    with pytest.raises(Conflict) as withdrawn:
        services.loan_pick_up(actor=owner, loan_id=later.pk)
    assert withdrawn.value.code == LoanError.NOT_LENT
    later.refresh_from_db()
    assert later.status == Loan.Status.BOOKED
