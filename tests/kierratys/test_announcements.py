"""Announcements (issue 21): who sees them, when, dismissing, the coordinator's page, and
what a page with them costs."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kierratys import live
from kierratys.accounts.roles import COORDINATOR, STAFF, WAREHOUSE
from kierratys.announcements import selectors, services
from kierratys.announcements.models import Announcement, AnnouncementDismissal
from kierratys.common.errors import ServiceError

from ..factories import (
    OrganisationFactory,
    WarehouseFactory,
    member_of,
    other_organisation,
    running_partnership,
)
from ..support.live import capture_published

pytestmark = pytest.mark.django_db

MANAGE = reverse("announcements:manage")
LIST = reverse("announcements:list")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def turku():
    return OrganisationFactory()


@pytest.fixture
def boss(turku):
    return member_of(turku, [COORDINATOR])


def publish(actor, title="Varasto kiinni", **fields):
    fields.setdefault("ends_at", timezone.now() + timedelta(days=1))
    texts = {"title_fi": title, "body_fi": "Inventaario.\nAvataan maanantaina."}
    texts |= fields.pop("texts", {})
    return services.announcement_publish(actor=actor, texts=texts, **fields)


def seen(user) -> list[str]:
    return [a.title_fi for a in selectors.current_for(user=user)]


def banner(client, path="/notices/") -> str:
    page = client.get(path, **EN).text
    start = page.find("data-announcements")
    return page[start : page.find("</section>", start)] if start != -1 else ""


# --- audience --------------------------------------------------------------------------


def test_everyone_in_the_organisation_and_nobody_else(turku, boss):
    staff = member_of(turku)
    stranger = member_of(other_organisation(1), [COORDINATOR])
    publish(boss, "Kaikille")
    assert seen(staff) == ["Kaikille"] and seen(boss) == ["Kaikille"]
    assert seen(stranger) == []


def test_a_role_audience_reaches_only_that_role(turku, boss):
    driver = member_of(turku, [WAREHOUSE])
    staff = member_of(turku)
    publish(boss, "Kuljettajille", audience="role", role=WAREHOUSE)
    assert seen(driver) == ["Kuljettajille"]
    assert seen(staff) == [] and seen(boss) == []
    assert seen(member_of(other_organisation(1), [WAREHOUSE])) == []


def test_a_warehouses_customers_include_partners_it_serves(turku, boss):
    warehouse = WarehouseFactory(organisation=turku, serves_partners=True)
    kaarina, varha, far = other_organisation(1), other_organisation(2), other_organisation(3)
    running_partnership(turku, kaarina)
    running_partnership(turku, varha)
    WarehouseFactory(organisation=varha)  # Varha has its own: Turku's does not serve it
    publish(boss, "Artukainen kiinni", audience="warehouse", warehouse_id=warehouse.pk)
    assert seen(member_of(turku)) == ["Artukainen kiinni"]
    assert seen(member_of(kaarina)) == ["Artukainen kiinni"]
    assert seen(member_of(varha)) == []
    assert seen(member_of(far)) == []  # no partner: never
    # The live event goes to the same people.
    item = Announcement.objects.get()
    assert set(services.audience_groups(item)) == {
        live.organisation_group(turku.pk),
        live.organisation_group(kaarina.pk),
    }


def test_a_warehouse_that_serves_only_its_own(turku, boss):
    warehouse = WarehouseFactory(organisation=turku, serves_partners=False)
    kaarina = other_organisation(1)
    running_partnership(turku, kaarina)
    publish(boss, "Oma varasto", audience="warehouse", warehouse_id=warehouse.pk)
    assert seen(member_of(turku)) == ["Oma varasto"] and seen(member_of(kaarina)) == []


def test_shown_only_between_start_and_end(turku, boss):
    staff = member_of(turku)
    now = timezone.now()
    later = publish(boss, "Myöhemmin", starts_at=now + timedelta(hours=2))
    assert later.announced_at is None
    assert seen(staff) == []
    assert selectors.current_for(user=staff, now=now + timedelta(hours=3)).get() == later
    assert not selectors.current_for(user=staff, now=now + timedelta(days=2)).exists()


def test_dismissed_is_gone_from_the_banner_but_stays_in_the_list(turku, boss, client):
    staff = member_of(turku)
    item = publish(boss, "Suljettava")
    client.force_login(staff)
    assert "Suljettava" in banner(client)
    response = client.post(reverse("announcements:dismiss", args=[item.pk]), {"next": "/notices/"})
    assert response.status_code == 302 and response["Location"] == "/notices/"
    assert "Suljettava" not in banner(client)
    assert seen(boss) == ["Suljettava"]  # only their own
    page = client.get(LIST, **EN).text
    assert "Suljettava" in page and "dismissed" in page
    # Twice is once; an unsafe next goes to the list.
    again = client.post(
        reverse("announcements:dismiss", args=[item.pk]), {"next": "//evil.example/"}
    )
    assert again["Location"] == LIST and AnnouncementDismissal.objects.count() == 1


def test_dismissing_in_place_answers_json(turku, boss, client):
    item = publish(boss)
    client.force_login(member_of(turku))
    response = client.post(
        reverse("announcements:dismiss", args=[item.pk]), HTTP_ACCEPT="application/json"
    )
    assert response.json() == {"dismissed": item.pk}


def test_nobody_dismisses_what_they_cannot_see(turku, boss, client):
    item = publish(boss, audience="role", role=WAREHOUSE)
    client.force_login(member_of(turku))
    assert client.post(reverse("announcements:dismiss", args=[item.pk])).status_code == 404
    client.force_login(member_of(other_organisation(1)))
    assert client.post(reverse("announcements:dismiss", args=[item.pk])).status_code == 404
    assert not AnnouncementDismissal.objects.exists()


def test_texts_in_the_readers_language_with_finnish_fallback(turku, boss, client):
    publish(boss, "Varasto kiinni", texts={"title_sv": "Lagret stängt", "body_sv": "Inventering."})
    client.force_login(member_of(turku))
    swedish = client.get("/notices/", HTTP_ACCEPT_LANGUAGE="sv").text
    assert "Lagret stängt" in swedish and "Varasto kiinni" not in swedish
    english = client.get("/notices/", **EN).text
    assert 'lang="fi">' in english and "Inventaario.<br>Avataan maanantaina." in english


def test_text_is_plain(turku, boss, client):
    publish(boss, "<b>Lihava</b>")
    client.force_login(member_of(turku))
    page = client.get("/notices/", **EN).text
    assert "<b>Lihava</b>" not in page and "&lt;b&gt;Lihava&lt;/b&gt;" in page


def test_ending_takes_it_away(turku, boss):
    item = publish(boss, "Loppuu")
    services.announcement_end(actor=boss, announcement_id=item.pk)
    assert seen(member_of(turku)) == []
    item.refresh_from_db()
    assert item.ended_at is not None


# --- live events -----------------------------------------------------------------------


def test_publishing_sends_one_event_after_commit(turku, boss, django_capture_on_commit_callbacks):
    with capture_published() as sends, django_capture_on_commit_callbacks(execute=True):
        item = publish(boss, "Heti", severity="important")
        assert sends == []
    [[(groups, event, data)]] = sends
    assert groups == [live.organisation_group(turku.pk)]
    assert event == "announcement.published" and data["id"] == item.pk
    assert data["severity"] == "important"
    assert data["texts"]["sv"]["title"] == {"text": "Heti", "language": "fi"}


def test_a_role_event_goes_to_those_peoples_own_sockets(
    turku, boss, django_capture_on_commit_callbacks
):
    driver = member_of(turku, [WAREHOUSE])
    member_of(turku)
    member_of(other_organisation(1), [WAREHOUSE])
    with capture_published() as sends, django_capture_on_commit_callbacks(execute=True):
        publish(boss, audience="role", role=WAREHOUSE)
    assert sends[0][0][0] == [live.user_group(driver.pk)]


def test_a_scheduled_one_is_announced_when_it_starts(
    turku, boss, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from kierratys.management.jobs import periodic_jobs_run

    start = timezone.now() + timedelta(hours=1)
    with capture_published() as sends, django_capture_on_commit_callbacks(execute=True):
        item = publish(boss, "Pian", starts_at=start)
    assert sends == []
    queued = DBTaskResult.objects.get(task_path__endswith="announcements_go_live")
    assert queued.run_after == start
    assert periodic_jobs_run()["announcements gone live"] == 0  # not yet
    Announcement.objects.filter(pk=item.pk).update(starts_at=timezone.now() - timedelta(1))
    with capture_published() as sends, django_capture_on_commit_callbacks(execute=True):
        assert periodic_jobs_run()["announcements gone live"] == 1
    assert [event for _groups, event, _data in sends[0]] == ["announcement.published"]
    assert periodic_jobs_run()["announcements gone live"] == 0  # once
    assert services.announcements_announce_due() == 0


def test_the_database_keeps_the_end_after_the_start(turku, boss):
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Announcement.objects.create(
            organisation=turku, title_fi="x", body_fi="x", starts_at=now, ends_at=now
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Announcement.objects.create(
            organisation=turku,
            title_fi="x",
            body_fi="x",
            starts_at=now,
            ends_at=now + timedelta(1),
            audience="role",
        )


# --- the coordinator's page -----------------------------------------------------------


def form(**fields):
    end = timezone.localtime() + timedelta(days=2)
    data = {
        "title_fi": "Joulutauko",
        "body_fi": "Varasto on kiinni.\nHyvää joulua!",
        "ends_at": end.strftime("%Y-%m-%dT%H:%M"),
        "audience": "organisation",
        "severity": "info",
        "submission": "token-" + "x" * 20,
    }
    return data | fields


def test_coordinator_publishes_from_the_page(turku, boss, client):
    client.force_login(boss)
    page = client.get(MANAGE, **EN)
    assert page.status_code == 200 and 'type="datetime-local"' in page.text
    response = client.post(MANAGE, form(), **EN)
    assert response.status_code == 302
    item = Announcement.objects.get()
    assert item.organisation == turku and item.created_by == boss
    assert item.body_fi == "Varasto on kiinni.\nHyvää joulua!"
    listed = client.get(response["Location"], **EN).text
    assert "Announcement published. It shows now." in listed and "Joulutauko" in listed
    # End now: gone from everyone's banner, listed as ended.
    end = client.post(
        reverse("announcements:end", args=[item.pk]), {"submission": "end-" + "y" * 20}
    )
    assert end.status_code == 302
    assert seen(member_of(turku)) == []


def test_scheduled_and_ended_are_listed_apart(turku, boss, client):
    start = timezone.now() + timedelta(days=1)
    publish(boss, "Ensi viikolla", starts_at=start, ends_at=start + timedelta(days=1))
    client.force_login(boss)
    page = client.get(MANAGE, **EN).text
    scheduled = page[page.find('id="scheduled-heading"') : page.find('id="new-heading"')]
    assert "Ensi viikolla" in scheduled and "Cancel" in scheduled


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"title_fi": ""}, "title_fi", "This field is required."),
        ({"ends_at": "tomorrow"}, "ends_at", "Enter a date and time, for example 24.12.2026 8.00."),
        (
            {"ends_at": "2020-01-01T10:00"},
            "ends_at",
            "The end must be after the start, and in the future.",
        ),
        ({"audience": "role"}, "role", "Choose the role whose people see the announcement."),
        (
            {"audience": "warehouse"},
            "warehouse",
            "Choose one of your organisation&#x27;s warehouses.",
        ),
        (
            {"title_sv": "Bara titel"},
            "body_sv",
            "Give both the title and the text in this language, or neither.",
        ),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(boss, client, fields, field, message):
    client.force_login(boss)
    response = client.post(MANAGE, form(**fields), **EN)
    assert response.status_code == 400
    assert message in response.text
    assert f'id="id_{field}_error"' in response.text
    assert not Announcement.objects.exists()


def test_another_organisations_warehouse_cannot_be_chosen(boss, client):
    theirs = WarehouseFactory(organisation=other_organisation(1))
    client.force_login(boss)
    response = client.post(MANAGE, form(audience="warehouse", warehouse=theirs.pk), **EN)
    assert response.status_code == 400 and not Announcement.objects.exists()
    with pytest.raises(ServiceError):
        publish(boss, audience="warehouse", warehouse_id=theirs.pk)
    assert not Announcement.objects.exists()


@pytest.mark.parametrize("roles", [[], [WAREHOUSE]])
def test_only_coordinators_manage(turku, client, roles):
    client.force_login(member_of(turku, roles))
    assert client.get(MANAGE).status_code == 403
    assert client.post(MANAGE, form()).status_code == 403
    assert not Announcement.objects.exists()
    with pytest.raises(PermissionDenied):
        publish(member_of(turku, roles))


def test_another_organisations_announcement_is_a_404(turku, boss, client):
    item = publish(boss)
    client.force_login(member_of(other_organisation(1), [COORDINATOR]))
    response = client.post(
        reverse("announcements:end", args=[item.pk]), {"submission": "end-" + "z" * 20}
    )
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.ended_at is None


def test_coordinators_find_the_page_among_their_tools(boss, client):
    client.force_login(boss)
    assert 'data-tool="announcements"' in client.get("/organisation/", **EN).text
    client.force_login(member_of(roles=[STAFF]))
    assert client.get("/organisation/", **EN).status_code == 403


# --- the page's cost -------------------------------------------------------------------


def test_the_banner_is_one_query_however_many_there_are(turku, boss, client):
    client.force_login(member_of(turku))

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/notices/", **EN)
        assert response.status_code == 200
        ours = [q for q in queries.captured_queries if "announcements_announcement" in q["sql"]]
        return len(queries), len(ours), response.text.count('class="announcement announcement-')

    client.get("/notices/")
    none = count()
    for n in range(8):
        publish(boss, f"Tiedote {n}")
    client.get("/notices/")  # reads the time windows again, once
    many = count()
    assert none[2] == 0 and many[2] == selectors.BANNER_LIMIT
    assert none[1] == 0, "nothing current anywhere: no announcement query at all"
    assert many[1] == 1 and many[0] == none[0] + 1


def test_publishing_and_ending_show_on_the_next_page_despite_the_cache(turku, boss, client):
    """The time windows are cached (shared): publishing and ending forget them."""
    client.force_login(member_of(turku))
    assert "Tiedote" not in banner(client)  # caches "nothing current"
    publish(boss, "Tiedote muualta")
    assert "Tiedote muualta" in banner(client)
    services.announcement_end(actor=boss, announcement_id=Announcement.objects.get().pk)
    assert "Tiedote muualta" not in banner(client)


def test_signed_out_pages_make_no_announcement_query(client):
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("login"))
    assert not [q for q in queries.captured_queries if "announcement" in q["sql"]]
