"""Read side of the legal pages: whose page it is, its statement or notice, and the
coordinator's feedback list."""

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, Q, Value, When
from django.utils import timezone

from kierratys.accounts.models import Organisation
from kierratys.accounts.roles import is_coordinator, organisation_id_of
from kierratys.accounts.selectors import organisation_by_slug, organisation_of
from kierratys.common.errors import NotFound

from .models import AccessibilityFeedback, AccessibilityStatement, PrivacyNotice


def chosen_organisation(*, user, slug: str | None) -> Organisation | None:
    """The organisation whose page this is: the one named in the address, else the signed-in
    user's own, else the only one there is. None when the reader must choose."""
    if slug:
        return organisation_by_slug(slug=slug)  # NotFound for an unknown or inactive one
    own = organisation_of(user=user)
    if own is not None:
        return own
    active = list(Organisation.objects.filter(is_active=True)[:2])
    return active[0] if len(active) == 1 else None


def organisations_to_choose() -> list[Organisation]:
    return list(Organisation.objects.filter(is_active=True).order_by("name"))


def statement_of(*, organisation: Organisation) -> AccessibilityStatement | None:
    return AccessibilityStatement.objects.filter(organisation=organisation).first()


def notice_of(*, organisation: Organisation) -> PrivacyNotice | None:
    return PrivacyNotice.objects.filter(organisation=organisation).first()


def _coordinators_organisation_id(user) -> int:
    organisation_id = organisation_id_of(user)
    if not is_coordinator(user) or organisation_id is None:
        raise PermissionDenied
    return organisation_id


def _with_overdue(queryset, today):
    return queryset.annotate(
        overdue=Case(
            When(Q(answered_at__isnull=True) & Q(due_on__lt=today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def feedback_list(*, user, limit: int = 200) -> dict:
    """The coordinator's organisation's feedback, newest first, each marked overdue when
    unanswered past its due date; with the counts the page's summary gives."""
    organisation_id = _coordinators_organisation_id(user)
    today = timezone.localdate()
    own = AccessibilityFeedback.objects.filter(organisation_id=organisation_id)
    items = list(_with_overdue(own, today).select_related("answered_by")[:limit])
    return {
        "items": items,
        "open_count": own.filter(answered_at__isnull=True).count(),
        "overdue_count": own.filter(answered_at__isnull=True, due_on__lt=today).count(),
        "today": today,
    }


def feedback_of(*, user, feedback_id: int) -> AccessibilityFeedback:
    """One message of the coordinator's own organisation; any other is not found."""
    organisation_id = _coordinators_organisation_id(user)
    feedback = (
        _with_overdue(AccessibilityFeedback.objects.all(), timezone.localdate())
        .select_related("organisation", "answered_by", "sender")
        .filter(pk=feedback_id, organisation_id=organisation_id)
        .first()
    )
    if feedback is None:
        raise NotFound
    return feedback
