"""The coordinator's announcement form. It reads what was typed; the rules (Finnish
required, the end after the start, the audience's role or warehouse) live in services,
whose messages land under these fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from inventory.models import Warehouse
from kierratys.accounts.roles import ROLE_LABELS

from .models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, Announcement

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends


def _when(label, **options):
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        error_messages={"invalid": _("Enter a date and time, for example 24.12.2026 8.00.")},
        **options,
    )


class AnnouncementForm(forms.Form):
    title_fi = forms.CharField(label=_("Title in Finnish"), max_length=TITLE_MAX_LENGTH)
    body_fi = forms.CharField(
        label=_("Text in Finnish"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Plain text; line breaks are kept."),
    )
    title_sv = forms.CharField(
        label=_("Title in Swedish"), max_length=TITLE_MAX_LENGTH, required=False
    )
    body_sv = forms.CharField(
        label=_("Text in Swedish"),
        max_length=BODY_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional: left empty, Swedish readers see the Finnish text."),
    )
    title_en = forms.CharField(
        label=_("Title in English"), max_length=TITLE_MAX_LENGTH, required=False
    )
    body_en = forms.CharField(
        label=_("Text in English"),
        max_length=BODY_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional: left empty, English readers see the Finnish text."),
    )
    starts_at = _when(
        _("Shown from"), required=False, help_text=_("Leave empty to show it at once.")
    )
    ends_at = _when(_("Shown until"))
    audience = forms.ChoiceField(
        label=_("Who sees it"),
        choices=Announcement.Audience.choices,
        initial=Announcement.Audience.ORGANISATION,
        widget=forms.RadioSelect,
    )
    role = forms.ChoiceField(
        label=_("Role (when for people with a role)"),
        choices=[("", _("Choose a role")), *ROLE_LABELS.items()],
        required=False,
    )
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse (when for a warehouse's customers)"),
        queryset=Warehouse.objects.none(),
        required=False,
        empty_label=_("Choose a warehouse"),
        help_text=_("The units the warehouse delivers to and stores for, partners' included."),
    )
    severity = forms.ChoiceField(
        label=_("Importance"),
        choices=Announcement.Severity.choices,
        initial=Announcement.Severity.INFO,
        widget=forms.RadioSelect,
        help_text=_("Important ones are read out to screen reader users when they appear."),
    )

    def __init__(self, *args, organisation_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = Warehouse.objects.filter(
            organisation_id=organisation_id, is_active=True
        ).order_by("name")
        for name in ("title_fi", "title_sv", "title_en"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
