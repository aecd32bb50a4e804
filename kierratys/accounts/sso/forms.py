from django import forms
from django.utils.translation import gettext_lazy as _

from ..unit_picker import UnitPickerField


class UnitChoiceForm(forms.Form):
    """The unit a new person works in, among their own organisation's (type-ahead: a city
    has hundreds)."""

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitPickerField(
            label=_("Your unit"),
            organisation=organisation,
            help_text=_(
                "The school, day-care centre or office you work for: type a part of its "
                "name or street address and choose it from the list."
            ),
        )
