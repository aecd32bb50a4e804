"""Writes for projects."""

from django.db import transaction
from django.utils.translation import gettext as _

from kierratys.accounts.roles import belongs_to_unit, is_coordinator, organisation_id_of
from kierratys.common.errors import Conflict, NotFound, ServiceError
from kierratys.common.limits import MAX_QUANTITY
from listings.models import Category, Listing
from listings.services import listing_create, process_uploads
from listings.services.listing import _delete_files, _write_photo_files

from .models import Project, ProjectItem, ProjectListing
from .selectors import projects_for_actor


def _checked(*, kind, name, target_reuse_rate, starts_on, ends_on, building="") -> dict:
    errors = {}
    if kind not in Project.Kind.values:
        errors["kind"] = _("Choose relocation or renovation.")
    try:
        target = int(target_reuse_rate)
    except (TypeError, ValueError):
        target = None
    if target is None or not 0 <= target <= 100:
        errors["target_reuse_rate"] = _("The target is between 0 and 100 %.")
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = _("The project cannot end before it starts.")
    if not (name or "").strip():
        errors["name"] = _("Give the project a name.")
    if errors:
        raise ServiceError(errors)
    return {
        "kind": kind,
        "name": name.strip()[:200],
        "building": (building or "").strip()[:200],
        "target_reuse_rate": target,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }


def _check_unit(actor, unit) -> int:
    """The actor's organisation's id, if the actor may run a project of this unit: its own
    staff, or a coordinator of its organisation (as for "Our listings"); else NotFound."""
    organisation_id = organisation_id_of(actor)
    if unit is None or organisation_id is None:
        raise NotFound
    if unit.department.organisation_id != organisation_id:
        raise NotFound
    if not (belongs_to_unit(actor, unit.pk) or is_coordinator(actor)):
        raise NotFound
    return organisation_id


@transaction.atomic
def project_create(
    *, actor, unit, kind, name, target_reuse_rate, starts_on=None, ends_on=None, building=""
) -> Project:
    """A project of the actor's unit, or of any unit of a coordinator's organisation."""
    organisation_id = _check_unit(actor, unit)
    fields = _checked(
        kind=kind,
        name=name,
        target_reuse_rate=target_reuse_rate,
        starts_on=starts_on,
        ends_on=ends_on,
        building=building,
    )
    return Project.objects.create(organisation_id=organisation_id, unit=unit, **fields)


@transaction.atomic
def project_update(
    *,
    actor,
    project_id,
    unit,
    kind,
    name,
    target_reuse_rate,
    starts_on=None,
    ends_on=None,
    building="",
) -> Project:
    """Change a project the actor may manage (NotFound otherwise); only a coordinator moves
    it to another unit of the organisation."""
    project = projects_for_actor(actor=actor).select_for_update().filter(pk=project_id).first()
    if project is None:
        raise NotFound
    _check_unit(actor, unit)
    fields = _checked(
        kind=kind,
        name=name,
        target_reuse_rate=target_reuse_rate,
        starts_on=starts_on,
        ends_on=ends_on,
        building=building,
    )
    project.unit = unit
    for field, value in fields.items():
        setattr(project, field, value)
    project.save()
    return project


@transaction.atomic
def project_listings_add(*, actor, project_id, listing_ids) -> int:
    """Put these listings into the project, all or nothing. A project the actor may not
    manage is NotFound (404); every listing must be of the project's organisation, else
    ServiceError and nothing changes. A listing already in another project moves to this
    one (a listing is in at most one project). Returns how many listings were given."""
    project = projects_for_actor(actor=actor).select_for_update().filter(pk=project_id).first()
    if project is None:
        raise NotFound
    try:
        ids = {int(i) for i in listing_ids}
    except (TypeError, ValueError):
        raise ServiceError(_("Choose listings from the list.")) from None
    if not ids:
        raise ServiceError(_("Choose at least one listing."))
    listings = list(
        Listing.objects.select_for_update()
        .filter(pk__in=ids, organisation_id=project.organisation_id)
        .order_by("pk")
    )
    if len(listings) != len(ids):
        raise ServiceError(_("Some of the chosen listings are not your organisation's."))
    for listing in listings:
        ProjectListing.objects.update_or_create(listing=listing, defaults={"project": project})
    return len(listings)


