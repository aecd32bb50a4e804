from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EVENT_TYPES


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("Address (HTTPS)"),
        max_length=500,
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "url"}),
    )
    description = forms.CharField(label=_("What it is for"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=list(EVENT_TYPES.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )
