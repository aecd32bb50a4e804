"""Choosing one's unit from hundreds: a type-ahead text field that works without script.

    unit = UnitPickerField(queryset=units_for_signup().filter(department__organisation=org))

The widget is a text input and a hidden input holding the chosen unit's id. With
static/js/unit-picker.js the text input becomes an ARIA 1.2 combobox whose options come
from `views.unit_search` as one types. Without script the typed text is sent and the
field resolves it on the server: one matching unit (or one whose name is the text) is
chosen; several are listed under the input as radio buttons to choose from; none is an
error saying so. Whatever is sent, only a unit of `queryset` is ever accepted.

The page renders `{{ form.media.css }}` in its head and `{{ form.media.js }}` with its
scripts. The search endpoint is told which organisation's units to suggest by a signed
`scope` (the organisation of the queryset, when it has one), or for sign-up by the
address typed in the form's email field (`email_field`).
"""

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..common.folding import fold
from .models import Unit
from .selectors import units_for_signup, units_matching

SCOPE_SALT = "kierratys.accounts.unit-picker.scope"
SCOPE_MAX_AGE = 24 * 60 * 60  # seconds: a sign-up page left open over a night is stale
SUGGESTIONS = 20  # options the endpoint returns at most
CHOICES_WITHOUT_SCRIPT = 10  # radio buttons at most, when the typed text matches several


def scope_of(organisation_id: int) -> str:
    """The signed token naming the organisation whose units a page may suggest."""
    return signing.dumps(organisation_id, salt=SCOPE_SALT, compress=False)


def organisation_id_of_scope(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=SCOPE_SALT, max_age=SCOPE_MAX_AGE)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def unit_detail(unit: Unit) -> str:
    """What tells two units apart: department, street address, city district."""
    place = ", ".join(part for part in (unit.street_address, unit.district) if part)
    return " · ".join(part for part in (unit.department.display_name, place) if part)


class UnitPickerWidget(forms.Widget):
    template_name = "accounts/unit_picker.html"

    class Media:
        css = {"all": ["css/unit-picker.css"]}
        js = [forms.Script("js/unit-picker.js", defer=True)]

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.queryset = Unit.objects.none()
        self.organisation_id = None  # the scope of the suggestions, when known
        self.email_field = None  # the form's email field, for sign-up
        self.chosen = None  # the unit the field's clean() chose, shown again on errors
        self.matches = []  # the units the typed text matched, for radio buttons

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.queryset, copy.chosen, copy.matches = self.queryset, None, []
        return copy

    def text_name(self, name: str) -> str:
        return f"{name}_text"

    def value_from_datadict(self, data, files, name):
        ids = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return {"ids": [v for v in ids if v], "text": data.get(self.text_name(name)) or ""}

    def value_omitted_from_data(self, data, files, name):
        return name not in data and self.text_name(name) not in data

    def _unit(self, value) -> Unit | None:
        if isinstance(value, Unit):  # shown only if it may be chosen here
            value = value.pk
        if value in (None, "") or isinstance(value, dict):
            return None
        try:
            return self.queryset.filter(pk=int(value)).select_related("department").first()
        except (TypeError, ValueError):
            return None

    def _source(self, organisation_id) -> str:
        query = {"scope": scope_of(organisation_id)} if organisation_id else {}
        url = reverse("unit_search")
        return f"{url}?{urlencode(query)}" if query else url

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        unit = self.chosen or self._unit(value)
        text = value.get("text", "") if isinstance(value, dict) else ""
        widget = context["widget"]
        base_id = widget["attrs"].get("id") or f"id_{name}"
        organisation_id = self.organisation_id
        if organisation_id is None and self.queryset.query.is_empty() is False:
            found = list(
                self.queryset.order_by()
                .values_list("department__organisation_id", flat=True)
                .distinct()[:2]
            )
            organisation_id = found[0] if len(found) == 1 else None
        widget.update(
            text_name=self.text_name(name),
            text=unit.display_name if unit else text,
            unit_id=unit.pk if unit else "",
            chosen_detail=unit_detail(unit) if unit else "",
            matches=[] if unit else [(m.pk, m.display_name, unit_detail(m)) for m in self.matches],
            base_id=base_id,
            source=self._source(organisation_id),
            email_field_id=f"id_{self.email_field}" if self.email_field else "",
            limit=SUGGESTIONS,
            # "{n}" is put in by the script: the plural forms for one and for several.
            found_one=ngettext("%(count)s unit found.", "%(count)s units found.", 1)
            % {"count": "{n}"},
            found_many=ngettext("%(count)s unit found.", "%(count)s units found.", 2)
            % {"count": "{n}"},
        )
        return context


