"""Names in the reader's language: the service, the municipality, and named things.

The service and municipality names come from settings as {language: name}
(SERVICE_NAMES, MUNICIPALITY_NAMES; set by SERVICE_NAME / MUNICIPALITY_NAME in the
environment, see settings). A department, a unit (and any organisation-like model) keeps
its primary name in `name` and optional translations in `name_sv` / `name_en`
(`NameInLanguages`); `display_name` and `name_expression` pick the reader's one, falling
back to `name`. All of them read the active language, so call them while rendering: in a
request, or in mail inside `translation.override` (kierratys.common.mail).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

TRANSLATED = ("sv", "en")  # the languages a name may be given in besides the primary one


def _language(language: str | None = None) -> str:
    return (language or get_language() or settings.LANGUAGE_CODE)[:2]


def in_language(names: dict[str, str], language: str | None = None) -> str:
    """The name for the language, else the default language's, else any one."""
    code = _language(language)
    return (
        names.get(code)
        or names.get(settings.LANGUAGE_CODE[:2])
        or next((name for name in names.values() if name), "")
    )


def service_name(language: str | None = None) -> str:
    return in_language(settings.SERVICE_NAMES, language)


def municipality_name(language: str | None = None) -> str:
    return in_language(settings.MUNICIPALITY_NAMES, language)


class NameInLanguages(models.Model):
    """Optional Swedish and English names beside the primary `name` the model defines."""

    name_sv = models.CharField(
        _("name in Swedish"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to use the name above."),
    )
    name_en = models.CharField(
        _("name in English"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to use the name above."),
    )

    class Meta:
        abstract = True

    @property
    def display_name(self) -> str:
        """The name in the reader's language, or the primary name."""
        code = _language()
        translated = getattr(self, f"name_{code}", "") if code in TRANSLATED else ""
        return translated or self.name


def name_expression(prefix: str = "", language: str | None = None):
    """`display_name` in the database, for values() rows: prefix "owner_unit__" and so on."""
    code = _language(language)
    if code not in TRANSLATED:
        return F(f"{prefix}name")
    return Coalesce(NullIf(F(f"{prefix}name_{code}"), Value("")), F(f"{prefix}name"))
