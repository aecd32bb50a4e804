"""Projects (issue 21 item 5): a relocation or renovation groups a building's listings."""

from datetime import date

import pytest
from django.db import IntegrityError
from django.urls import reverse

from kierratys.accounts.roles import COORDINATOR
from kierratys.common.errors import NotFound, ServiceError
from kierratys.common.submissions import new_token
from listings.models import Listing
from listings.projects.models import Project, ProjectItem, ProjectListing
from listings.projects.selectors import projects_for_actor
from listings.projects.services import (
    project_create,
    project_item_add,
    project_listings_add,
    project_update,
)

from ..factories import (
    CategoryFactory,
    ListingFactory,
    UserFactory,
    member_of,
    other_organisation,
    unit_of,
)
from ..images import jpeg_upload

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

pytestmark = pytest.mark.django_db


def _project(user, **fields):
    values = {"kind": "relocation", "name": "Koulun muutto", "target_reuse_rate": 70} | fields
    return project_create(actor=user, unit=user.unit, **values)


def test_staff_create_a_project_of_their_unit():
    user = member_of()
    project = _project(user)
    assert project.organisation_id == user.unit.department.organisation_id
    assert list(projects_for_actor(actor=user)) == [project]


def test_target_outside_0_to_100_is_refused_by_service_and_database():
    user = member_of()
    with pytest.raises(ServiceError):
        _project(user, target_reuse_rate=101)
    project = _project(user)
    with pytest.raises(IntegrityError):
        Project.objects.filter(pk=project.pk).update(target_reuse_rate=150)


def test_projects_for_actor_unit_staff_see_their_unit_coordinators_the_organisation():
    user = member_of()
    organisation = user.unit.department.organisation
    colleague = UserFactory(unit=unit_of(organisation))
    own, theirs = _project(user), _project(colleague)
    coordinator = member_of(organisation, roles=[COORDINATOR])
    assert list(projects_for_actor(actor=user)) == [own]
    assert set(projects_for_actor(actor=coordinator)) == {own, theirs}
    assert list(projects_for_actor(actor=member_of(other_organisation()))) == []


def test_listings_are_added_all_or_nothing_and_move_between_projects():
    user = member_of()
    first, second = _project(user, name="A"), _project(user, name="B")
    chairs, table = ListingFactory(owner_unit=user.unit), ListingFactory(owner_unit=user.unit)
    assert project_listings_add(actor=user, project_id=first.pk, listing_ids=[chairs.pk]) == 1
    stranger = ListingFactory(owner_unit=unit_of(other_organisation()))
    with pytest.raises(ServiceError):
        project_listings_add(
            actor=user, project_id=second.pk, listing_ids=[chairs.pk, table.pk, stranger.pk]
        )
    assert list(second.project_listings.all()) == []
    assert ProjectListing.objects.get(listing=chairs).project == first
    project_listings_add(actor=user, project_id=second.pk, listing_ids=[chairs.pk, table.pk])
    assert set(second.project_listings.values_list("listing", flat=True)) == {chairs.pk, table.pk}


def test_another_organisations_project_is_not_found():
    user = member_of()
    project = _project(user)
    outsider = member_of(other_organisation(), roles=[COORDINATOR])
    listing = ListingFactory(owner_unit=outsider.unit)
    with pytest.raises(NotFound):
        project_listings_add(actor=outsider, project_id=project.pk, listing_ids=[listing.pk])
    with pytest.raises(ServiceError):
        project_listings_add(actor=user, project_id=project.pk, listing_ids=[])


def _survey(user, project, **fields):
    values = {
        "room": "A 204",
        "title": "Grey office chair",
        "quantity": 6,
        "decision": "offer",
        "category": CategoryFactory(),
        "condition": "good",
    } | fields
    return project_item_add(actor=user, project_id=project.pk, **values)


def test_end_before_start_is_refused_by_service_and_database():
    user = member_of()
    with pytest.raises(ServiceError) as refused:
        _project(user, starts_on=date(2027, 3, 1), ends_on=date(2027, 2, 1))
    assert "ends_on" in refused.value.error_dict
    project = _project(user, starts_on=date(2027, 3, 1))
    with pytest.raises(IntegrityError):
        Project.objects.filter(pk=project.pk).update(ends_on=date(2027, 1, 1))


