"""Write side of listings: create, edit, publish, withdraw, photos.

Photos are processed and their files written before the transaction opens: no transaction
or row lock waits on the storage service. If writing fails, or the transaction that then
records them does, every file written for the request is deleted again (best effort,
logged), so no row is left without files and no file without a row.
"""

import logging
import math
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kierratys.accounts.models import Department, Organisation
from kierratys.common.limits import MAX_QUANTITY

from .. import audience, history, hooks, search
from ..codes import code_format
from ..events import listing_announce
from ..models import MAX_PHOTOS, Listing, ListingEvent, ListingPhoto
from ..permissions import can_edit, lists_onto_shelves
from ..photos import ProcessedPhoto, process_photos

logger = logging.getLogger(__name__)

# Fixed notes in the history, shown in the reader's language (history.note_text).
history.register_notes(
    {"all_gone": gettext_lazy("Everything collected or disposed of.")},
    earlier_wording={"Kaikki on noudettu tai poistettu käytöstä.": "all_gone"},
)

EDITABLE_FIELDS = [
    "title",
    "description",
    "category",
    "condition",
    "width_cm",
    "depth_cm",
    "height_cm",
    "weight_kg",
    "material",
    "colour",
    "quantity",
    "pickup_instructions",
    "available_from",
    "available_until",
    "owner_approves",
    "approval_days",
    "for_loan",
    "loan_max_days",
]


class PhotoStorageError(ValidationError):
    """The storage service failed; the user may simply try again."""


def _too_many_photos() -> ValidationError:
    return ValidationError(
        _("You can add at most %(max)d photos to a listing.") % {"max": MAX_PHOTOS}
    )


def process_uploads(uploads, *, actor) -> list[ProcessedPhoto]:
    """Turn uploads into renditions; any bad file refuses the whole batch."""
    if len(uploads) > MAX_PHOTOS:
        raise _too_many_photos()
    if uploads:
        _count_photo_uploads(actor, len(uploads))
    return process_photos(uploads)


_UPLOAD_WINDOW = 3600  # seconds: PHOTO_UPLOADS_PER_HOUR counts per clock hour


def _count_photo_uploads(actor, count: int) -> None:
    """Each photo costs up to seconds of CPU, so one account may send only so many an
    hour. Counted before anything is decoded; a refused batch is not counted."""
    limit = settings.PHOTO_UPLOADS_PER_HOUR
    now = time.time()
    key = f"photo-uploads:{actor.pk}:{int(now // _UPLOAD_WINDOW)}"
    cache.add(key, 0, timeout=_UPLOAD_WINDOW)
    try:
        used = cache.incr(key, count)
    except ValueError:  # the key expired between add and incr
        cache.set(key, count, timeout=_UPLOAD_WINDOW)
        used = count
    if used > limit:
        cache.decr(key, count)
        minutes = math.ceil((_UPLOAD_WINDOW - now % _UPLOAD_WINDOW) / 60)
        raise ValidationError(
            _(
                "You have added many photos within this hour (at most %(limit)d an hour). "
                "Nothing was saved. Please try again in %(minutes)d min."
            )
            % {"limit": limit, "minutes": minutes}
        )


def _write_photo_files(processed: list[ProcessedPhoto]) -> tuple[list[dict], list[str]]:
    """Write every rendition, outside any transaction. Returns the new photo rows' fields
    and the names written. On failure, deletes what was (or may have been) written."""
    rows, written = [], []
    try:
        for photo in processed:
            # Not under the listing's id: the files exist before its row (a new listing's).
            token = uuid.uuid4().hex
            stem = f"listings/{token[:2]}/{token}"
            names = {}
            for rendition in (photo.large, photo.thumb):
                name = f"{stem}-{rendition.kind}.{rendition.extension}"
                # Listed before the call: a timeout can come after the service stored it.
                written.append(name)
                written[-1] = default_storage.save(name, ContentFile(rendition.content))
                names[rendition.kind] = written[-1]
            rows.append(
                {
                    "large": names["large"],
                    "thumb": names["thumb"],
                    "width": photo.large.width,
                    "height": photo.large.height,
                }
            )
    except Exception as error:
        logger.exception("Saving a photo rendition failed")
        _delete_files(*written)
        raise PhotoStorageError(
            _("The photos could not be saved just now. Nothing was saved; please try again.")
        ) from error
    return rows, written


