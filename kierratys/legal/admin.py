"""Coordinators edit their own organisation's statement and notice in the admin; the
service's administrators (superusers) every organisation's."""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from kierratys.accounts.admin import OwnOrganisationOnly

from .models import PRIVACY_SECTIONS, AccessibilityStatement, PrivacyNotice
from .texts import LANGUAGES


def _in_languages(*names: str) -> list[str]:
    return [f"{name}_{code}" for name in names for code in LANGUAGES]


class OneOfOwn(OwnOrganisationOnly):
    """One row per organisation: the organisation is chosen among the coordinator's own."""

    organisation_path = "organisation_id"
    choice_paths = {"organisation": "pk"}
    list_select_related = ["organisation"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_delete_permission(self, request, obj=None):
        return False  # the law requires both pages: edit them instead


@admin.register(AccessibilityStatement)
class AccessibilityStatementAdmin(OneOfOwn, admin.ModelAdmin):
    list_display = ["organisation", "conformance", "last_checked_on", "updated_on"]
    fieldsets = [
        (None, {"fields": ["organisation", "conformance", "assessment", "assessor"]}),
        (_("Dates"), {"fields": ["last_checked_on", "prepared_on", "updated_on"]}),
        (_("Known shortcomings"), {"fields": _in_languages("shortcomings")}),
        (
            _("Feedback and supervision"),
            {"fields": ["feedback_email", *_in_languages("authority_text", "authority_url")]},
        ),
    ]


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(OneOfOwn, admin.ModelAdmin):
    list_display = ["organisation", "updated_on"]
    fieldsets = [
        (None, {"fields": ["organisation", "updated_on"]}),
        *[(label, {"fields": _in_languages(name)}) for name, label in PRIVACY_SECTIONS],
    ]
