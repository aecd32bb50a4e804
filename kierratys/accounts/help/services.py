"""Writing an organisation's help page, FAQ and mail footer: its coordinators only."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kierratys.common.errors import ServiceError

from ..roles import is_coordinator, organisation_id_of
from .models import FOOTER_MAX_CHARS, PAGE_MAX_CHARS, HelpText

LANGUAGES = ("fi", "sv", "en")


def _limit(kind: str) -> int:
    return FOOTER_MAX_CHARS if kind == HelpText.Kind.EMAIL_FOOTER else PAGE_MAX_CHARS


def help_text_update(*, actor, kind: str, text_fi: str, text_sv: str, text_en: str) -> HelpText:
    """Replace the texts of one kind for the coordinator's own organisation. Empty texts
    are allowed: the page then says nothing is written yet, and mail gets no footer."""
    organisation_id = organisation_id_of(actor)
    if not is_coordinator(actor) or organisation_id is None:
        raise PermissionDenied
    if kind not in HelpText.Kind.values:
        raise ServiceError({"kind": _("Choose what you are editing.")})
    texts = {
        code: (text or "").strip()
        for code, text in zip(LANGUAGES, (text_fi, text_sv, text_en), strict=True)
    }
    limit = _limit(kind)
    errors = {
        f"text_{code}": _("At most %(limit)s characters (now %(count)s).")
        % {"limit": limit, "count": len(text)}
        for code, text in texts.items()
        if len(text) > limit
    }
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        item, _created = HelpText.objects.select_for_update().get_or_create(
            organisation_id=organisation_id, kind=kind
        )
        for code, text in texts.items():
            setattr(item, f"text_{code}", text)
        item.updated_at = timezone.now()
        item.updated_by = actor
        item.save()
    return item
