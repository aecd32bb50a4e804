from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kierratys.accounts.models import Notice
from listings import alerts, services
from listings.models import Listing, SavedSearch
from listings.services.audience import match_saved_searches_widened
from listings.wanted import services as wanted_services

from ..factories import (
    CategoryFactory,
    DepartmentFactory,
    ListingFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def searcher(client):
    user = UserFactory(email="etsija@demo.example", language="en")
    client.force_login(user)
    return user


def publish(title="Harmaa tuoli", condition="good", **fields):
    author = UserFactory()
    return services.listing_create(
        actor=author,
        unit=author.unit,
        fields={
            "title": title,
            "category": CategoryFactory(),
            "condition": condition,
            "quantity": 2,
            **fields,
        },
        publish=True,
    )


def test_save_rename_and_delete_a_search(client, searcher):
    page = client.get(reverse("listings:search_new") + "?q=tuoli&condition=good&page=3")
    assert page.status_code == 200
    response = client.post(
        reverse("listings:search_new"),
        {"name": "Tuolit taukotilaan", "query": page.context["query"]},
    )
    assert response.status_code == 302
    saved = SavedSearch.objects.get(user=searcher)
    assert saved.query == "condition=good&q=tuoli"  # page dropped, order stable
    listing_page = client.get(reverse("listings:searches"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Tuolit taukotilaan" in listing_page.text
    assert "Condition: Good" in listing_page.text

    client.post(reverse("listings:search_rename", args=[saved.pk]), {"name": "Tuolit"})
    saved.refresh_from_db()
    assert saved.name == "Tuolit"
    client.post(reverse("listings:search_delete", args=[saved.pk]))
    assert not SavedSearch.objects.exists()


def test_duplicate_or_empty_names_are_refused(client, searcher):
    services.saved_search_create(user=searcher, name="Tuolit", query="q=tuoli")
    response = client.post(
        reverse("listings:search_new"),
        {"name": "Tuolit", "query": "q=x"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "already have a saved search with this name" in response.text
    response = client.post(reverse("listings:search_new"), {"name": "  ", "query": "q=x"})
    assert response.status_code == 400
    assert SavedSearch.objects.count() == 1


def test_others_searches_cannot_be_touched(client, searcher):
    other = services.saved_search_create(user=UserFactory(), name="Theirs", query="q=x")
    assert client.post(reverse("listings:search_delete", args=[other.pk])).status_code == 404
    assert (
        client.post(
            reverse("listings:search_rename", args=[other.pk]), {"name": "Mine"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("listings:search_alerts", args=[other.pk]), {"enabled": "0"}
        ).status_code
        == 404
    )
    other.refresh_from_db()
    assert other.name == "Theirs" and other.alerts_enabled


def test_matching_listing_gives_notice_and_one_email(searcher, run_tasks):
    services.saved_search_create(user=searcher, name="Tuolit", query="condition=good")
    publish("Harmaa tuoli", condition="good")
    publish("Rikkinäinen pöytä", condition="needs_repair")
    run_tasks()
    notices = list(Notice.objects.filter(user=searcher))
    assert [n.params["title"] for n in notices] == ["Harmaa tuoli"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [searcher.email]
    assert "Harmaa tuoli" in mail.outbox[0].body
    assert "Tuolit" in mail.outbox[0].subject
    assert "/listings/searches/unsubscribe/" in mail.outbox[0].body


def test_no_alert_when_publishing_rolls_back(searcher, run_tasks):
    services.saved_search_create(user=searcher, name="All", query="")
    with pytest.raises(RuntimeError), transaction.atomic():
        publish("Harmaa tuoli")
        raise RuntimeError("something later in the request failed")
    run_tasks()
    assert not Notice.objects.exists()
    assert mail.outbox == []


def test_no_alert_for_own_units_listings(searcher, run_tasks):
    services.saved_search_create(user=searcher, name="All", query="")
    services.listing_create(
        actor=searcher,
        unit=searcher.unit,
        fields={
            "title": "Oma tuoli",
            "category": CategoryFactory(),
            "condition": "good",
            "quantity": 1,
        },
        publish=True,
    )
    run_tasks()
    assert not Notice.objects.exists()


def test_at_most_one_email_an_hour_the_rest_bundled(searcher, run_tasks):
    saved = services.saved_search_create(user=searcher, name="All", query="")
    publish("Tuoli 1")
    run_tasks()
    publish("Tuoli 2")
    publish("Tuoli 3")
    run_tasks()
    assert len(mail.outbox) == 1
    assert Notice.objects.filter(user=searcher).count() == 3
    saved.refresh_from_db()
    assert saved.digest_scheduled and len(saved.pending_listing_ids) == 2
    digest = DBTaskResult.objects.get(status="READY")
    assert digest.run_after >= saved.last_emailed_at + timedelta(minutes=59)

    # An hour later the worker sends one digest with both.
    DBTaskResult.objects.filter(pk=digest.pk).update(run_after=timezone.now())
    run_tasks()
    assert len(mail.outbox) == 2
    assert "Tuoli 2" in mail.outbox[1].body and "Tuoli 3" in mail.outbox[1].body
    saved.refresh_from_db()
    assert saved.pending_listing_ids == [] and not saved.digest_scheduled


def test_one_click_unsubscribe_without_login(client, run_tasks):
    user = UserFactory()
    saved = services.saved_search_create(user=user, name="All", query="")
    token = alerts.unsubscribe_token(saved)
    response = client.post(
        reverse("listings:search_unsubscribe", args=[token]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "You will no longer get emails" in response.text
    saved.refresh_from_db()
    assert not saved.alerts_enabled
    publish("Tuoli")
    run_tasks()
    assert mail.outbox == []
    assert Notice.objects.filter(user=user).count() == 1  # in-app notices continue
    bad = client.post(reverse("listings:search_unsubscribe", args=[token + "x"]))
    assert bad.status_code == 404


def test_alert_matches_what_the_catalogue_shows(searcher):
    saved = services.saved_search_create(user=searcher, name="Wide", query="width_min=100")
    narrow = ListingFactory(width_cm=50)
    wide = ListingFactory(width_cm=150)
    later = ListingFactory(width_cm=150, available_from=timezone.localdate() + timedelta(days=3))
    assert not alerts.matches(saved, narrow.pk)
    assert alerts.matches(saved, wide.pk)
    assert not alerts.matches(saved, later.pk)  # the catalogue hides it by default too


def test_notices_page_lists_and_marks_read(client, searcher):
    Notice.objects.create(
        user=searcher,
        kind="search_match",
        params={"search": "All", "title": "Tuoli"},
        url="/listings/1/",
    )
    page = client.get(reverse("notices"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Tuoli" in page.text and 'class="badge"' in page.text
    client.post(reverse("notices"))
    assert not Notice.objects.filter(read_at__isnull=True).exists()


# --- one alert per saved search and listing, whichever task asks ------------------------------


def live_events(monkeypatch) -> list:
    """(event, listing id) of every live event published from here on."""
    sent = []

    def publish(groups, event, data, **kwargs):
        sent.append((event, data.get("listing_id")))

    monkeypatch.setattr(alerts.live, "publish", publish)
    return sent


def colleague_elsewhere(user, **fields):
    """Someone in another department of `user`'s organisation."""
    department = DepartmentFactory(organisation=user.unit.department.organisation)
    return UserFactory(unit=UnitFactory(department=department), **fields)


def test_an_answer_to_a_wanted_request_alerts_a_saved_search_once(searcher, run_tasks, monkeypatch):
    """Publishing an answer widens it at once (to the asker's organisation), so both the
    publish and the widened matcher are queued: the searcher, whom only the wider stage
    shows it to, hears of it once, in-app, live and in the digest."""
    organisation = searcher.unit.department.organisation
    organisation.department_days = 7  # listings start at their own department
    organisation.save()
    chairs = CategoryFactory()
    saved = services.saved_search_create(user=searcher, name="All", query="")
    SavedSearch.objects.filter(pk=saved.pk).update(last_emailed_at=timezone.now())
    asker = colleague_elsewhere(searcher)
    wanted = wanted_services.wanted_post(
        actor=asker,
        unit=asker.unit,
        fields={
            "category": chairs,
            "quantity": 1,
            "details": "",
            "needed_by": None,
            "audience": Listing.Audience.ORGANISATION,
        },
    )
    giver = colleague_elsewhere(searcher)
    draft = wanted_services.wanted_answer(actor=giver, request_id=wanted.pk)
    listing = services.listing_publish(actor=giver, listing_id=draft.pk)
    listing.refresh_from_db()
    assert listing.audience == Listing.Audience.ORGANISATION  # widened in publishing
    events = live_events(monkeypatch)
    run_tasks()
    notices = Notice.objects.filter(user=searcher, kind=Notice.Kind.SEARCH_MATCH)
    assert [n.params["title"] for n in notices] == [listing.title]
    assert [e for e in events if e == ("search.match", listing.pk)] == [
        ("search.match", listing.pk)
    ]
    saved.refresh_from_db()
    assert saved.pending_listing_ids == [listing.pk]  # one digest entry


def test_publish_and_widened_matchers_for_one_listing_alert_once(searcher, run_tasks):
    saved = services.saved_search_create(user=searcher, name="All", query="")
    giver = colleague_elsewhere(searcher)
    listing = ListingFactory(owner_unit=giver.unit)
    assert alerts.match_saved_searches.call(listing.pk) == 1
    assert match_saved_searches_widened.call(listing.pk, Listing.Audience.DEPARTMENT) == 0
    assert alerts.match_saved_searches.call(listing.pk) == 0  # a retried task, too
    assert Notice.objects.filter(user=searcher).count() == 1
    run_tasks()
    assert len(mail.outbox) == 1
    saved.refresh_from_db()
    assert saved.pending_listing_ids == []


def test_another_listing_still_alerts_the_same_search(searcher, run_tasks):
    saved = services.saved_search_create(user=searcher, name="All", query="")
    giver = colleague_elsewhere(searcher)
    first = ListingFactory(owner_unit=giver.unit, title="Ensimmäinen tuoli")
    other = ListingFactory(owner_unit=giver.unit, title="Toinen tuoli")
    for listing in (first, other):
        match_saved_searches_widened.call(listing.pk, Listing.Audience.DEPARTMENT)
        alerts.match_saved_searches.call(listing.pk)
    titles = Notice.objects.filter(user=searcher).values_list("params__title", flat=True)
    assert sorted(titles) == ["Ensimmäinen tuoli", "Toinen tuoli"]
    run_tasks()
    assert [m.body.count("Ensimmäinen tuoli") for m in mail.outbox] == [1]  # at once
    saved.refresh_from_db()
    assert saved.pending_listing_ids == [other.pk]  # the other in the digest, once
