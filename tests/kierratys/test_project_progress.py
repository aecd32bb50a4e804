"""A project's progress report against its target reuse rate (issue 21, item 5):
kierratys/reports/project_progress.py counts survey lines, reservations and end-of-life
decisions."""

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kierratys.accounts.roles import COORDINATOR
from kierratys.common.errors import NotFound
from kierratys.reports.project_progress import project_progress
from listings.models import Listing, Recipient
from listings.projects.services import project_create, project_item_add, project_listings_add
from listings.services import listing_end_of_life_decide, listing_publish, listing_withdraw
from reservations import services as reservation_services
from reservations.models import Reservation

from ..factories import (
    CategoryFactory,
    ListingFactory,
    ReservationFactory,
    UserFactory,
    member_of,
    other_organisation,
    reserve,
    unit_of,
)

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _line(user, project, title, quantity, decision="offer"):
    offered = decision == "offer"
    return project_item_add(
        actor=user,
        project_id=project.pk,
        room="A 204",
        title=title,
        quantity=quantity,
        decision=decision,
        category=CategoryFactory() if offered else None,
        condition="good" if offered else "",
    )


@pytest.fixture
def school():
    """Target 70 %: 6 chairs offered (4 collected by another unit), 2 tables offered
    (1 donated, 1 recycled), 4 whiteboards kept."""
    user = member_of()
    project = project_create(
        actor=user, unit=user.unit, kind="relocation", name="Koulun muutto", target_reuse_rate=70
    )
    chairs = _line(user, project, "Chair", 6).listing
    tables = _line(user, project, "Table", 2).listing
    _line(user, project, "Whiteboard", 4, decision="keep")
    listing_publish(actor=user, listing_id=chairs.pk)
    reserver = UserFactory(unit=unit_of(user.unit.department.organisation))
    reservation = reserve(chairs, user=reserver, quantity=4)
    reservation_services.reservation_collect(actor=user, reservation_id=reservation.pk)
    listing_publish(actor=user, listing_id=tables.pk)
    listing_withdraw(actor=user, listing_id=tables.pk)
    recipient = Recipient.objects.create(
        organisation=user.unit.department.organisation, name="Kontti"
    )
    listing_end_of_life_decide(
        actor=user, listing_id=tables.pk, outcome="donate", quantity=1, recipient_id=recipient.pk
    )
    listing_end_of_life_decide(
        actor=user,
        listing_id=tables.pk,
        outcome="recycle",
        quantity=1,
        fraction="wood",
        weight_kg="20",
    )
    return user, project, chairs, tables


def test_each_piece_counts_once_and_the_rate_is_against_the_target(school):
    user, project, chairs, tables = school
    report = project_progress(actor=user, project_id=project.pk)
    assert report["totals"] == {
        "kept": 4,
        "reused": 4,
        "donated": 1,
        "sold": 0,
        "recycled": 1,
        "open": 2,
    }
    assert report["pieces"] == 12
    assert str(report["rate"]) == "75.0"  # (4 kept + 4 reused + 1 donated) / 12
    assert report["met"] and report["needed"] == 0
    by_listing = {row["listing"].pk: row["figures"] for row in report["listings"]}
    assert by_listing[chairs.pk]["reused"] == 4 and by_listing[chairs.pk]["open"] == 2
    assert by_listing[tables.pk]["open"] == 0


def test_below_the_target_it_says_how_many_more_pieces_are_needed(school):
    user, project, chairs, _tables = school
    project_listings_add(
        actor=user, project_id=project.pk, listing_ids=[ListingFactory(owner_unit=user.unit).pk]
    )  # 5 more pieces, moved in from "Our listings", all still open
    report = project_progress(actor=user, project_id=project.pk)
    assert report["pieces"] == 17 and report["totals"]["open"] == 7
    assert str(report["rate"]) == "52.9"
    assert not report["met"]
    assert report["needed"] == 3  # 70 % of 17 is 11.9: 12 pieces, 9 so far


def test_an_empty_project_has_no_rate_yet(client):
    user = member_of()
    project = project_create(
        actor=user, unit=user.unit, kind="renovation", name="Remontti", target_reuse_rate=0
    )
    report = project_progress(actor=user, project_id=project.pk)
    assert report["pieces"] == 0 and str(report["rate"]) == "0.0" and not report["met"]
    client.force_login(user)
    page = client.get(reverse("project_report", args=[project.pk]), **EN).content.decode()
    assert "Nothing surveyed yet." in page


def test_the_report_page_shows_the_figures_and_the_target(client, school):
    user, project, _chairs, _tables = school
    client.force_login(user)
    response = client.get(reverse("project_report", args=[project.pk]), **EN)
    page = response.content.decode()
    assert response.status_code == 200
    assert "75.0 %" in page and "of the target 70 %" in page
    assert "The target is reached." in page
    assert 'data-place="reused"' in page


def test_the_report_reads_a_fixed_number_of_queries(school):
    user, project, _chairs, _tables = school
    with CaptureQueriesContext(connection) as few:
        project_progress(actor=user, project_id=project.pk)
    for _ in range(3):
        project_listings_add(
            actor=user,
            project_id=project.pk,
            listing_ids=[ListingFactory(owner_unit=user.unit).pk],
        )
    with CaptureQueriesContext(connection) as more:
        project_progress(actor=user, project_id=project.pk)
    assert len(more) == len(few)


def test_another_organisations_project_report_is_not_found(client, school):
    _user, project, _chairs, _tables = school
    outsider = member_of(other_organisation(), roles=[COORDINATOR])
    with pytest.raises(NotFound):
        project_progress(actor=outsider, project_id=project.pk)
    client.force_login(outsider)
    assert client.get(reverse("project_report", args=[project.pk])).status_code == 404


def test_pieces_the_owner_unit_took_back_count_as_kept(school):
    # Reserving one's own item is refused, but a handover row of the owner unit (e.g. from
    # before the rule) must still count once: as kept, not as reused.
    user, project, chairs, _tables = school
    ReservationFactory(
        listing=chairs,
        requested_by=UserFactory(unit=user.unit),
        status=Reservation.Status.COLLECTED,
        quantity=1,
        quantity_collected=1,
    )
    Listing.objects.filter(pk=chairs.pk).update(
        quantity_available=F("quantity_available") - 1,
        quantity_collected=F("quantity_collected") + 1,
    )
    report = project_progress(actor=user, project_id=project.pk)
    assert report["totals"]["kept"] == 5 and report["totals"]["reused"] == 4
    assert report["totals"]["open"] == 1 and report["pieces"] == 12
