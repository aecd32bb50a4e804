"""The item's history in the reader's language: field names, values, dates and fixed notes."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from listings import history
from listings.models import Listing, ListingEvent
from listings.services import listing_update

from ..factories import CategoryFactory, ListingFactory

pytestmark = pytest.mark.django_db


def history_text(client, listing, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("listings:detail", args=[listing.pk])).text
    assert f'<html lang="{language}">' in page
    start = page.index('<section class="history">')
    return " ".join(page[start : page.index("</section>", start)].split())


@pytest.fixture
def edited(client):
    chairs = CategoryFactory(name_fi="Tuolit", name_sv="Stolar", name_en="Chairs")
    listing = ListingFactory(
        category=chairs,
        quantity=5,
        condition=Listing.Condition.GOOD,
        available_from=date(2026, 11, 1),
        available_until=date(2026, 12, 1),
        weight_kg=None,
    )
    tables = CategoryFactory(name_fi="Pöydät", name_sv="Bord", name_en="Tables")
    with translation.override("fi"):  # written in the editor's language, read in another
        listing_update(
            actor=listing.created_by,
            listing_id=listing.pk,
            fields={
                "quantity": 6,
                "condition": Listing.Condition.FAIR,
                "available_until": date(2027, 1, 15),
                "category": tables,
                "weight_kg": Decimal("12.50"),
            },
        )
    client.force_login(listing.created_by)
    return listing


def test_changes_read_in_swedish(client, edited):
    text = history_text(client, edited, "sv")
    assert "Antal: 5 → 6" in text
    assert "Skick: Bra → Godtagbart" in text
    assert "Tillgänglig till: 1.12.2026 → 15.1.2027" in text
    assert "Kategori: Stolar → Bord" in text
    assert "Vikt per föremål (kg): – → 12,50" in text
    assert "quantity" not in text and "fair" not in text and "2027-01-15" not in text


def test_the_same_changes_read_in_finnish_and_english(client, edited):
    finnish = history_text(client, edited, "fi")
    assert "Määrä: 5 → 6" in finnish and "Kunto: Hyvä → Tyydyttävä" in finnish
    assert "Luokka: Tuolit → Pöydät" in finnish
    english = history_text(client, edited, "en")
    assert "Quantity: 5 → 6" in english and "Condition: Good → Fair" in english
    assert "Available until: 1.12.2026 → 15.1.2027" in english
    assert "Weight per item (kg): – → 12.50" in english


def test_history_page_queries_do_not_grow_with_category_changes(
    client, edited, django_assert_max_num_queries
):
    tables = CategoryFactory()
    for _ in range(5):
        other = CategoryFactory()
        listing_update(actor=edited.created_by, listing_id=edited.pk, fields={"category": other})
    listing_update(actor=edited.created_by, listing_id=edited.pk, fields={"category": tables})
    events = list(ListingEvent.objects.filter(listing=edited))
    with django_assert_max_num_queries(1):
        described = history.describe(events)
    assert sum(len(e.change_lines) for e in described) == 5 + 6  # the first edit, then 6 moves


def test_fixed_note_is_stored_as_a_code_and_shown_in_the_readers_language(client):
    listing = ListingFactory()
    with translation.override("fi"):
        event = history.record(
            listing=listing,
            actor=None,
            kind="archived",
            note=translation.gettext("Everything collected or disposed of."),
        )
    assert event.changes["_note"] == "all_gone"
    client.force_login(listing.created_by)
    text = history_text(client, listing, "sv")
    assert "Allt har hämtats eller kasserats." in text
    assert "Kaikki on noudettu" not in text


def test_reservation_reasons_are_fixed_notes_too(client):
    listing = ListingFactory()
    with translation.override("sv"):
        event = history.record(
            listing=listing,
            actor=None,
            kind="collected",
            note=translation.gettext("Confirmed by hand."),
        )
    assert event.changes["_note"] == "by_hand"
    client.force_login(listing.created_by)
    assert "Vahvistettu käsin." in history_text(client, listing, "fi")


def test_notes_written_before_codes_are_recognised_by_their_text(client):
    listing = ListingFactory()
    ListingEvent.objects.create(  # an old row: the Finnish text, no code
        listing=listing, kind="archived", note="Kaikki on noudettu tai poistettu käytöstä."
    )
    client.force_login(listing.created_by)
    assert "Everything collected or disposed of." in history_text(client, listing, "en")


def test_free_text_notes_stay_as_written(client):
    listing = ListingFactory()
    event = history.record(listing=listing, actor=None, kind="withdrawn", note="Käytetään itse")
    assert "_note" not in event.changes
    client.force_login(listing.created_by)
    assert "Käytetään itse" in history_text(client, listing, "sv")


def test_bookkeeping_values_are_not_shown_as_changes(client):
    listing = ListingFactory()
    history.record(
        listing=listing,
        actor=None,
        kind="shelved",
        changes={"task": 987654, "location": ["Koulu", "Varasto A-1"]},
    )
    client.force_login(listing.created_by)
    text = history_text(client, listing, "en")
    assert "Location: Koulu → Varasto A-1" in text
    assert "987654" not in text