def test_offering_a_surveyed_item_makes_a_prefilled_draft_listing_in_the_project():
    user = member_of()
    project = _project(user)
    category = CategoryFactory()
    item = _survey(user, project, category=category, photo=jpeg_upload("chair.jpg"))
    listing = item.listing
    assert listing.status == Listing.Status.DRAFT
    assert (listing.title, listing.category, listing.condition, listing.quantity) == (
        "Grey office chair",
        category,
        "good",
        6,
    )
    assert listing.owner_unit == project.unit
    assert "A 204" in listing.description
    assert listing.photos.count() == 1  # through the listing's own photo pipeline
    assert ProjectListing.objects.get(listing=listing).project == project
    assert not item.thumb


def test_keeping_a_surveyed_item_makes_no_listing_and_keeps_its_photo():
    user = member_of()
    project = _project(user)
    item = _survey(user, project, decision="keep", category=None, condition="", photo=jpeg_upload())
    assert item.listing is None
    assert item.thumb.name.startswith("listings/") and item.thumb.storage.exists(item.thumb.name)
    assert Listing.objects.count() == 0


@pytest.mark.parametrize("quantity", [0, -1, 1000, "many"])
def test_a_survey_line_needs_a_quantity_from_1_to_999(quantity):
    user = member_of()
    project = _project(user)
    with pytest.raises(ServiceError) as refused:
        _survey(user, project, quantity=quantity)
    assert "quantity" in refused.value.error_dict
    assert ProjectItem.objects.count() == 0 and Listing.objects.count() == 0


def test_an_offered_line_needs_a_category_and_condition_a_kept_one_does_not():
    user = member_of()
    project = _project(user)
    with pytest.raises(ServiceError) as refused:
        _survey(user, project, category=None, condition="")
    assert {"category", "condition"} <= set(refused.value.error_dict)
    with pytest.raises(ServiceError):
        _survey(user, project, room=" ", title="")
    assert _survey(user, project, decision="keep", category=None, condition="").pk
    with pytest.raises(IntegrityError):
        ProjectItem.objects.update(quantity=0)


def test_another_organisations_project_cannot_be_surveyed_or_changed():
    user = member_of()
    project = _project(user)
    outsider = member_of(other_organisation(), roles=[COORDINATOR])
    with pytest.raises(NotFound):
        _survey(outsider, project)
    with pytest.raises(NotFound):
        project_update(
            actor=outsider,
            project_id=project.pk,
            unit=outsider.unit,
            kind="renovation",
            name="Ours now",
            target_reuse_rate=10,
        )
    assert Project.objects.get(pk=project.pk).name == "Koulun muutto"


# Pages


def _form(**fields):
    return {
        "name": "Koivukylän koulu",
        "kind": "relocation",
        "building": "Koivukyläntie 1",
        "starts_on": "2027-01-10",
        "ends_on": "2027-06-30",
        "target_reuse_rate": "80",
        "submission": new_token(),
    } | fields


def test_staff_create_a_project_on_its_page(client):
    user = member_of()
    client.force_login(user)
    response = client.post(reverse("projects:create"), _form(unit=user.unit_id), **EN)
    project = Project.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("projects:detail", args=[project.pk])
    assert (project.target_reuse_rate, project.unit, project.building) == (
        80,
        user.unit,
        "Koivukyläntie 1",
    )
    page = client.get(reverse("projects:list"), **EN)
    assert "Koivukylän koulu" in page.content.decode()


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"target_reuse_rate": "101"}, "The target is between 0 and 100 %."),
        ({"target_reuse_rate": "-5"}, "The target is between 0 and 100 %."),
        (
            {"starts_on": "2027-06-30", "ends_on": "2027-01-10"},
            "The project cannot end before it starts.",
        ),
        ({"name": "  "}, "This field is required."),
    ],
)
def test_bad_project_input_is_explained_and_nothing_is_saved(client, fields, message):
    user = member_of()
    client.force_login(user)
    response = client.post(reverse("projects:create"), _form(unit=user.unit_id, **fields), **EN)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Project.objects.count() == 0


def test_staff_cannot_make_a_project_for_another_unit(client):
    user = member_of()
    other_unit = unit_of(user.unit.department.organisation)
    client.force_login(user)
    response = client.post(reverse("projects:create"), _form(unit=other_unit.pk), **EN)
    assert response.status_code == 400
    assert Project.objects.count() == 0


