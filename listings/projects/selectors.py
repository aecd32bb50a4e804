"""Reads for projects."""

from django.db.models import Count, Q

from kierratys.accounts.roles import is_coordinator, organisation_id_of
from kierratys.common.errors import NotFound
from listings.models import Listing

from .models import Project, ProjectItem


def projects_for_actor(*, actor):
    """The projects the actor may manage (and add listings to): their unit's, or every
    project of the organisation for a coordinator."""
    organisation_id = organisation_id_of(actor)
    if organisation_id is None:
        return Project.objects.none()
    projects = Project.objects.filter(organisation_id=organisation_id).select_related("unit")
    if is_coordinator(actor):
        return projects
    return projects.filter(Q(unit_id=actor.unit_id))


def project_for_actor(*, actor, project_id) -> Project:
    """One project the actor may manage; another unit's or organisation's is NotFound."""
    project = projects_for_actor(actor=actor).filter(pk=project_id).first()
    if project is None:
        raise NotFound
    return project


def projects_list(*, actor) -> list[Project]:
    """The projects page: each with how many survey lines and listings it has."""
    return list(
        projects_for_actor(actor=actor)
        .select_related("unit")
        .annotate(
            item_count=Count("items", distinct=True),
            listing_count=Count("project_listings", distinct=True),
        )
        .order_by("-created_at", "-pk")
    )


def project_rooms(*, project) -> list[dict]:
    """The survey, room by room (rooms in the order first surveyed), with each line's
    listing, and the project's listings that came from no survey line (moved in from
    "Our listings")."""
    items = list(
        project.items.select_related("listing")
        .prefetch_related("listing__photos")
        .order_by("created_at", "pk")
    )
    rooms: dict[str, list[ProjectItem]] = {}
    for item in items:
        rooms.setdefault(item.room, []).append(item)
    return [{"name": name, "items": lines} for name, lines in rooms.items()]


def project_other_listings(*, project) -> list[Listing]:
    return list(
        Listing.objects.filter(project_link__project=project, project_item__isnull=True)
        .select_related("owner_unit")
        .order_by("pk")
    )
