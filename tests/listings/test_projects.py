"""Projects (issue 21 item 5): a relocation or renovation groups a building's listings."""

import pytest
from django.db import IntegrityError

from kierratys.accounts.roles import COORDINATOR
from kierratys.common.errors import NotFound, ServiceError
from listings.projects.models import Project, ProjectListing
from listings.projects.selectors import projects_for_actor
from listings.projects.services import project_create, project_listings_add

from ..factories import ListingFactory, UserFactory, member_of, other_organisation, unit_of

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