def _add_photo_rows(listing: Listing, rows: list[dict], first_position: int) -> None:
    for offset, row in enumerate(rows):
        ListingPhoto.objects.create(listing=listing, position=first_position + offset, **row)


def _validate(listing: Listing) -> None:
    errors = {}
    if listing.available_until < listing.available_from:
        errors["available_until"] = _("The last day cannot be before the first day.")
    if not 1 <= listing.quantity <= MAX_QUANTITY:
        errors["quantity"] = _("Quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY}
    if errors:
        raise ValidationError(errors)


def _serve_waiting_list(listing: Listing, actor) -> None:
    """Quantity on offer again (relisted, or more of it) goes to the waiting list first."""
    hooks.quantity_freed(listing=listing, actor=actor)


def _announce_published(listing: Listing, actor) -> None:
    """Live event for open catalogues; saved-search matching by the worker after commit;
    then whoever else is told of a published listing (hooks.listing_published)."""
    from ..alerts import match_saved_searches

    listing_announce(listing, "listing.published")
    match_saved_searches.enqueue(listing.pk)
    hooks.listing_published(listing=listing, actor=actor)


def listing_archive_when_gone(*, listing: Listing, actor) -> bool:
    """Archive a listing once every piece is collected or disposed of; callers hold its lock
    and save it. The one home of that rule, for collection, delivery and disposal alike."""
    gone = listing.quantity_collected + listing.quantity_disposed
    if gone < listing.quantity or listing.status == Listing.Status.ARCHIVED:
        return False
    listing.status = Listing.Status.ARCHIVED
    history.record(
        listing=listing,
        actor=actor,
        kind="archived",
        note=_("Everything collected or disposed of."),
    )
    return True


def _start_audience(listing: Listing) -> None:
    """A listing published for the first time is seen by its own department first."""
    organisation = Organisation.objects.get(pk=listing.organisation_id)
    listing.audience, listing.audience_widens_at = audience.stage_from(
        organisation, Listing.Audience.DEPARTMENT, listing.published_at
    )


def _lock_for_edit(actor, listing_id: int) -> Listing:
    listing = Listing.objects.select_for_update().filter(pk=listing_id).first()
    if listing is None:
        raise Listing.DoesNotExist
    if not can_edit(actor, listing):
        raise PermissionDenied
    return listing


def listing_create(*, actor, unit, fields: dict, uploads=(), publish: bool) -> Listing:
    """A unit lists an item, with up to 8 photos, as a draft or published at once."""
    if unit is None:
        raise ValidationError(_("Your account is not linked to a unit. Contact support."))
    location = fields.get("storage_location")
    if location is not None and (not lists_onto_shelves(actor) or not location.warehouse.is_active):
        raise ValidationError(
            {"storage_location": _("Only warehouse staff can list onto a shelf.")}
        )
    _validate(Listing(**fields))  # before any photo work: the form may be refused anyway
    processed = process_uploads(list(uploads), actor=actor)
    rows, written = _write_photo_files(processed)
    try:
        with transaction.atomic():
            listing = Listing(
                owner_unit=unit,
                department_id=unit.department_id,
                organisation_id=unit.department.organisation_id,
                created_by=actor,
                **fields,
            )
            listing.quantity_available = listing.quantity
            if publish:
                listing.status = Listing.Status.PUBLISHED
                listing.published_at = timezone.now()
                _start_audience(listing)
            _validate(listing)
            listing.save()
            listing.code = code_format(listing.pk)
            listing.save(update_fields=["code"])
            history.record(listing=listing, actor=actor, kind=ListingEvent.Kind.CREATED)
            _add_photo_rows(listing, rows, 0)
            if rows:
                history.record(
                    listing=listing,
                    actor=actor,
                    kind=ListingEvent.Kind.PHOTO_ADDED,
                    changes={"count": len(rows)},
                )
            search.refresh_vectors([listing.pk])
            if publish:
                history.record(listing=listing, actor=actor, kind=ListingEvent.Kind.PUBLISHED)
                _announce_published(listing, actor)
    except BaseException:
        _delete_files(*written)
        raise
    return listing


def _display(value) -> str:
    if value is None or value == "":
        return ""
    return str(getattr(value, "pk", value))


def listing_update(
    *,
    actor,
    listing_id: int,
    fields: dict,
    uploads=(),
    remove_photo_ids=(),
    alt_texts: dict | None = None,
    cover_photo_id: int | None = None,
    photo_order=(),
) -> Listing:
    """Edit a listing and its photos. Reserved items stay reserved when quantity changes.
    `photo_order`: photo ids that come first, in that order (the rest keep theirs after
    them; new photos go last); ids that are not the listing's photos are ignored."""
    uploads = list(uploads)
    if uploads:  # checked without locks before the photo work, again under the lock below
        listing = Listing.objects.filter(pk=listing_id).first()
        if listing is None:
            raise Listing.DoesNotExist
        if not can_edit(actor, listing):
            raise PermissionDenied
        kept = listing.photos.exclude(pk__in=list(remove_photo_ids)).count()
        if kept + len(uploads) > MAX_PHOTOS:
            raise _too_many_photos()
    processed = process_uploads(uploads, actor=actor)
    rows, written = _write_photo_files(processed)
    try:
        with transaction.atomic():
            listing = _update_rows(
                actor=actor,
                listing_id=listing_id,
                fields=fields,
                rows=rows,
                remove_photo_ids=remove_photo_ids,
                alt_texts=alt_texts,
                cover_photo_id=cover_photo_id,
                photo_order=photo_order,
            )
    except BaseException:
        _delete_files(*written)
        raise
    return listing


def _update_rows(
    *, actor, listing_id, fields, rows, remove_photo_ids, alt_texts, cover_photo_id, photo_order
) -> Listing:
    listing = _lock_for_edit(actor, listing_id)
    changes = {}
    held = listing.quantity - listing.quantity_available  # reserved or already collected
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            continue
        old = getattr(listing, name)
        if _display(old) != _display(value):
            changes[name] = [_display(old), _display(value)]
            setattr(listing, name, value)
    if listing.quantity < held:
        raise ValidationError(
            {
                "quantity": _("%(reserved)d of these are reserved; the quantity cannot be less.")
                % {"reserved": held}
            }
        )
    listing.quantity_available = listing.quantity - held
    if changes:
        hooks.listing_edit_check(listing=listing, changes=changes)
    if "available_until" in changes and listing.available_until >= timezone.localdate():
        listing.expiry_notified_at = None  # a new last day: the owner is asked again after it
    _validate(listing)
    listing.save()
    if changes:
        history.record(listing=listing, actor=actor, kind=ListingEvent.Kind.EDITED, changes=changes)
        search.refresh_vectors([listing.pk])

    photos = {p.pk: p for p in listing.photos.select_for_update()}
    removed = [photos.pop(pk) for pk in remove_photo_ids if pk in photos]
    if len(photos) + len(rows) > MAX_PHOTOS:
        raise _too_many_photos()
    for photo in removed:
        photo.delete()
        # After commit, so a rolled-back edit never loses files its rows still name.
        transaction.on_commit(lambda p=photo: _delete_files(p.large.name, p.thumb.name))
    if removed:
        history.record(
            listing=listing,
            actor=actor,
            kind=ListingEvent.Kind.PHOTO_REMOVED,
            changes={"count": len(removed)},
        )
    for pk, text in (alt_texts or {}).items():
        photo = photos.get(pk)
        if photo is not None and photo.alt_text != text.strip():
            photo.alt_text = text.strip()[:200]
            photo.save(update_fields=["alt_text"])
    ordered = sorted(photos.values(), key=lambda p: p.position)
    first = [pk for pk in photo_order if pk in photos] or [cover_photo_id]
    reordered = sorted(ordered, key=lambda p: first.index(p.pk) if p.pk in first else len(first))
    if reordered != ordered:
        ordered = reordered
        history.record(listing=listing, actor=actor, kind=ListingEvent.Kind.PHOTO_CHANGED)
    _renumber(ordered)
    _add_photo_rows(listing, rows, len(ordered))
    if rows:
        history.record(
            listing=listing,
            actor=actor,
            kind=ListingEvent.Kind.PHOTO_ADDED,
            changes={"count": len(rows)},
        )
    if listing.status == Listing.Status.PUBLISHED:
        _serve_waiting_list(listing, actor)
        listing_announce(listing)
    return listing


def _renumber(photos: list[ListingPhoto]) -> None:
    """Close gaps in positions without tripping the unique (listing, position) constraint."""
    if all(photo.position == index for index, photo in enumerate(photos)):
        return
    # Two steps: park in 8-15, then settle in 0-7; each step keeps positions unique.
    for index, photo in enumerate(photos):
        ListingPhoto.objects.filter(pk=photo.pk).update(position=MAX_PHOTOS + index)
    for index, photo in enumerate(photos):
        ListingPhoto.objects.filter(pk=photo.pk).update(position=index)
        photo.position = index


def _delete_files(*names: str) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:
            logger.exception("Could not delete photo file %s", name)


def listing_publish(*, actor, listing_id: int) -> Listing:
    with transaction.atomic():
        listing = _lock_for_edit(actor, listing_id)
        if listing.status == Listing.Status.PUBLISHED:
            return listing
        if listing.status == Listing.Status.ARCHIVED:
            raise ValidationError(_("An archived listing cannot be published again."))
        today = timezone.localdate()
        if listing.available_until < today:
            raise ValidationError(
                _("The availability period has ended. Change the last day first.")
            )
        kind = (
            ListingEvent.Kind.RELISTED
            if listing.status == Listing.Status.WITHDRAWN
            else ListingEvent.Kind.PUBLISHED
        )
        first_time = listing.published_at is None
        listing.status = Listing.Status.PUBLISHED
        listing.published_at = listing.published_at or timezone.now()
        if first_time:
            _start_audience(listing)
        listing.save(
            update_fields=[
                "status",
                "published_at",
                "audience",
                "audience_widens_at",
                "updated_at",
            ]
        )
        history.record(listing=listing, actor=actor, kind=kind)
        _serve_waiting_list(listing, actor)
        _announce_published(listing, actor)
    return listing


def listing_withdraw(*, actor, listing_id: int, reason: str = "") -> Listing:
    with transaction.atomic():
        listing = _lock_for_edit(actor, listing_id)
        if listing.status != Listing.Status.PUBLISHED:
            raise ValidationError(_("Only a published listing can be withdrawn."))
        listing.status = Listing.Status.WITHDRAWN
        listing.save(update_fields=["status", "updated_at"])
        history.record(listing=listing, actor=actor, kind=ListingEvent.Kind.WITHDRAWN, note=reason)
        listing_announce(listing, "listing.removed")
    return listing


def listings_follow_unit(*, unit) -> int:
    """A unit moved to another department or organisation: its listings' copies follow, so
    their audience is the unit's new department and organisation (called in the move's
    transaction, through accounts.hooks.unit_moved)."""
    return Listing.objects.filter(owner_unit=unit).update(
        department_id=unit.department_id,
        organisation_id=Department.objects.get(pk=unit.department_id).organisation_id,
    )
