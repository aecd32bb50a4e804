"""The "For unit" field of the forms where warehouse staff and coordinators act on behalf
of another unit of their organisation (issue 20, item 4): reserving, the basket, wanted
requests. Whether they may is `roles.may_act_for_other_units`; the services check the unit
again (`roles.unit_acted_for`), so a unit posted without the field is refused all the same.
"""

from django.utils.translation import gettext_lazy as _

from .roles import may_act_for_other_units, organisation_id_of
from .selectors import units_for_signup
from .unit_picker import UnitPickerField


def for_unit_field(actor) -> UnitPickerField | None:
    """An optional unit picker of the actor's organisation's units, or None for those who
    act only for their own unit."""
    if actor is None or not may_act_for_other_units(actor):
        return None
    organisation_id = organisation_id_of(actor)
    if organisation_id is None:
        return None
    field = UnitPickerField(
        queryset=units_for_signup().filter(department__organisation_id=organisation_id),
        required=False,
        label=_("For unit (optional)"),
        help_text=_(
            "Acting for another unit of your organisation? Choose it here: it becomes that "
            "unit's own, recorded as made by you on its behalf. Leave empty for your own unit."
        ),
    )
    field.error_messages["invalid_choice"] = _("Choose a unit of your organisation from the list.")
    return field