class UnitPickerField(forms.Field):
    """One unit of `queryset`, chosen by typing (see the module's docstring)."""

    widget = UnitPickerWidget
    default_error_messages = {
        "required": _("Type the name of your unit and choose it from the list."),
        "invalid_choice": _("Choose a unit from the list: that unit cannot be chosen here."),
        "no_match": _(
            "No unit matches “%(text)s”. Check the spelling, or type a part of the unit's "
            "name or street address."
        ),
        "several": _(
            "Several units match “%(text)s”. Choose yours below, or type more of its name."
        ),
        "too_many": _(
            "More than %(count)s units match “%(text)s”. Type more of your unit's name or "
            "its street address."
        ),
    }

    def __init__(self, *, queryset=None, organisation=None, email_field=None, **kwargs):
        super().__init__(**kwargs)
        self.organisation = organisation
        if queryset is None:
            queryset = (
                units_for_signup().filter(department__organisation=organisation)
                if organisation is not None
                else Unit.objects.none()
            )
        self.queryset = queryset
        self.widget.email_field = email_field

    @property
    def queryset(self):
        return self._queryset

    @queryset.setter
    def queryset(self, queryset):
        self._queryset = queryset.select_related("department")
        self.widget.queryset = self._queryset

    @property
    def organisation(self):
        return self._organisation

    @organisation.setter
    def organisation(self, organisation):
        self._organisation = organisation
        self.widget.organisation_id = organisation.pk if organisation is not None else None

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.queryset = self._queryset  # querysets are not copied: their cache is not shared
        return copy

    def prepare_value(self, value):
        return value

    def has_changed(self, initial, data):
        return True

    def clean(self, value):
        self.widget.chosen, self.widget.matches = None, []
        unit = self._resolve(value or {})
        self.validate(unit)
        self.run_validators(unit)
        self.widget.chosen = unit
        return unit

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")

    def _resolve(self, value) -> Unit | None:
        if not isinstance(value, dict):
            value = {"ids": [value] if value not in (None, "") else [], "text": ""}
        if self._queryset.query.is_empty() and not self.required:
            return None  # nothing to choose from yet: the form says why (sign-up's address)
        if value["ids"]:
            try:
                unit = self._queryset.filter(pk=int(value["ids"][0])).first()
            except (TypeError, ValueError):
                unit = None
            if unit is None:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            return unit
        text = " ".join(str(value["text"]).split())
        if not text:
            return None
        matches = units_matching(
            organisation=None, within=self._queryset, text=text, limit=CHOICES_WITHOUT_SCRIPT + 1
        )
        named = [unit for unit in matches if fold(unit.display_name) == fold(text)]
        if len(matches) == 1 or len(named) == 1:
            return (named or matches)[0]
        params = {"text": text, "count": CHOICES_WITHOUT_SCRIPT}
        if not matches:
            raise ValidationError(self.error_messages["no_match"], code="no_match", params=params)
        self.widget.matches = matches[:CHOICES_WITHOUT_SCRIPT]
        code = "too_many" if len(matches) > CHOICES_WITHOUT_SCRIPT else "several"
        raise ValidationError(self.error_messages[code], code=code, params=params)
