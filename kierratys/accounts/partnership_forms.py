"""The coordinator's partnership forms. They read what was typed; the rules (not with
itself, dates in order, start not in the past, one open agreement per pair) live in
partnership_services, whose messages land under these fields."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Organisation
from .partnership_services import MAX_REASON

DATE_WIDGET = {"type": "date"}


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class ProposeForm(forms.Form):
    partner = OrganisationChoiceField(
        label=_("Partner organisation"),
        queryset=Organisation.objects.none(),
        empty_label=_("Choose an organisation"),
    )
    starts_on = forms.DateField(
        label=_("Starts"),
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
    )
    ends_on = forms.DateField(
        label=_("Ends"),
        required=False,
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        help_text=_("Leave empty for an agreement until further notice."),
    )

    def __init__(self, *args, organisation_id: int, **kwargs):
        kwargs.setdefault("initial", {"starts_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = (
            Organisation.objects.filter(is_active=True).exclude(pk=organisation_id).order_by("name")
        )


class EndForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the other organisation's coordinators."),
    )
