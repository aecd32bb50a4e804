from django import forms
from django.utils.translation import gettext_lazy as _

from kierratys.accounts.forms_for_unit import for_unit_field
from kierratys.common.limits import MAX_QUANTITY
from listings.forms import _range_validators, grouped_category_choices
from listings.models import Category

from .models import MAX_WANTED_TEXT, WANTED_AUDIENCES, WANTED_DAYS


class WantedForm(forms.Form):
    """Binds input only: whether the request says enough is wanted_post's rule."""

    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        required=False,
        error_messages={"invalid_choice": _("Choose a category from the list.")},
    )
    quantity = forms.IntegerField(
        label=_("Quantity"),
        initial=1,
        validators=_range_validators(1, MAX_QUANTITY),
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_QUANTITY, "inputmode": "numeric"}),
    )
    details = forms.CharField(
        label=_("Size or other details"),
        required=False,
        max_length=MAX_WANTED_TEXT,
        help_text=_(
            "For example: 120 × 80 cm, height adjustable, for a meeting room. "
            "Without a category, say here what you need."
        ),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_WANTED_TEXT}),
    )
    needed_by = forms.DateField(
        label=_("Needed by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    audience = forms.ChoiceField(
        label=_("Who sees the request"),
        choices=[(a.value, a.label) for a in WANTED_AUDIENCES],
        initial=WANTED_AUDIENCES[1].value,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Warehouse staff and coordinators may post for another unit (issue 20).
        field = for_unit_field(actor)
        if field is not None:
            self.fields = {"for_unit": field, **self.fields}
        self.fields["category"].choices = grouped_category_choices()[0]
        # Here, not on the fields: a number put in at import would fix the language.
        self.fields["quantity"].help_text = _("How many you need (1–%(max)d).") % {
            "max": MAX_QUANTITY
        }
        self.fields["needed_by"].help_text = _(
            "The request closes after this day. Without a date it stays open %(days)d days."
        ) % {"days": WANTED_DAYS}


class AnswerForm(forms.Form):
    """ "I have this": the category of the draft, asked only when the request has none."""

    category = forms.ModelChoiceField(
        label=_("Category of your item"),
        queryset=Category.objects.all(),
        required=False,
        error_messages={"invalid_choice": _("Choose a category from the list.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = grouped_category_choices()[0]


class CategoryFilterForm(forms.Form):
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from listings import choices

        self.fields["category"].choices = [("", _("All categories"))] + [
            (c["pk"], ("— " * depth) + c["name"]) for c, depth in choices.category_tree()
        ]

    def category_id(self) -> int | None:
        if not self.is_valid():
            return None
        return self.cleaned_data["category"]
