"""The coordinator's pause form: it reads what was typed; the rules (dates in order, not in
the past, a Finnish message, one of the organisation's warehouses, no overlap) live in
pauses.services, whose messages land under these fields."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Organisation
from .services import MAX_MESSAGE, MESSAGE_FI_NEEDED

DATE_WIDGET = {"type": "date"}


class ScheduleForm(forms.Form):
    warehouse = forms.TypedChoiceField(
        label=_("What is paused"),
        required=False,
        coerce=int,
        empty_value=None,
    )
    starts_on = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("Last day"), widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")
    )
    message_fi = forms.CharField(
        label=_("Message in Finnish"),
        error_messages={"required": MESSAGE_FI_NEEDED},  # the service's words
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to everyone who tries to reserve, and in the catalogue."),
    )
    message_sv = forms.CharField(
        label=_("Message in Swedish (optional)"),
        required=False,
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Empty: the Finnish message is shown."),
    )
    message_en = forms.CharField(
        label=_("Message in English (optional)"),
        required=False,
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Empty: the Finnish message is shown."),
    )

    def __init__(self, *args, organisation_id: int, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault("initial", {"starts_on": today, "ends_on": today})
        super().__init__(*args, **kwargs)
        organisation = Organisation.objects.get(pk=organisation_id)
        warehouses = organisation.warehouses.filter(is_active=True).order_by("name")
        self.fields["warehouse"].choices = [
            ("", _("The whole organisation")),
            *((w.pk, w.name) for w in warehouses),
        ]
