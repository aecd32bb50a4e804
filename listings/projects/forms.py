"""Forms of the project pages: they bind input; the services (services.py) validate."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kierratys.accounts.models import Unit
from kierratys.accounts.roles import is_coordinator, organisation_id_of
from listings.forms import PHOTO_ACCEPT, grouped_category_choices
from listings.models import Category, Listing

from .models import Project, ProjectItem

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def units_for(user):
    """The units the user may run a project for: a coordinator, every active unit of the
    organisation; anyone else, their own."""
    if is_coordinator(user):
        return Unit.objects.filter(
            department__organisation_id=organisation_id_of(user), is_active=True
        ).select_related("department")
    return Unit.objects.filter(pk=user.unit_id).select_related("department")


class ProjectForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("For example: Koivukylä school moves to its new building."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Project.Kind.choices, widget=forms.RadioSelect
    )
    building = forms.CharField(
        label=_("Building"),
        max_length=200,
        required=False,
        help_text=_("The building being emptied: its name or street address."),
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), empty_label=None)
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DATE)
    target_reuse_rate = forms.IntegerField(
        label=_("Target reuse rate (%)"),
        help_text=_(
            "The share of the project's furniture that should be used again: kept, "
            "taken by another unit, donated or sold. 0–100."
        ),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = units_for(user)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda unit: unit.display_name
        if not self.is_bound and "unit" not in self.initial and user.unit_id:
            self.initial["unit"] = user.unit_id


class SurveyItemForm(forms.Form):
    """One line of the room-by-room survey, made to be filled in again and again."""

    room = forms.CharField(
        label=_("Room"), max_length=100, help_text=_("For example: A 204 or Staff room.")
    )
    title = forms.CharField(
        label=_("What is it"),
        max_length=120,
        help_text=_("For example: Grey office chair with armrests."),
    )
    quantity = forms.IntegerField(
        label=_("Quantity"), initial=1, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ProjectItem.Decision.choices, widget=forms.RadioSelect
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        required=False,
        help_text=_("Needed when it is offered."),
    )
    condition = forms.ChoiceField(
        label=_("Condition"),
        choices=[("", _("Choose the condition")), *Listing.Condition.choices],
        required=False,
        help_text=_("Needed when it is offered."),
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT}),
        help_text=_(
            "Take one with the phone, or choose one. An offered item's photo goes on its listing."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices, _categories = grouped_category_choices()
        self.fields["category"].choices = choices
        # Numbers always: "0" must reach the service, which says what is allowed.
        self.fields["quantity"].min_value = None
