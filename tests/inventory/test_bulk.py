"""Bulk work in "Our listings" (issue 21, item 6): one action on many listings, all or
nothing, through the same services as one listing's own page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory.models import Task
from inventory.services.bulk import BatchRefused, listings_bulk_apply
from kierratys.common.errors import NotFound
from kierratys.common.submissions import new_token
from listings.models import Listing, ListingEvent

from ..factories import (
    ListingFactory,
    UserFactory,
    WarehouseFactory,
    other_organisation,
    unit_of,
)
from ..support.live import capture_published

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
URL = reverse("inventory:bulk")


@pytest.fixture
def owner():
    return UserFactory()


def ours(owner, count=3, **fields):
    return [ListingFactory(owner_unit=owner.unit, created_by=owner, **fields) for _ in range(count)]


def post(client, listings, action, **data):
    ids = [x if isinstance(x, int) else x.pk for x in listings]
    payload = {"id": ids, "action": action, "submission": new_token(), **data}
    return client.post(URL, payload, follow=True, **EN)


def texts(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def statuses(listings) -> set[str]:
    return {Listing.objects.get(pk=x.pk).status for x in listings}


def test_withdraws_every_chosen_listing_and_says_how_many(client, owner):
    listings = ours(owner)
    client.force_login(owner)
    response = post(client, listings, "withdraw")
    assert response.redirect_chain[-1][0] == reverse("listings:mine")
    assert statuses(listings) == {Listing.Status.WITHDRAWN}
    assert texts(response) == ["3 listings withdrawn. Nobody can reserve them now."]
    # Each through the listing service: its history says so.
    assert ListingEvent.objects.filter(kind=ListingEvent.Kind.WITHDRAWN).count() == 3


def test_extends_the_last_day_of_every_chosen_listing(client, owner):
    listings = ours(owner, 2)
    new_day = timezone.localdate() + timedelta(days=60)
    client.force_login(owner)
    response = post(client, listings, "extend", last_day=new_day.isoformat())
    assert {Listing.objects.get(pk=x.pk).available_until for x in listings} == {new_day}
    assert texts(response) == [
        f"2 listings are now available until {new_day.day}.{new_day.month}.{new_day.year}.",
    ]
    assert ListingEvent.objects.filter(kind=ListingEvent.Kind.EDITED).count() == 2


def test_extending_needs_a_day_from_today_on(client, owner):
    listings = ours(owner, 2)
    client.force_login(owner)
    yesterday = timezone.localdate() - timedelta(days=1)
    for data in ({}, {"last_day": yesterday.isoformat()}):
        response = post(client, listings, "extend", **data)
        assert texts(response) == ["Choose the new last day: today or later."]
    response = post(client, listings, "extend", last_day="31.31.2030")
    assert texts(response) == ["Enter the new last day as a date."]
    assert not ListingEvent.objects.filter(kind=ListingEvent.Kind.EDITED).exists()


def test_extending_never_shortens_and_then_nothing_is_extended(client, owner):
    today = timezone.localdate()
    short = ours(owner, 2, available_until=today + timedelta(days=5))
    long = ListingFactory(
        owner_unit=owner.unit, created_by=owner, available_until=today + timedelta(days=90)
    )
    client.force_login(owner)
    response = post(client, [*short, long], "extend", last_day=(today + timedelta(30)).isoformat())
    assert Listing.objects.get(pk=short[0].pk).available_until == today + timedelta(days=5)
    messages = texts(response)
    assert messages[0] == ("Nothing was changed: 1 of the selected listings cannot be extended.")
    assert messages[1].startswith(f"{long.code} {long.title}: It is already available until")


def test_sends_every_chosen_listing_to_the_warehouse(client, owner):
    WarehouseFactory(organisation=owner.unit.department.organisation)
    listings = ours(owner)
    client.force_login(owner)
    response = post(client, listings, "warehouse")
    tasks = Task.objects.filter(kind=Task.Kind.INTAKE)
    assert sorted(tasks.values_list("listing_id", flat=True)) == sorted(x.pk for x in listings)
    assert texts(response) == ["The warehouse has been asked to fetch 3 listings."]


def test_one_listing_already_asked_for_sends_none_to_the_warehouse(client, owner):
    WarehouseFactory(organisation=owner.unit.department.organisation)
    listings = ours(owner)
    client.force_login(owner)
    post(client, listings[:1], "warehouse")
    response = post(client, listings, "warehouse")
    assert Task.objects.count() == 1  # only the first request's
    first = listings[0]
    assert texts(response) == [
        "Nothing was changed: 1 of the selected listings cannot be sent to the warehouse.",
        f"{first.code} {first.title}: The warehouse has already been asked to fetch this item.",
    ]


def test_labels_open_the_label_sheet_of_the_chosen(client, owner):
    listings = ours(owner, 2)
    ListingFactory(owner_unit=owner.unit)  # not chosen
    client.force_login(owner)
    response = post(client, listings, "labels")
    ids = ",".join(str(x.pk) for x in listings)
    assert response.redirect_chain[-1][0] == f"{reverse('listings:labels')}?ids={ids}"
    assert response.content.decode().count('class="label"') == 2


def test_one_refusal_changes_nothing_names_each_refused_and_sends_no_live_event(
    client, owner, django_capture_on_commit_callbacks
):
    published = ours(owner, 2)
    draft = ListingFactory(
        owner_unit=owner.unit, status=Listing.Status.DRAFT, published_at=None, title="Luonnos"
    )
    withdrawn = ListingFactory(
        owner_unit=owner.unit, status=Listing.Status.WITHDRAWN, title="Poistettu"
    )
    client.force_login(owner)
    with capture_published() as sends, django_capture_on_commit_callbacks(execute=True):
        response = post(client, [*published, draft, withdrawn], "withdraw")
    assert statuses(published) == {Listing.Status.PUBLISHED}
    assert not ListingEvent.objects.filter(kind=ListingEvent.Kind.WITHDRAWN).exists()
    assert not [e for send in sends for e in send if e[1].startswith("listing.")]
    reason = "Only a published listing can be withdrawn."
    assert texts(response) == [
        "Nothing was changed: 2 of the selected listings cannot be withdrawn.",
        f"{draft.code} Luonnos: {reason}",
        f"{withdrawn.code} Poistettu: {reason}",
    ]
    # Back on "Our listings" with the same rows still chosen, to change the choice.
    page = response.content.decode()
    assert response.redirect_chain[-1][0].startswith(reverse("listings:mine") + "?selected=")
    for listing in [*published, draft, withdrawn]:
        assert f'value="{listing.pk}" checked' in page


def test_a_batch_that_commits_sends_its_live_events_once(owner, django_capture_on_commit_callbacks):
    listings = ours(owner)
    with capture_published() as sends, django_capture_on_commit_callbacks(execute=True):
        assert (
            listings_bulk_apply(
                actor=owner, action="withdraw", listing_ids=[x.pk for x in listings]
            )
            == 3
        )
    removed = {
        data["id"] for send in sends for _, event, data in send if event == "listing.removed"
    }
    assert removed == {x.pk for x in listings}
    assert len(sends) == 1  # one send for the whole batch, after it committed


def test_the_service_names_each_refusal(owner):
    listings = ours(owner, 2)
    archived = ListingFactory(owner_unit=owner.unit, status=Listing.Status.ARCHIVED)
    with pytest.raises(BatchRefused) as refused:
        listings_bulk_apply(
            actor=owner,
            action="extend",
            listing_ids=[*(x.pk for x in listings), archived.pk],
            last_day=timezone.localdate() + timedelta(days=100),
        )
    assert [(listing.pk, reasons) for listing, reasons in refused.value.failures] == [
        (archived.pk, ["This item is archived."])
    ]
    assert refused.value.total == 3
    assert not ListingEvent.objects.filter(kind=ListingEvent.Kind.EDITED).exists()


@pytest.mark.parametrize("action", ["withdraw", "extend", "warehouse", "labels"])
def test_another_organisations_listing_in_the_batch_is_a_404_and_changes_nothing(
    client, owner, action
):
    WarehouseFactory(organisation=owner.unit.department.organisation)
    listings = ours(owner, 2)
    theirs = ListingFactory(owner_unit=unit_of(other_organisation()))
    client.force_login(owner)
    day = (timezone.localdate() + timedelta(days=60)).isoformat()
    response = client.post(
        URL,
        {
            "id": [*(x.pk for x in listings), theirs.pk],
            "action": action,
            "last_day": day,
            "submission": new_token(),
        },
    )
    assert response.status_code == 404
    assert statuses([*listings, theirs]) == {Listing.Status.PUBLISHED}
    assert not Task.objects.exists()
    assert not ListingEvent.objects.exists()


def test_another_units_listing_is_a_404_for_a_unit_member(client, owner):
    neighbour = ListingFactory(owner_unit=unit_of(owner.unit.department.organisation))
    client.force_login(owner)
    response = client.post(
        URL,
        {
            "id": [ours(owner, 1)[0].pk, neighbour.pk],
            "action": "withdraw",
            "submission": new_token(),
        },
    )
    assert response.status_code == 404
    assert statuses([neighbour]) == {Listing.Status.PUBLISHED}


def test_a_missing_id_is_a_404(client, owner):
    listing = ours(owner, 1)[0]
    client.force_login(owner)
    response = client.post(
        URL,
        {"id": [listing.pk, listing.pk + 1000], "action": "withdraw", "submission": new_token()},
    )
    assert response.status_code == 404
    assert statuses([listing]) == {Listing.Status.PUBLISHED}


def test_at_most_200_at_a_time(client, owner):
    listings = ours(owner, 2)
    client.force_login(owner)
    ids = [x.pk for x in listings] + list(range(10**6, 10**6 + 199))
    response = post(client, ids, "withdraw")
    assert texts(response) == [
        "You can choose at most 200 listings at a time. Nothing was changed."
    ]
    assert statuses(listings) == {Listing.Status.PUBLISHED}


def test_nothing_chosen_or_no_action_is_explained(client, owner):
    listing = ours(owner, 1)[0]
    client.force_login(owner)
    assert texts(post(client, [], "withdraw")) == ["Choose at least one listing."]
    assert texts(post(client, [listing], "melt")) == [
        "Choose what to do with the selected listings."
    ]
    assert statuses([listing]) == {Listing.Status.PUBLISHED}


def test_a_repeated_form_is_done_once(client, owner):
    listings = ours(owner, 2)
    client.force_login(owner)
    data = {"id": [x.pk for x in listings], "action": "withdraw", "submission": new_token()}
    client.post(URL, data, **EN)
    response = client.post(URL, data, follow=True, **EN)
    assert texts(response)[-1] == "This form was already sent. Here is the result."
    assert ListingEvent.objects.filter(kind=ListingEvent.Kind.WITHDRAWN).count() == 2


def test_our_listings_offers_the_bulk_form(client, owner):
    listings = ours(owner, 2)
    client.force_login(owner)
    page = client.get(reverse("listings:mine"), **EN).content.decode()
    assert f'action="{URL}"' in page and 'name="submission"' in page
    # Each checkbox is named by its listing's code and title (visible code, hidden words).
    first = listings[0]
    assert (
        f'<span><span class="visually-hidden">Select </span>{first.code}'
        f'<span class="visually-hidden"> {first.title}</span></span>'
    ) in page
    assert "checked" not in page
    page = client.get(reverse("listings:mine") + "?select=all", **EN).content.decode()
    assert page.count(" checked>") == 2
    assert "Clear the selection" in page


def test_bulk_form_needs_post(client, owner):
    client.force_login(owner)
    assert client.get(URL).status_code == 405


# Move to a project (issue 21, item 6, with item 5's projects)


def _project(owner, name="Koulun muutto"):
    from listings.projects.services import project_create

    return project_create(
        actor=owner, unit=owner.unit, kind="relocation", name=name, target_reuse_rate=70
    )


def test_moves_every_chosen_listing_into_the_project(client, owner):
    from listings.projects.models import ProjectListing

    listings = ours(owner)
    project = _project(owner)
    earlier = _project(owner, name="Vanha")
    ProjectListing.objects.create(project=earlier, listing=listings[0])
    client.force_login(owner)
    response = post(client, listings, "project", project=project.pk)
    assert response.redirect_chain[-1][0] == reverse("listings:mine")
    assert texts(response) == ["3 listings moved to the project Koulun muutto."]
    assert set(project.project_listings.values_list("listing", flat=True)) == {
        x.pk for x in listings
    }
    assert not earlier.project_listings.exists()  # a listing is in one project at a time


def test_moving_needs_a_project_and_nothing_moves_without_one(client, owner):
    listings = ours(owner, 2)
    _project(owner)
    client.force_login(owner)
    for data in ({}, {"project": ""}, {"project": "abc"}):
        response = post(client, listings, "project", **data)
        assert texts(response) == ["Choose the project to move the listings to."]
    from listings.projects.models import ProjectListing

    assert not ProjectListing.objects.exists()


def test_another_organisations_or_units_project_is_a_404_and_nothing_moves(client, owner):
    from listings.projects.models import ProjectListing

    listings = ours(owner, 2)
    stranger = UserFactory(unit=unit_of(other_organisation()))
    colleague = UserFactory(unit=unit_of(owner.unit.department.organisation))
    client.force_login(owner)
    for project in (_project(stranger), _project(colleague)):
        payload = {"id": [x.pk for x in listings], "action": "project", "project": project.pk}
        response = client.post(URL, payload | {"submission": new_token()}, **EN)
        assert response.status_code == 404
    assert not ProjectListing.objects.exists()
    with pytest.raises(NotFound):
        listings_bulk_apply(
            actor=owner, action="project", listing_ids=[listings[0].pk], project_id=project.pk
        )


def test_our_listings_offers_moving_to_the_units_projects(client, owner):
    ours(owner, 1)
    client.force_login(owner)
    page = client.get(reverse("listings:mine"), **EN).content.decode()
    assert 'value="project"' not in page  # no project yet: nothing to move to
    project = _project(owner)
    _project(UserFactory(unit=unit_of(owner.unit.department.organisation)), name="Theirs")
    page = client.get(reverse("listings:mine"), **EN).content.decode()
    assert '<option value="project">Move to a project</option>' in page
    assert f'<option value="{project.pk}">Koulun muutto</option>' in page
    assert "Theirs" not in page
