"""Audience stages over time: department → organisation → partners → end of life.

The periodic job moves each listing on at its organisation's times; the owner may widen
now, hold or resume; a partner organisation's people find nothing before the partner
stage, anywhere; the owner is told when the last stage ends.
"""

import html
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import close_old_connections
from django.urls import reverse
from django.utils import timezone, translation

from kierratys.accounts.models import Notice
from kierratys.accounts.partnerships import Partnership
from kierratys.common.errors import NotFound
from listings import alerts, services
from listings.models import Listing, ListingEvent, SavedSearch
from listings.services import audience as audience_services
from reservations import services as reservation_services
from reservations.models import Reservation

from ..conftest import needs_postgres
from ..factories import (
    CategoryFactory,
    DepartmentFactory,
    OrganisationFactory,
    UnitFactory,
    UserFactory,
    other_organisation,
    reserve,
    running_partnership,
)
from ..support.threads import in_background, race

Audience = Listing.Audience
DAY = timedelta(days=1)


def staff_of(organisation, *, department=None, **fields):
    department = department or DepartmentFactory(organisation=organisation)
    return UserFactory(unit=UnitFactory(department=department), language="en", **fields)


def publish(author, title="Punainen sohva", quantity=3):
    return services.listing_create(
        actor=author,
        unit=author.unit,
        fields={
            "title": title,
            "category": CategoryFactory(),
            "condition": Listing.Condition.GOOD,
            "quantity": quantity,
        },
        publish=True,
    )


def advance(listing, moment) -> Listing:
    services.listings_audience_advance(now=moment)
    listing.refresh_from_db()
    return listing


@pytest.fixture
def city(db):
    """An organisation whose listings go department → organisation → partners → end."""
    return other_organisation(1, department_days=7, organisation_days=14, partner_days=10)


@pytest.fixture
def owner(city):
    return staff_of(city, department=DepartmentFactory(organisation=city, name="Opetustoimiala"))


# --- the periodic job ------------------------------------------------------------------------


def test_the_job_moves_each_stage_on_at_its_organisations_times(owner, city):
    listing = publish(owner)
    start = listing.published_at
    assert listing.audience == Audience.DEPARTMENT
    assert listing.audience_widens_at == start + 7 * DAY
    sooner_org = other_organisation(2, department_days=2, organisation_days=3, partner_days=1)
    sooner = publish(staff_of(sooner_org), title="Nojatuoli")

    assert services.listings_audience_advance(now=sooner.published_at + 2 * DAY) == 1
    sooner.refresh_from_db()
    assert sooner.audience == Audience.ORGANISATION  # its organisation's 2 days are over
    assert advance(listing, start + 6 * DAY).audience == Audience.DEPARTMENT

    listing = advance(listing, start + 7 * DAY)
    assert listing.audience == Audience.ORGANISATION
    assert listing.audience_widens_at == start + 21 * DAY
    listing = advance(listing, start + 21 * DAY)
    assert listing.audience == Audience.PARTNERS
    assert listing.audience_widens_at == start + 31 * DAY
    listing = advance(listing, start + 31 * DAY)
    assert (listing.audience, listing.audience_widens_at) == (Audience.ENDED, None)
    assert services.listings_audience_advance(now=start + 365 * DAY) == 0  # nothing is due
    sooner.refresh_from_db()
    assert sooner.audience == Audience.ENDED
    moves = ListingEvent.objects.filter(listing=listing, kind="audience_widened").order_by("pk")
    assert [(e.changes["from"], e.changes["to"]) for e in moves] == [
        ("department", "organisation"),
        ("organisation", "partners"),
        ("partners", "ended"),
    ]
    assert all(e.actor_id is None for e in moves)


def test_stages_of_0_days_are_passed_through(db):
    no_org_stage = other_organisation(1, department_days=3, organisation_days=0, partner_days=5)
    listing = publish(staff_of(no_org_stage))
    listing = advance(listing, listing.published_at + 3 * DAY)
    assert listing.audience == Audience.PARTNERS
    event = ListingEvent.objects.get(listing=listing, kind="audience_widened")
    assert event.changes == {"from": "department", "to": "partners"}

    no_partners = other_organisation(2, department_days=0, organisation_days=4, partner_days=0)
    other = publish(staff_of(no_partners))
    assert other.audience == Audience.ORGANISATION  # published straight to the organisation
    assert advance(other, other.published_at + 4 * DAY).audience == Audience.ENDED


