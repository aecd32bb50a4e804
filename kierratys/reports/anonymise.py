"""Anonymising a person (issue 23): what identifies them goes, the records stay.

People cannot be deleted: their listings, reservations, tasks and decisions point at
their account (protected foreign keys), and the reports count them. So the account stays
as a placeholder: its name, email and phone are replaced, it is switched off without a
password or sessions, and the free text they wrote (reservation notes and contacts,
history notes, decision notes) is cleared, as are their saved searches, notices and
sign-in records. Quantities, dates, units and categories stay as they were, so every
report gives the same figures. Listing descriptions are about furniture and stay.

On top of the layers, as it writes into every app. A coordinator of the person's own
organisation does it; never to a superuser or to themselves.
"""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from kierratys import live
from kierratys.accounts.models import Notice, User
from kierratys.accounts.privacy.models import Anonymisation, PersonalDataAccess
from kierratys.accounts.roles import is_coordinator, organisation_id_of
from kierratys.accounts.services import user_sessions_end
from kierratys.common.errors import Conflict, NotFound, ServiceError
from kierratys.common.submissions import FormSubmission
from listings.models import EndOfLife, ListingEvent, SavedSearch
from reservations.models import HandoverDocument, Reservation
from reservations.services import reservation_contacts_clear


def anonymised_email(user_id: int) -> str:
    """Unique, and never deliverable (.invalid is reserved for that)."""
    return f"anonymised-{user_id}@invalid"


def anonymised_name(user_id: int) -> str:
    """What others see in its place, in the service's own language (it is stored)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Anonymised person %(id)d") % {"id": user_id}


def may_anonymise(actor, user) -> bool:
    """For the page's button; the service checks again, under the lock."""
    return (
        is_coordinator(actor)
        and actor.pk != user.pk
        and not user.is_superuser
        and not hasattr(user, "anonymisation")
    )


def _check(actor, user: User | None) -> None:
    own = organisation_id_of(actor)
    if user is None or own is None or organisation_id_of(user) != own:
        raise NotFound  # another organisation's people do not exist for this coordinator
    if not is_coordinator(actor):
        raise PermissionDenied
    if user.pk == actor.pk:
        raise ServiceError(_("You cannot anonymise your own account."))
    if user.is_superuser:
        raise ServiceError(_("A superuser's account cannot be anonymised here."))
    if Anonymisation.objects.filter(user=user).exists():
        raise Conflict(_("This person has already been anonymised."))


def _clear_free_text(user: User, organisation_id: int, old_name: str, label: str) -> None:
    reservations = Reservation.objects.filter(requested_by=user)
    reservation_contacts_clear(reservations=reservations)
    # The handover documents name the contact person the reservation gave, and the giver.
    HandoverDocument.objects.filter(reservation__requested_by=user).update(receiver_name=label)
    if old_name:
        ours = Q(giving_organisation_id=organisation_id) | Q(
            receiving_organisation_id=organisation_id
        )
        HandoverDocument.objects.filter(ours, giver_name=old_name).update(giver_name=label)
        HandoverDocument.objects.filter(ours, receiver_name=old_name).update(receiver_name=label)
    # A reason they gave (a cancellation) is the note of their history event, and the
    # reservation's reason: cleared in both, only where it is still their text.
    events = ListingEvent.objects.filter(actor=user).exclude(note="")
    for changes, note in events.values_list("changes", "note"):
        reservation_id = changes.get("reservation") if isinstance(changes, dict) else None
        if isinstance(reservation_id, int):
            Reservation.objects.filter(pk=reservation_id, reason=note).update(reason="")
    events.update(note="")
    EndOfLife.objects.filter(decided_by=user).exclude(note="").update(note="")


def user_anonymise(*, actor, user_id: int) -> User:
    """Anonymise `user_id` for good, in one transaction, with the account locked."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        _check(actor, user)
        organisation_id = organisation_id_of(user)
        old_name, old_email = user.full_name, user.email
        label = anonymised_name(user.pk)
        _clear_free_text(user, organisation_id, old_name, label)
        SavedSearch.objects.filter(user=user).delete()
        Notice.objects.filter(user=user).delete()
        FormSubmission.objects.filter(user=user).delete()
        for log in (AccessAttempt, AccessLog, AccessFailureLog):
            log.objects.filter(username=old_email).delete()
        # The log keeps that their details were seen, not the details themselves.
        PersonalDataAccess.objects.filter(subject=user).update(subject_description="")
        user_sessions_end(user=user)
        user.full_name = label
        user.email = anonymised_email(user.pk)
        user.phone = ""
        user.is_active = False
        user.is_staff = False
        user.email_verified_at = None
        user.last_login = None
        user.last_sign_in_method = user.last_sign_in_provider = ""
        user.set_unusable_password()
        user.save()
        user.groups.clear()
        Anonymisation.objects.create(user=user, by=actor)
        live.regroup_user(user.pk)
    return user