def _survey_fields(*, room, title, quantity, decision, category, condition) -> dict:
    errors = {}
    room, title = (room or "").strip(), (title or "").strip()
    if not room:
        errors["room"] = _("Name the room, for example 'A 204' or 'Staff room'.")
    if not title:
        errors["title"] = _("Say what the item is.")
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        quantity = 0
    if not 1 <= quantity <= MAX_QUANTITY:
        errors["quantity"] = _("Quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY}
    if decision not in ProjectItem.Decision.values:
        errors["decision"] = _("Choose whether the unit keeps it or offers it.")
    if decision == ProjectItem.Decision.OFFER:
        if not isinstance(category, Category):
            errors["category"] = _("Choose a category for an item on offer.")
        if condition not in Listing.Condition.values:
            errors["condition"] = _("Choose the condition of an item on offer.")
    if errors:
        raise ServiceError(errors)
    return {"room": room[:100], "title": title[:120], "quantity": quantity, "decision": decision}


def project_item_add(
    *,
    actor,
    project_id,
    room,
    title,
    quantity,
    decision,
    category=None,
    condition="",
    photo=None,
) -> ProjectItem:
    """One line of the room-by-room survey. "Offer" makes a draft listing of the project's
    unit, prefilled from the line (title, category, condition, quantity, the photo), through
    the listing service, and puts it in the project; "keep" records what stays, with its
    photo made by the same photo pipeline. Nothing is written when anything is refused."""
    project = projects_for_actor(actor=actor).filter(pk=project_id).first()
    if project is None:
        raise NotFound
    fields = _survey_fields(
        room=room,
        title=title,
        quantity=quantity,
        decision=decision,
        category=category,
        condition=condition,
    )
    uploads = [photo] if photo else []
    if fields["decision"] == ProjectItem.Decision.OFFER:
        with transaction.atomic():
            listing = listing_create(
                actor=actor,
                unit=project.unit,
                fields={
                    "title": fields["title"],
                    "category": category,
                    "condition": condition,
                    "quantity": fields["quantity"],
                    "description": _("From %(project)s, room %(room)s.")
                    % {"project": project.name, "room": fields["room"]},
                },
                uploads=uploads,
                publish=False,
            )
            ProjectListing.objects.create(project=project, listing=listing)
            return ProjectItem.objects.create(
                project=project, listing=listing, created_by=actor, **fields
            )
    # Kept: the photo's files are written before the transaction, deleted again if it fails.
    rows, written = _write_photo_files(process_uploads(uploads, actor=actor))
    try:
        with transaction.atomic():
            photo_fields = {"large": rows[0]["large"], "thumb": rows[0]["thumb"]} if rows else {}
            return ProjectItem.objects.create(
                project=project, created_by=actor, **fields, **photo_fields
            )
    except BaseException:
        _delete_files(*written)
        raise


def project_item_remove(*, actor, project_id, item_id) -> None:
    """Take a mistaken line out of the survey. A kept line goes with its photo (its files
    once the transaction commits); an offered one is a listing by now, so it is changed or
    withdrawn on the listing's own page instead."""
    with transaction.atomic():
        project = projects_for_actor(actor=actor).filter(pk=project_id).first()
        item = (
            ProjectItem.objects.select_for_update().filter(pk=item_id, project=project).first()
            if project is not None
            else None
        )
        if item is None:
            raise NotFound
        if item.decision == ProjectItem.Decision.OFFER:
            raise Conflict(
                _("An offered item is a listing: change or withdraw it on the listing's page.")
            )
        names = [name for name in (item.large.name, item.thumb.name) if name]
        item.delete()
        transaction.on_commit(lambda: _delete_files(*names))
