from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kierratys.accounts.models import Notice
from listings import alerts, services
from listings.models import SavedSearch

from ..factories import CategoryFactory, ListingFactory, UserFactory

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
