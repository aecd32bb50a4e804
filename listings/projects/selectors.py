"""Reads for projects."""

from django.db.models import Q

from kierratys.accounts.roles import is_coordinator, organisation_id_of

from .models import Project


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