def test_the_job_leaves_drafts_withdrawn_and_held_listings_alone(owner):
    listing = publish(owner)
    services.listing_withdraw(actor=owner, listing_id=listing.pk)
    held = publish(owner, title="Pidetty")
    services.listing_audience_set(
        actor=owner, listing_id=held.pk, audience=Audience.DEPARTMENT, hold=True
    )
    assert services.listings_audience_advance(now=timezone.now() + 100 * DAY) == 0
    held.refresh_from_db()
    assert (held.audience, held.audience_widens_at) == (Audience.DEPARTMENT, None)


def test_each_move_is_announced_live(owner, monkeypatch):
    announced = []
    monkeypatch.setattr(
        audience_services,
        "listing_announce",
        lambda listing, **kw: announced.append((kw.get("audience_before"), listing.audience)),
    )
    listing = publish(owner)
    advance(listing, listing.published_at + 7 * DAY)
    assert announced == [(Audience.DEPARTMENT, Audience.ORGANISATION)]


def test_the_history_says_who_sees_it(client, owner):
    listing = publish(owner)
    advance(listing, listing.published_at + 7 * DAY)
    client.force_login(owner)
    with translation.override("en"):
        page = client.get(listing.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert "Shown to more people" in page.text
    assert "Visible to: Own department → Whole organisation" in page.text


# --- the end of the last stage -----------------------------------------------------------------


def test_the_owner_units_people_are_told_when_the_last_stage_ends(owner, run_tasks):
    colleague = UserFactory(unit=owner.unit, language="en")
    listing = publish(owner, title="Vanha kirjahylly")
    for days in (7, 21, 31):
        advance(listing, listing.published_at + days * DAY)
    assert listing.audience == Audience.ENDED
    notices = Notice.objects.filter(kind="audience_ended").order_by("user_id")
    assert [n.user_id for n in notices] == sorted([owner.pk, colleague.pk])
    assert {n.url for n in notices} == {reverse("listings:end_of_life", args=[listing.pk])}
    assert notices[0].params == {"title": "Vanha kirjahylly", "code": listing.code}
    run_tasks()
    assert [m.to for m in mail.outbox] == [[owner.email]]  # the creator, as for expiry
    assert "Vanha kirjahylly" in mail.outbox[0].subject
    assert reverse("listings:end_of_life", args=[listing.pk]) in mail.outbox[0].body


def test_nothing_to_decide_when_everything_is_reserved(owner, city):
    listing = publish(owner, quantity=1)
    reserve(listing, user=staff_of(city, department=owner.unit.department))
    for days in (7, 21, 31):
        advance(listing, listing.published_at + days * DAY)
    assert listing.audience == Audience.ENDED
    assert not Notice.objects.filter(kind="audience_ended").exists()


# --- the owner's choice ----------------------------------------------------------------------


def post_audience(client, listing, audience, hold):
    return client.post(
        reverse("listings:audience", args=[listing.pk]),
        {"audience": audience, "hold": "1" if hold else "0"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )


def test_the_page_says_who_sees_it_and_when_that_widens(client, owner):
    listing = publish(owner)
    client.force_login(owner)
    with translation.override("en"):
        page = client.get(listing.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    day = timezone.localtime(listing.audience_widens_at).strftime("%-d.%-m.%Y")
    assert (
        f"Visible to your department (Opetustoimiala) until {day}, "
        "then to the whole organisation." in page.text
    )
    assert "Show to the whole organisation now" in page.text
    assert "Keep it within the department" in page.text


def test_hold_resume_and_widen_now(client, owner):
    listing = publish(owner)
    client.force_login(owner)
    with translation.override("en"):
        page = post_audience(client, listing, Audience.DEPARTMENT, hold=True)
        assert "Stays visible to your department (Opetustoimiala) until you widen it." in (
            page.text
        )
        listing.refresh_from_db()
        assert (listing.audience, listing.audience_widens_at) == (Audience.DEPARTMENT, None)
        assert "Resume the schedule" in page.text

        before = timezone.now()
        post_audience(client, listing, Audience.DEPARTMENT, hold=False)
        listing.refresh_from_db()
        assert listing.audience == Audience.DEPARTMENT
        assert before + 7 * DAY <= listing.audience_widens_at <= timezone.now() + 7 * DAY

        page = post_audience(client, listing, Audience.PARTNERS, hold=False)
        listing.refresh_from_db()
        assert listing.audience == Audience.PARTNERS
        assert listing.audience_widens_at >= before + 10 * DAY
        assert "Visible to the whole organisation and its partners until" in page.text
        assert "then it ends." in page.text
    kinds = list(
        ListingEvent.objects.filter(listing=listing, kind__startswith="audience")
        .order_by("pk")
        .values_list("kind", "actor_id")
    )
    assert kinds == [
        ("audience_held", owner.pk),
        ("audience_released", owner.pk),
        ("audience_widened", owner.pk),
    ]


def test_a_published_audience_is_never_narrowed(client, owner):
    listing = publish(owner)
    services.listing_audience_set(
        actor=owner, listing_id=listing.pk, audience=Audience.PARTNERS, hold=False
    )
    listing.refresh_from_db()
    widens = listing.audience_widens_at
    client.force_login(owner)
    with translation.override("en"):
        page = post_audience(client, listing, Audience.DEPARTMENT, hold=True)
    assert (
        "The listing is already visible to the whole organisation and its partners. "
        "It cannot be narrowed: someone may be reserving it." in page.text
    )
    listing.refresh_from_db()
    assert (listing.audience, listing.audience_widens_at) == (Audience.PARTNERS, widens)


def test_bad_choices_are_refused_with_a_message(client, owner):
    listing = publish(owner)
    client.force_login(owner)
    with translation.override("en"):
        page = post_audience(client, listing, "everyone", hold=False)
        assert "Choose who may see the listing." in page.text
        page = post_audience(client, listing, Audience.ENDED, hold=False)
        assert "Choose who may see the listing." in page.text
        for days in (7, 21, 31):
            advance(listing, listing.published_at + days * DAY)
        page = post_audience(client, listing, Audience.PARTNERS, hold=False)
        assert "Its last stage has ended." in page.text
        assert "Its last stage has ended: nobody else sees it now." in page.text
    listing.refresh_from_db()
    assert listing.audience == Audience.ENDED


def test_only_editors_choose_the_audience(client, owner, city):
    listing = publish(owner)
    for someone in (staff_of(city), UserFactory()):  # same organisation; another one
        client.force_login(someone)
        response = post_audience(client, listing, Audience.PARTNERS, hold=False)
        assert response.status_code == 404
    listing.refresh_from_db()
    assert listing.audience == Audience.DEPARTMENT


def test_others_see_a_short_line(client, owner, city):
    listing = publish(owner)
    client.force_login(staff_of(city, department=owner.unit.department))
    with translation.override("en"):
        page = client.get(listing.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert "Shown only to your department for now." in page.text
    assert "Keep it within the department" not in page.text


# --- a partner organisation before and after the partner stage -------------------------------


@pytest.fixture
def partner(city):
    """Someone of the default organisation, a running partner of `city`."""
    running_partnership(city, OrganisationFactory())
    return UserFactory(language="en")


def found_by(client, user, listing) -> dict[str, bool]:
    client.force_login(user)
    catalogue = client.get(reverse("listings:catalogue"))
    search = client.get(reverse("listings:catalogue"), {"q": "sohva"})
    return {
        "catalogue": listing.title in catalogue.text,
        "search": listing.title in search.text,
        "card": client.get(reverse("listings:card", args=[listing.pk])).status_code == 200,
        "page": client.get(listing.get_absolute_url()).status_code == 200,
        "label": client.get(reverse("listings:label", args=[listing.pk])).status_code == 200,
        "labels": listing.title
        in client.get(reverse("listings:labels"), {"ids": listing.pk}, follow=True).text,
    }


def test_a_partner_finds_nothing_before_the_partner_stage(client, owner, partner, run_tasks):
    SavedSearch.objects.create(user=partner, name="Sohvat", query="q=sohva")
    listing = publish(owner)
    nowhere = dict.fromkeys(["catalogue", "search", "card", "page", "label", "labels"], False)
    assert found_by(client, partner, listing) == nowhere
    advance(listing, listing.published_at + 7 * DAY)
    assert listing.audience == Audience.ORGANISATION
    assert found_by(client, partner, listing) == nowhere
    assert alerts.match_saved_searches.call(listing.pk) == 0
    run_tasks()
    assert not Notice.objects.filter(user=partner).exists()

    advance(listing, listing.published_at + 21 * DAY)
    assert listing.audience == Audience.PARTNERS
    found = found_by(client, partner, listing)
    assert found == {
        **dict.fromkeys(["catalogue", "search", "card", "page"], True),
        "label": True,
        "labels": False,
    }  # labels print only one's own items
    run_tasks()
    notice = Notice.objects.get(user=partner)
    assert notice.params["title"] == listing.title
    with translation.override("en"):
        page = client.get(listing.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert "Shared with partner organisations by Kunta 1." in page.text


def test_widening_alerts_only_those_who_see_it_for_the_first_time(owner, city, run_tasks):
    same_department = staff_of(city, department=owner.unit.department)
    elsewhere = staff_of(city)
    for user in (same_department, elsewhere):
        SavedSearch.objects.create(user=user, name="Sohvat", query="q=sohva")
    listing = publish(owner)
    run_tasks()
    assert list(Notice.objects.values_list("user_id", flat=True)) == [same_department.pk]
    advance(listing, listing.published_at + 7 * DAY)
    run_tasks()
    told = sorted(Notice.objects.values_list("user_id", flat=True))
    assert told == sorted([same_department.pk, elsewhere.pk])  # once each


def test_an_ended_partnership_hides_the_item_but_keeps_the_reservation(client, owner, partner):
    listing = publish(owner)
    services.listing_audience_set(
        actor=owner, listing_id=listing.pk, audience=Audience.PARTNERS, hold=False
    )
    reservation = reserve(listing, user=partner)
    Partnership.objects.update(ended_at=timezone.now(), ended_by=owner)

    found = found_by(client, UserFactory(), listing)  # another partner-organisation user
    assert not (found["catalogue"] or found["search"] or found["card"] or found["page"])
    client.force_login(partner)
    assert listing.title not in client.get(reverse("listings:catalogue")).text
    with translation.override("en"):
        page = client.get(listing.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "No longer shown in the catalogue. Your unit's reservation stays valid." in (
        html.unescape(page.text)
    )
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.ACTIVE
    with pytest.raises(NotFound):  # reserving more is refused: the stage no longer shows it
        reserve(listing, user=UserFactory())


# --- a stage change while someone reserves (PostgreSQL, real threads) --------------------------


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_the_job_and_a_reservation_at_once_stay_consistent():
    """The job widens department → organisation while two people reserve: one from the
    department (sees it either way) and one from elsewhere in the organisation (sees it
    only after the move). Each outcome matches the order the row lock gave them, no
    decrease of the available quantity is lost, and a row the job found locked moves on
    in the next round."""
    city = other_organisation(1, department_days=7, organisation_days=14, partner_days=10)
    owner = staff_of(city)
    colleague = staff_of(city, department=owner.unit.department)
    elsewhere = staff_of(city)
    try:
        for round_ in range(20):
            listing = publish(owner, title=f"Tuoli {round_}", quantity=5)
            due = listing.published_at + 7 * DAY

            def take(user, listing_id=listing.pk):
                return reservation_services.reservation_create(
                    actor=user,
                    listing_id=listing_id,
                    quantity=1,
                    contact_name="x",
                    contact_phone="1",
                )

            results, errors = race(
                [
                    lambda due=due: services.listings_audience_advance(now=due),
                    lambda: take(colleague),
                    lambda: take(elsewhere),
                ]
            )
            assert all(isinstance(e, NotFound) for e in errors), errors
            listing.refresh_from_db()
            taken = list(
                Reservation.objects.filter(listing=listing).values_list("unit_id", flat=True)
            )
            assert colleague.unit_id in taken  # the department sees it at either stage
            assert len(taken) + len(errors) == 2
            moved = [r for r in results if isinstance(r, int)] == [1]
            # Someone from elsewhere got it only after the move; a row the job found
            # locked by a reservation it skips, and the next round moves it.
            assert moved == (listing.audience == Audience.ORGANISATION)
            if elsewhere.unit_id in taken:
                assert moved
            assert listing.quantity_available == 5 - len(taken)
            services.listings_audience_advance(now=due)
            listing.refresh_from_db()
            assert listing.audience == Audience.ORGANISATION
            assert listing.quantity_available == 5 - len(taken)
    finally:
        close_old_connections()


def _someone_waits_for_a_lock() -> bool:
    """Poll (up to 30 s) until another connection waits for a row lock."""
    import time

    from django.db import connection

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_reservation_waits_for_the_move_and_then_sees_the_wider_stage(monkeypatch):
    """While the job holds the listing's row, a reservation from elsewhere in the
    organisation waits for it, then finds the organisation stage and succeeds."""
    city = other_organisation(1, department_days=7, organisation_days=14, partner_days=10)
    owner = staff_of(city)
    elsewhere = staff_of(city)
    listing = publish(owner, quantity=2)
    locked, release = threading.Event(), threading.Event()
    real = audience_services.listing_announce

    def announce_and_wait(moved, **kwargs):
        real(moved, **kwargs)
        locked.set()
        release.wait(timeout=30)  # the job's transaction, and its row lock, stay open

    monkeypatch.setattr(audience_services, "listing_announce", announce_and_wait)
    try:
        with in_background(
            lambda: services.listings_audience_advance(now=listing.published_at + 7 * DAY),
            release=release,
        ):
            assert locked.wait(timeout=30)
            with in_background(
                lambda: reservation_services.reservation_create(
                    actor=elsewhere,
                    listing_id=listing.pk,
                    quantity=1,
                    contact_name="x",
                    contact_phone="1",
                )
            ) as outcome:
                assert _someone_waits_for_a_lock()
                release.set()
        assert "result" in outcome
        listing.refresh_from_db()
        assert listing.audience == Audience.ORGANISATION
        assert listing.quantity_available == 1
    finally:
        close_old_connections()


def test_a_coordinator_elsewhere_in_the_organisation_reads_the_departments_name(owner, city):
    from kierratys.accounts.roles import COORDINATOR
    from listings.audience_summary import audience_summary

    listing = publish(owner)
    coordinator = staff_of(city, roles=[COORDINATOR])
    with translation.override("en"):
        summary = audience_summary(user=coordinator, listing=listing)
        assert summary.text.startswith("Visible to the department Opetustoimiala until ")
        assert [c.label for c in summary.choices] == [
            "Show to the whole organisation now",
            "Show to partner organisations now",
            "Keep it within the department",
        ]
        draft = services.listing_create(
            actor=owner,
            unit=owner.unit,
            fields={"title": "Luonnos", "category": CategoryFactory(), "condition": "good"},
            publish=False,
        )
        assert audience_summary(user=owner, listing=draft).text == (
            "Once published, it is visible to your department (Opetustoimiala) first."
        )
        assert audience_summary(user=UserFactory(), listing=draft) is None


def test_a_stage_the_organisation_skips_cannot_be_chosen(db):
    no_partners = other_organisation(1, department_days=5, organisation_days=4, partner_days=0)
    owner = staff_of(no_partners)
    listing = publish(owner)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.listing_audience_set(
            actor=owner, listing_id=listing.pk, audience=Audience.PARTNERS, hold=False
        )
    assert refused.value.messages == ["Your organisation does not use that stage."]
    listing.refresh_from_db()
    assert listing.audience == Audience.DEPARTMENT