def test_a_coordinator_edits_a_units_project(client):
    user = member_of()
    project = _project(user)
    coordinator = member_of(user.unit.department.organisation, roles=[COORDINATOR])
    client.force_login(coordinator)
    url = reverse("projects:edit", args=[project.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _form(unit=user.unit_id, target_reuse_rate="65"), **EN)
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).target_reuse_rate == 65


def test_another_organisations_or_units_project_pages_are_404(client):
    user = member_of()
    project = _project(user)
    colleague = UserFactory(unit=unit_of(user.unit.department.organisation))
    for stranger in (member_of(other_organisation(), roles=[COORDINATOR]), colleague):
        client.force_login(stranger)
        for name in ("projects:detail", "projects:edit", "project_report"):
            assert client.get(reverse(name, args=[project.pk])).status_code == 404
        assert project.name not in client.get(reverse("projects:list")).content.decode()


def test_survey_one_item_after_another_in_the_same_room(client):
    user = member_of()
    project = _project(user)
    category = CategoryFactory()
    client.force_login(user)
    url = reverse("projects:detail", args=[project.pk])
    line = {
        "room": "A 204",
        "title": "Grey office chair",
        "quantity": "6",
        "decision": "offer",
        "category": category.pk,
        "condition": "good",
        "photo": jpeg_upload(),
        "submission": new_token(),
    }
    response = client.post(url, line, follow=True, **EN)
    listing = Listing.objects.get()
    assert response.redirect_chain[-1][0] == f"{url}?room=A+204#survey"
    page = response.content.decode()
    assert f"Saved: 6 × Grey office chair in A 204, offered. Draft listing {listing.code}" in page
    assert response.context["form"].initial["room"] == "A 204"
    kept = line | {"title": "Whiteboard", "quantity": "1", "decision": "keep"}
    kept |= {"category": "", "condition": "", "photo": "", "submission": new_token()}
    response = client.post(url, kept, follow=True, **EN)
    assert "Saved: 1 × Whiteboard in A 204, kept." in response.content.decode()
    rooms = response.context["rooms"]
    assert [(r["name"], [i.title for i in r["items"]]) for r in rooms] == [
        ("A 204", ["Grey office chair", "Whiteboard"])
    ]


def test_a_survey_line_of_quantity_0_is_explained_and_nothing_is_saved(client):
    user = member_of()
    project = _project(user)
    client.force_login(user)
    line = {
        "room": "A 204",
        "title": "Chair",
        "quantity": "0",
        "decision": "keep",
        "submission": new_token(),
    }
    response = client.post(reverse("projects:detail", args=[project.pk]), line, **EN)
    assert response.status_code == 400
    assert "Quantity must be between 1 and 999." in response.content.decode()
    assert ProjectItem.objects.count() == 0


def test_a_file_that_is_no_photo_is_told_under_the_photo(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    user = member_of()
    project = _project(user)
    client.force_login(user)
    line = {
        "room": "A 204",
        "title": "Chair",
        "quantity": "2",
        "decision": "keep",
        "photo": SimpleUploadedFile("x.jpg", b"not a photo", content_type="image/jpeg"),
        "submission": new_token(),
    }
    response = client.post(reverse("projects:detail", args=[project.pk]), line, **EN)
    assert response.status_code == 400
    assert "photo" in response.context["form"].errors
    assert ProjectItem.objects.count() == 0


def test_a_mistaken_kept_line_is_removed_with_its_photo_an_offered_one_is_not(
    client, django_capture_on_commit_callbacks
):
    user = member_of()
    project = _project(user)
    kept = _survey(user, project, decision="keep", photo=jpeg_upload())
    offered = _survey(user, project)
    storage, thumb = kept.thumb.storage, kept.thumb.name
    client.force_login(user)

    def remove(item):
        url = reverse("projects:item_remove", args=[project.pk, item.pk])
        return client.post(url, {"submission": new_token()}, follow=True, **EN)

    with django_capture_on_commit_callbacks(execute=True):
        response = remove(kept)
    assert "The line is taken out of the survey." in response.content.decode()
    assert not ProjectItem.objects.filter(pk=kept.pk).exists()
    assert not storage.exists(thumb)
    response = remove(offered)
    assert "An offered item is a listing" in response.content.decode()
    assert ProjectItem.objects.filter(pk=offered.pk).exists()
    client.force_login(member_of(other_organisation(), roles=[COORDINATOR]))
    assert remove(offered).status_code == 404
