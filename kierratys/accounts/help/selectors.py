"""Reading an organisation's help texts: the help page its staff see, the coordinator's
forms, and the footer of the mail its staff get."""

from django.contrib.auth import get_user_model
from django.utils import translation

from ..roles import organisation_id_of
from . import markdown
from .models import HelpText


def help_texts_of(*, organisation_id: int) -> dict[str, HelpText]:
    return {t.kind: t for t in HelpText.objects.filter(organisation_id=organisation_id)}


def help_page(*, user, language: str | None = None) -> dict:
    """The help page and FAQ of the user's organisation, rendered, in their language (else
    Finnish, else whatever is written)."""
    language = language or translation.get_language() or "fi"
    organisation_id = organisation_id_of(user)
    texts = help_texts_of(organisation_id=organisation_id) if organisation_id else {}
    sections = {}
    for kind in (HelpText.Kind.HELP, HelpText.Kind.FAQ):
        item = texts.get(kind)
        text = item.text(language[:2]) if item else ""
        sections[kind] = markdown.render(text) if text else ""
    return {"help": sections[HelpText.Kind.HELP], "faq": sections[HelpText.Kind.FAQ]}


def email_footer_for(*, email: str, language: str | None) -> str:
    """The mail footer of the organisation of the account with this address ("" if none)."""
    user = (
        get_user_model()
        .objects.filter(email__iexact=email, is_active=True)
        .select_related("unit__department")
        .first()
    )
    organisation_id = organisation_id_of(user) if user else None
    if organisation_id is None:
        return ""
    item = HelpText.objects.filter(
        organisation_id=organisation_id, kind=HelpText.Kind.EMAIL_FOOTER
    ).first()
    return item.text((language or "fi")[:2]) if item else ""
