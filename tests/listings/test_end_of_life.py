"""End of life (issue 17 item 6): when nobody took an item in time, its owner donates it to
a recipient on the coordinator's list, sells it through the auction export, or recycles it.
Only what is still available is decided on; reserved items stay reserved."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from kierratys.common.errors import Conflict, NotFound, ServiceError
from kierratys.common.submissions import new_token
from listings import history
from listings.models import EndOfLife, Listing, ListingPhoto, Recipient
from listings.services import (
    listing_end_of_life_decide,
    recipient_create,
    recipient_update,
)
from reservations.models import Reservation

from ..conftest import needs_postgres
from ..factories import (
    DepartmentFactory,
    ListingFactory,
    ReservationFactory,
    StorageLocationFactory,
    UnitFactory,
    UserFactory,
    other_organisation,
    reserve,
)
from ..support.threads import race

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
Outcome = EndOfLife.Outcome


def ended(**fields):
    """A listing whose last audience stage has ended, with everything still available."""
    return ListingFactory(audience=Listing.Audience.ENDED, audience_widens_at=None, **fields)


def owner_of(listing):
    return listing.created_by


def recipient_for(listing, name="Kontti-kierrätystavaratalo", **fields):
    return Recipient.objects.create(organisation_id=listing.organisation_id, name=name, **fields)


def decide(listing, actor=None, **fields):
    fields.setdefault("quantity", listing.quantity_available)
    return listing_end_of_life_decide(
        actor=actor or owner_of(listing), listing_id=listing.pk, **fields
    )


def messages_of(error) -> list[str]:
    return [str(message) for message in error.value.messages]


# --- the service -----------------------------------------------------------------------------


def test_donating_part_gives_it_to_the_recipient_and_keeps_the_rest():
    listing = ended(quantity=5)
    recipient = recipient_for(listing)

    row = decide(
        listing, outcome=Outcome.DONATE, quantity=3, recipient_id=recipient.pk, note="Syksyllä"
    )

    listing.refresh_from_db()
    assert (row.outcome, row.quantity, row.recipient, row.decided_by) == (
        Outcome.DONATE,
        3,
        recipient,
        owner_of(listing),
    )
    assert (listing.quantity_available, listing.quantity_disposed) == (2, 3)
    assert listing.status == Listing.Status.PUBLISHED  # two are still to be decided on
    event = listing.events.get(kind="donated")
    assert event.changes["quantity_available"] == [5, 2]
    assert event.note == "Syksyllä"
    with translation.override("en"):
        assert history.kind_label("donated") == "Donated"
        lines = history.describe([event])[0].change_lines
    assert ("Available", "5", "2") in [(c.label, c.old, c.new) for c in lines]
    assert ("Recipient", "–", recipient.name) in [(c.label, c.old, c.new) for c in lines]


def test_selling_everything_archives_the_listing_with_its_starting_price():
    listing = ended(quantity=2)

    row = decide(listing, outcome=Outcome.SELL, starting_price_eur="15.5")

    listing.refresh_from_db()
    assert row.starting_price_eur == Decimal("15.50")
    assert (listing.quantity_available, listing.quantity_disposed) == (0, 2)
    assert listing.status == Listing.Status.ARCHIVED
    assert {"sold", "archived"} <= set(listing.events.values_list("kind", flat=True))
    with translation.override("en"):
        assert history.kind_label("sold") == "Sent to auction"


def test_a_free_sale_is_allowed_and_a_negative_price_is_not():
    listing = ended(quantity=3)
    with translation.override("en"), pytest.raises(ServiceError) as error:
        decide(listing, outcome=Outcome.SELL, quantity=1, starting_price_eur="-1")
    assert messages_of(error) == ["Enter a suggested starting price in euros, 0 or more."]
    with translation.override("en"), pytest.raises(ServiceError):
        decide(listing, outcome=Outcome.SELL, quantity=1)  # no price at all

    assert decide(listing, outcome=Outcome.SELL, quantity=1, starting_price_eur=0).quantity == 1


def test_recycling_suggests_the_weight_from_the_item_and_quantity():
    listing = ended(quantity=4, weight_kg=Decimal("12.50"))

    row = decide(listing, outcome=Outcome.RECYCLE, quantity=3, fraction="wood")

    assert (row.fraction, row.weight_kg) == ("wood", Decimal("37.50"))
    with translation.override("en"):
        assert history.kind_label("recycled") == "Recycled"
    # The owner's own figure wins over the suggestion.
    assert decide(
        listing, outcome=Outcome.RECYCLE, quantity=1, fraction="metal", weight_kg="8"
    ).weight_kg == Decimal("8.00")


def test_recycling_falls_back_on_the_categorys_typical_weight():
    listing = ended(quantity=2, weight_kg=None)  # the factory's category weighs 10 kg
    row = decide(listing, outcome=Outcome.RECYCLE, fraction="mixed")
    assert row.weight_kg == Decimal("20.00")


def test_recycling_needs_a_fraction_and_kilograms():
    listing = ended(quantity=2, weight_kg=None)
    listing.category.typical_weight_kg = None
    listing.category.save()
    with translation.override("en"), pytest.raises(ServiceError) as error:
        decide(listing, outcome=Outcome.RECYCLE, fraction="")
    assert error.value.message_dict == {
        "fraction": ["Choose the material fraction."],
        "weight_kg": ["Enter the weight in kilograms, more than 0."],
    }
    with translation.override("en"), pytest.raises(ServiceError) as error:
        decide(listing, outcome=Outcome.RECYCLE, fraction="wood", weight_kg="0")
    assert messages_of(error) == ["Enter the weight in kilograms, more than 0."]
    assert not EndOfLife.objects.exists()
    listing.refresh_from_db()
    assert (listing.quantity_available, listing.quantity_disposed) == (2, 0)


def test_reserved_items_are_never_given_away():
    listing = ListingFactory(quantity=3)
    reservation = reserve(listing, quantity=1)
    Listing.objects.filter(pk=listing.pk).update(audience=Listing.Audience.ENDED)
    listing.refresh_from_db()

    with translation.override("en"), pytest.raises(Conflict) as error:
        decide(listing, outcome=Outcome.SELL, quantity=3, starting_price_eur=5)
    assert messages_of(error) == [
        "Only 2 can be decided on; the rest are reserved or already gone."
    ]
    decide(listing, outcome=Outcome.SELL, quantity=2, starting_price_eur=5)

    listing.refresh_from_db()
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.ACTIVE
    assert (listing.quantity_available, listing.quantity_disposed, listing.quantity_reserved) == (
        0,
        2,
        1,
    )
    assert listing.status == Listing.Status.PUBLISHED  # the reserved one is still to collect
    with translation.override("en"), pytest.raises(Conflict) as error:
        decide(listing, outcome=Outcome.SELL, quantity=1, starting_price_eur=5)
    assert messages_of(error) == ["Nothing of this item is left to decide on."]


@pytest.mark.parametrize("quantity", [0, -1, "two", None])
def test_a_quantity_out_of_range_is_refused(quantity):
    listing = ended(quantity=2)
    with translation.override("en"), pytest.raises(Conflict) as error:
        decide(listing, outcome=Outcome.SELL, quantity=quantity, starting_price_eur=1)
    assert messages_of(error) == [
        "Only 2 can be decided on; the rest are reserved or already gone."
    ]


def test_an_item_still_on_offer_is_not_decided_on():
    listing = ListingFactory()  # the whole organisation still sees it
    with translation.override("en"), pytest.raises(Conflict) as error:
        decide(listing, outcome=Outcome.SELL, starting_price_eur=1)
    assert "This item is still on offer." in messages_of(error)[0]

    draft = ListingFactory(status=Listing.Status.DRAFT, published_at=None)
    with translation.override("en"), pytest.raises(Conflict) as error:
        decide(draft, outcome=Outcome.SELL, starting_price_eur=1)
    assert messages_of(error) == ["This listing is a draft: it has not been offered to anyone yet."]
    assert not EndOfLife.objects.exists()


def test_withdrawn_and_expired_items_may_be_decided_on_too():
    withdrawn = ListingFactory(status=Listing.Status.WITHDRAWN, quantity=1)
    today = timezone.localdate()
    expired = ListingFactory(
        quantity=1,
        available_from=today - timedelta(days=40),
        available_until=today - timedelta(days=1),
    )
    assert decide(withdrawn, outcome=Outcome.SELL, starting_price_eur=1).quantity == 1
    assert decide(expired, outcome=Outcome.SELL, starting_price_eur=1).quantity == 1


def test_an_unknown_outcome_is_refused():
    listing = ended()
    with translation.override("en"), pytest.raises(ServiceError) as error:
        decide(listing, outcome="burn")
    assert messages_of(error) == ["Choose donate, sell or recycle."]


def test_donating_needs_an_active_recipient_of_the_own_organisation():
    listing = ended()
    theirs = Recipient.objects.create(organisation=other_organisation(), name="Muu yhdistys")
    retired = recipient_for(listing, is_active=False)
    for recipient_id in (None, theirs.pk, retired.pk):
        with translation.override("en"), pytest.raises(ServiceError) as error:
            decide(listing, outcome=Outcome.DONATE, recipient_id=recipient_id)
        assert messages_of(error) == ["Choose a recipient from your organisation's list."]
    assert not EndOfLife.objects.exists()


def test_another_organisations_listing_is_not_found():
    listing = ended()
    elsewhere = UnitFactory(department=DepartmentFactory(organisation=other_organisation()))
    for actor in (
        UserFactory(unit=elsewhere, roles=[COORDINATOR]),
        UserFactory(unit=elsewhere, roles=[WAREHOUSE]),
        UserFactory(),  # another unit of the same organisation, no role to edit it
    ):
        with pytest.raises(NotFound):
            decide(listing, actor=actor, outcome=Outcome.SELL, starting_price_eur=1)


def test_the_organisations_coordinator_and_warehouse_decide_for_any_unit():
    listing = ended(quantity=2)
    for role in (COORDINATOR, WAREHOUSE):
        actor = UserFactory(roles=[role])
        row = decide(listing, actor=actor, outcome=Outcome.SELL, quantity=1, starting_price_eur=1)
        assert row.decided_by == actor


def test_the_listings_constraints_hold_after_every_decision():
    listing = ended(quantity=6, weight_kg=Decimal("3"))
    recipient = recipient_for(listing)
    decide(listing, outcome=Outcome.DONATE, quantity=2, recipient_id=recipient.pk)
    decide(listing, outcome=Outcome.SELL, quantity=2, starting_price_eur=10)
    decide(listing, outcome=Outcome.RECYCLE, quantity=2, fraction="wood")

    listing.refresh_from_db()
    assert listing.quantity_available + listing.quantity_collected + listing.quantity_disposed == 6
    assert listing.status == Listing.Status.ARCHIVED
    assert sorted(listing.end_of_life.values_list("outcome", flat=True)) == [
        "donate",
        "recycle",
        "sell",
    ]


def test_archiving_cancels_the_waiting_list():
    listing = ended(quantity=1)
    waiting = ReservationFactory(listing=listing, status=Reservation.Status.WAITING)

    decide(listing, outcome=Outcome.SELL, starting_price_eur=1)

    waiting.refresh_from_db()
    assert waiting.status == Reservation.Status.CANCELLED  # nobody waits forever


# --- the decision page -----------------------------------------------------------------------


def page(listing):
    return reverse("listings:end_of_life", args=[listing.pk])


def post(client, url, data):
    return client.post(url, {**data, "submission": new_token()}, **EN)


def test_the_page_explains_and_offers_three_choices(client):
    listing = ended(quantity=3)
    recipient_for(listing, name="Nuorisoseura")
    recipient_for(listing, name="Lopettanut ry", is_active=False)
    client.force_login(owner_of(listing))

    response = client.get(page(listing), **EN)

    assert response.status_code == 200
    text = response.text
    assert "Nobody took this item in time" in text
    assert "3 items are left to decide on." in text
    for value in ("donate", "sell", "recycle"):
        assert f'value="{value}"' in text
    assert "Nuorisoseura" in text
    assert "Lopettanut ry" not in text  # out of use: offered for no new donation
    assert 'name="fraction"' in text and 'name="weight_kg"' in text
    assert 'name="starting_price_eur"' in text


def test_donating_on_the_page(client):
    listing = ended(quantity=3)
    recipient = recipient_for(listing)
    client.force_login(owner_of(listing))

    response = post(
        client,
        page(listing),
        {"outcome": "donate", "quantity": "3", "recipient": str(recipient.pk)},
    )

    assert response.status_code == 302
    assert response["Location"] == listing.get_absolute_url()  # nothing left to decide
    row = EndOfLife.objects.get()
    assert (row.outcome, row.quantity, row.recipient) == ("donate", 3, recipient)
    shown = client.get(response["Location"], **EN).text
    assert f"Recorded: 3 × {listing.title} to be donated to {recipient.name}." in shown


def test_a_partial_decision_comes_back_to_the_page_for_the_rest(client):
    listing = ended(quantity=3)
    client.force_login(owner_of(listing))

    response = post(
        client,
        page(listing),
        {"outcome": "recycle", "quantity": "1", "fraction": "metal", "weight_kg": "7.5"},
    )

    assert response.status_code == 302 and response["Location"] == page(listing)
    assert EndOfLife.objects.get().weight_kg == Decimal("7.50")
    finnish = client.post(  # a decimal comma in Finnish
        page(listing),
        {
            "outcome": "recycle",
            "quantity": "1",
            "fraction": "metal",
            "weight_kg": "2,5",
            "submission": new_token(),
        },
        HTTP_ACCEPT_LANGUAGE="fi",
    )
    assert finnish.status_code == 302
    assert EndOfLife.objects.order_by("-pk").first().weight_kg == Decimal("2.50")
    again = client.get(page(listing), **EN).text
    assert "1 item is left to decide on." in again
    assert "Decided so far" in again


def test_bad_input_on_the_page_is_refused_with_its_message(client):
    listing = ended(quantity=2, weight_kg=None)
    listing.category.typical_weight_kg = None
    listing.category.save()
    client.force_login(owner_of(listing))

    response = post(client, page(listing), {"outcome": "recycle", "quantity": "2"})
    assert response.status_code == 400
    assert "Choose the material fraction." in response.text
    assert "Enter the weight in kilograms, more than 0." in response.text

    response = post(client, page(listing), {"quantity": "2"})
    assert response.status_code == 400
    assert "Choose donate, sell or recycle." in response.text

    response = post(
        client, page(listing), {"outcome": "sell", "quantity": "5", "starting_price_eur": "1"}
    )
    assert response.status_code == 409
    assert "Only 2 can be decided on; the rest are reserved or already gone." in response.text
    assert not EndOfLife.objects.exists()


def test_another_organisations_recipient_is_not_a_choice_on_the_page(client):
    listing = ended()
    theirs = Recipient.objects.create(organisation=other_organisation(), name="Muu yhdistys")
    client.force_login(owner_of(listing))
    response = post(
        client,
        page(listing),
        {"outcome": "donate", "quantity": "1", "recipient": str(theirs.pk)},
    )
    assert response.status_code == 400
    assert not EndOfLife.objects.exists()


def test_the_page_is_not_found_for_another_organisation(client):
    listing = ended()
    elsewhere = UnitFactory(department=DepartmentFactory(organisation=other_organisation()))
    client.force_login(UserFactory(unit=elsewhere, roles=[COORDINATOR]))
    assert client.get(page(listing), **EN).status_code == 404
    response = post(client, page(listing), {"outcome": "sell", "quantity": "1"})
    assert response.status_code == 404
    assert not EndOfLife.objects.exists()


def test_an_item_on_offer_shows_why_it_cannot_be_decided_yet(client):
    listing = ListingFactory()
    client.force_login(owner_of(listing))
    response = client.get(page(listing), **EN)
    assert response.status_code == 200
    assert "This item is still on offer." in response.text
    assert 'name="outcome"' not in response.text


def test_our_listings_flags_ended_listings_with_a_decide_link(client):
    owner = UserFactory()
    waiting = ended(owner_unit=owner.unit, created_by=owner)
    on_offer = ListingFactory(owner_unit=owner.unit, created_by=owner)
    client.force_login(owner)

    text = client.get(reverse("listings:mine"), **EN).text

    assert page(waiting) in text
    assert "Nobody took it in time." in text
    assert page(on_offer) not in text


# --- the coordinator's list of recipients ----------------------------------------------------


@pytest.fixture
def coordinator_client(client):
    client.force_login(UserFactory(roles=[COORDINATOR]))
    return client


def test_a_coordinator_keeps_the_list_of_recipients(coordinator_client):
    client = coordinator_client
    response = post(
        client,
        reverse("listings:recipient_create"),
        {"name": "  Turun  Nuorisoseura ", "contact": "info@nuoriso.example"},
    )
    assert response.status_code == 302
    recipient = Recipient.objects.get()
    assert (recipient.name, recipient.contact, recipient.is_active) == (
        "Turun Nuorisoseura",
        "info@nuoriso.example",
        True,
    )
    listing_page = client.get(reverse("listings:recipients"), **EN).text
    assert "Turun Nuorisoseura" in listing_page

    response = post(
        client,
        reverse("listings:recipient_edit", args=[recipient.pk]),
        {"name": "Nuorisoseura ry", "contact": ""},
    )
    assert response.status_code == 302
    recipient.refresh_from_db()
    assert (recipient.name, recipient.contact) == ("Nuorisoseura ry", "")

    response = client.post(
        reverse("listings:recipient_switch", args=[recipient.pk, "deactivate"]), **EN
    )
    assert response.status_code == 302
    recipient.refresh_from_db()
    assert recipient.is_active is False
    client.post(reverse("listings:recipient_switch", args=[recipient.pk, "activate"]), **EN)
    recipient.refresh_from_db()
    assert recipient.is_active is True


def test_a_duplicate_or_empty_name_is_refused(coordinator_client):
    url = reverse("listings:recipient_create")
    post(coordinator_client, url, {"name": "Kontti"})
    response = post(coordinator_client, url, {"name": "kontti"})
    assert response.status_code == 400
    assert "Your organisation&#x27;s list already has a recipient of this name." in response.text
    response = post(coordinator_client, url, {"name": "   "})
    assert response.status_code == 400
    assert "Enter the recipient&#x27;s name." in response.text
    assert Recipient.objects.count() == 1


def test_the_same_name_may_be_on_another_organisations_list():
    theirs = other_organisation()
    Recipient.objects.create(organisation=theirs, name="Kontti")
    mine = recipient_create(actor=UserFactory(roles=[COORDINATOR]), name="Kontti")
    assert mine.organisation_id != theirs.pk


def test_only_coordinators_keep_the_list(client):
    recipient = Recipient.objects.create(
        organisation=UserFactory().unit.department.organisation, name="Kontti"
    )
    urls = [
        reverse("listings:recipients"),
        reverse("listings:recipient_create"),
        reverse("listings:recipient_edit", args=[recipient.pk]),
    ]
    for roles in ([], [WAREHOUSE]):
        client.force_login(UserFactory(roles=roles))
        for url in urls:
            assert client.get(url, **EN).status_code == 403, url
        response = post(client, reverse("listings:recipient_create"), {"name": "Uusi"})
        assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        recipient_create(actor=UserFactory(), name="Uusi")
    assert Recipient.objects.count() == 1


def test_another_organisations_recipient_is_not_found(coordinator_client):
    theirs = Recipient.objects.create(organisation=other_organisation(), name="Muu yhdistys")
    client = coordinator_client
    assert client.get(reverse("listings:recipient_edit", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("listings:recipient_switch", args=[theirs.pk, "deactivate"]))
    assert response.status_code == 404
    with pytest.raises(NotFound):
        recipient_update(
            actor=UserFactory(roles=[COORDINATOR]), recipient_id=theirs.pk, is_active=False
        )
    theirs.refresh_from_db()
    assert theirs.is_active is True
    assert "Muu yhdistys" not in client.get(reverse("listings:recipients"), **EN).text


# --- the auction export ----------------------------------------------------------------------


def auction_url(**params):
    from urllib.parse import urlencode

    return reverse("reports:auction_export") + ("?" + urlencode(params) if params else "")


def sold(listing, *, quantity=None, price="25"):
    return decide(
        listing,
        outcome=Outcome.SELL,
        quantity=quantity or listing.quantity_available,
        starting_price_eur=price,
    )


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


def test_the_auction_export_has_the_columns_the_auction_service_needs(coordinator_client):
    shelf = StorageLocationFactory()
    on_shelf = ended(
        title="Neuvottelupöytä",
        description="Koivua.",
        quantity=3,
        width_cm=160,
        depth_cm=80,
        height_cm=72,
        storage_location=shelf,
        condition=Listing.Condition.LIKE_NEW,
    )
    ListingPhoto.objects.create(
        listing=on_shelf,
        position=0,
        large="listings/ab/abc-large.webp",
        thumb="listings/ab/abc-thumb.webp",
        width=1600,
        height=1200,
    )
    at_unit = ended(title="Hylly", quantity=1, condition=Listing.Condition.NEEDS_REPAIR)
    sold(on_shelf, quantity=2, price="40")
    sold(at_unit, price="0")
    donated = ended(title="Lahjoitettu")
    decide(donated, outcome=Outcome.DONATE, recipient_id=recipient_for(donated).pk)
    elsewhere = UnitFactory(department=DepartmentFactory(organisation=other_organisation()))
    theirs = ended(title="Toisen tuoli", owner_unit=elsewhere)
    sold(theirs)

    response = coordinator_client.get(auction_url(format="csv"), **EN)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="kierratys-auction-')
    header, *rows = csv_rows(response)
    assert header == [
        "Title",
        "Description",
        "Quantity",
        "Location",
        "Photo links",
        "Condition",
        "Suggested starting price (€)",
        "Item code",
    ]
    assert [row[0] for row in rows] == ["Neuvottelupöytä", "Hylly"]  # no donation, no other org
    table, shelf_row = rows[0], rows[0]
    assert table[1].startswith("Koivua.") and "160 × 80 × 72 cm" in table[1]
    assert table[2] == "2"
    assert shelf_row[3] == f"{shelf.warehouse.name}, {shelf.warehouse.address}"
    # An absolute link to the large photo: the site's media, or the bucket's signed address.
    assert table[4].startswith("http") and "/listings/ab/abc-large.webp" in table[4]
    assert (table[5], table[6], table[7]) == ("Like new", "40.00", on_shelf.code)
    unit = at_unit.owner_unit
    assert rows[1][3] == f"{unit.display_name}, {unit.address}"
    assert (rows[1][4], rows[1][5], rows[1][6]) == ("", "Needs repair", "0.00")


def test_the_auction_export_as_excel_and_in_finnish(coordinator_client):
    listing = ended(title="Sohva", quantity=1)
    sold(listing, price="12.5")

    response = coordinator_client.get(auction_url(format="xlsx"), **EN)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    assert values[0][0] == "Title" and values[1][0] == "Sohva"
    assert (values[1][2], values[1][6]) == (1, 12.5)

    finnish = coordinator_client.get(auction_url(format="csv"), HTTP_ACCEPT_LANGUAGE="fi")
    text = finnish.content.decode("utf-8-sig")
    assert ";" in text.splitlines()[0]  # Finnish Excel's separator, decimal comma
    assert "12,50" in text


def test_the_auction_export_takes_a_period(coordinator_client):
    old = ended(title="Vanha")
    sold(old)
    EndOfLife.objects.filter(listing=old).update(decided_at=timezone.now() - timedelta(days=400))
    sold(ended(title="Uusi"))
    today = timezone.localdate()

    page_text = coordinator_client.get(auction_url(), **EN).text
    assert "Uusi" in page_text and "Vanha" not in page_text

    start = (today - timedelta(days=420)).isoformat()
    end = (today - timedelta(days=380)).isoformat()
    rows = csv_rows(coordinator_client.get(auction_url(start=start, end=end, format="csv"), **EN))
    assert [row[0] for row in rows[1:]] == ["Vanha"]

    response = coordinator_client.get(auction_url(start=end, end=start), **EN)
    assert response.status_code == 400
    assert "The last day cannot be before the first day." in response.text


def test_only_coordinators_export_for_the_auction(client):
    sold(ended())
    for roles in ([], [WAREHOUSE]):
        client.force_login(UserFactory(roles=roles))
        assert client.get(auction_url(format="csv"), **EN).status_code == 403
        assert client.get(auction_url(), **EN).status_code == 403


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_decisions_at_once_never_give_away_more_than_is_left():
    listing = ended(quantity=3)
    deciders = [UserFactory(unit=listing.owner_unit) for _ in range(4)]

    def selling(actor):
        def run():
            with translation.override("en"):
                return decide(
                    listing, actor=actor, outcome=Outcome.SELL, quantity=2, starting_price_eur=1
                )

        return run

    done, errors = race([selling(actor) for actor in deciders])

    assert len(done) == 1 and len(errors) == 3
    assert all(isinstance(error, Conflict) for error in errors)
    listing.refresh_from_db()
    assert (listing.quantity_available, listing.quantity_disposed) == (1, 2)
    assert EndOfLife.objects.get().quantity == 2


def test_the_item_page_offers_its_owner_the_decision_once_the_last_stage_ended(client):
    listing = ended()
    client.force_login(owner_of(listing))
    decision = reverse("listings:end_of_life", args=[listing.pk])
    assert decision in client.get(reverse("listings:detail", args=[listing.pk]), **EN).text
    open_one = ListingFactory()  # still on offer: nothing to decide yet
    client.force_login(owner_of(open_one))
    page = client.get(reverse("listings:detail", args=[open_one.pk]), **EN).text
    assert reverse("listings:end_of_life", args=[open_one.pk]) not in page
