from django import forms
from django.utils.translation import gettext_lazy as _

from kierratys.common.limits import MAX_PHOTO_BYTES, MAX_PHOTOS, MAX_QUANTITY, request_body_limit

from . import hooks
from .errors import PhotoError
from .models import Listing
from .permissions import lists_onto_shelves
from .selectors import categories_for_choice

PHOTO_ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos at once (gallery), plus the camera input sharing the same name."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": PHOTO_ACCEPT, "multiple": True})
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = [super(MultiplePhotoField, self).clean(f, initial) for f in files if f]
        if len(cleaned) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("You can add at most %(max)d photos to a listing."),
                params={"max": MAX_PHOTOS},
                code=PhotoError.TOO_MANY,
            )
        return cleaned


def grouped_category_choices():
    """Top categories as option groups, their sub-categories as options."""
    categories = list(categories_for_choice())
    children = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    choices = [("", _("Choose a category"))]
    for top in children.get(None, []):
        kids = children.get(top.pk, [])
        if not kids:
            choices.append((top.pk, top.name))
            continue
        options = [(top.pk, _("%(name)s, other") % {"name": top.name})]
        for kid in kids:
            options.append((kid.pk, kid.name))
            options.extend(
                (grand.pk, f"{kid.name}: {grand.name}") for grand in children.get(kid.pk, [])
            )
        choices.append((top.name, options))
    return choices, categories


class ListingForm(forms.ModelForm):
    photos = MultiplePhotoField(label=_("Photos"))

    class Meta:
        model = Listing
        fields = [
            "title",
            "category",
            "condition",
            "quantity",
            "description",
            "width_cm",
            "depth_cm",
            "height_cm",
            "weight_kg",
            "material",
            "colour",
            "pickup_instructions",
            "available_from",
            "available_until",
            "owner_approves",
            "approval_days",
            "for_loan",
            "loan_max_days",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "pickup_instructions": forms.Textarea(attrs={"rows": 3}),
            "available_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "available_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "condition": forms.RadioSelect,
        }
        help_texts = {
            "title": _("What is it? For example: Grey office chair with armrests."),
            "quantity": _("How many identical items (1–%(max)d).") % {"max": MAX_QUANTITY},
            "weight_kg": _(
                "Per item, if you know it. Reports use the category's typical weight otherwise."
            ),
            "pickup_instructions": _(
                "Where exactly the item is and how to reach it: floor, room, door code, contact."
            ),
            "available_until": _(
                "After this day you are asked whether to extend, send to the warehouse or dispose."
            ),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "photos" in self.fields:
            self.fields["photos"].help_text = _(
                "Up to %(max)d photos: JPEG, PNG, WebP or HEIC, at most %(size)d MB each "
                "and %(total)d MB together. The first is the cover."
            ) % {
                "max": MAX_PHOTOS,
                "size": MAX_PHOTO_BYTES // (1024 * 1024),
                "total": request_body_limit() // (1024 * 1024),
            }
        choices, categories = grouped_category_choices()
        self.fields["category"].choices = choices
        self.category_weights = {
            str(c.pk): str(c.typical_weight_kg) for c in categories if c.typical_weight_kg
        }
        for name in ("width_cm", "depth_cm", "height_cm"):
            self.fields[name].widget.attrs.update(min=1, max=2000, inputmode="numeric")
            self.fields[name].min_value = 1
            self.fields[name].max_value = 2000
            self.fields[name].validators.extend(_range_validators(1, 2000))
        self.fields["quantity"].widget.attrs.update(min=1, max=MAX_QUANTITY, inputmode="numeric")
        self.fields["quantity"].validators.extend(_range_validators(1, MAX_QUANTITY))
        self.fields["weight_kg"].widget.attrs.update(
            min="0.1", max=2000, step="0.1", inputmode="decimal"
        )
        self.fields["weight_kg"].validators.extend(_range_validators(0.01, 2000))
        self.fields["approval_days"].widget.attrs.update(min=1, max=14, inputmode="numeric")
        self.fields["approval_days"].validators.extend(_range_validators(1, 14))
        self.fields["approval_days"].required = False  # the default when left empty
        # Issue 20: lent for a period (reservations.loans), at most this many days a loan.
        self.fields["loan_max_days"].widget.attrs.update(min=1, max=365, inputmode="numeric")
        self.fields["loan_max_days"].validators.extend(_range_validators(1, 365))
        self.fields["loan_max_days"].required = False  # the default when left empty
        self.fields["condition"].choices = Listing.Condition.choices
        self.fields["material"].choices = [("", _("Not specified")), *Listing.Material.choices]
        self.fields["colour"].choices = [("", _("Not specified")), *Listing.Colour.choices]
        if self.instance.pk:
            del self.fields["photos"]
        if user is not None and lists_onto_shelves(user) and not self.instance.pk:
            # Warehouse staff list items straight onto a shelf (when inventory is installed).
            for shelves in hooks.warehouse_shelves(user=user):
                self.fields["storage_location"] = forms.ModelChoiceField(
                    label=_("Warehouse shelf"),
                    queryset=shelves,
                    required=False,
                    empty_label=_("At our unit"),
                )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("available_from"), cleaned.get("available_until")
        if start and end and end < start:
            self.add_error("available_until", _("The last day cannot be before the first day."))
        if "approval_days" in cleaned and cleaned["approval_days"] is None:
            cleaned["approval_days"] = Listing._meta.get_field("approval_days").default
        if "loan_max_days" in cleaned and cleaned["loan_max_days"] is None:
            cleaned["loan_max_days"] = Listing._meta.get_field("loan_max_days").default
        return cleaned

    def listing_fields(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        if self.cleaned_data.get("storage_location"):
            fields["storage_location"] = self.cleaned_data["storage_location"]
        return fields


def _range_validators(low, high):
    from django.core.validators import MaxValueValidator, MinValueValidator

    return [
        MinValueValidator(low, message=_("Enter a value of at least %(limit_value)s.")),
        MaxValueValidator(high, message=_("Enter a value of at most %(limit_value)s.")),
    ]


class PhotoEditForm(forms.Form):
    """Photo changes on the edit page: add, remove, choose the cover, describe."""

    photos = MultiplePhotoField(label=_("Add photos"))
    remove = forms.TypedMultipleChoiceField(coerce=int, required=False, label=_("Remove"))
    cover = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label=_("Cover photo")
    )

    def __init__(self, *args, listing: Listing, **kwargs):
        super().__init__(*args, **kwargs)
        self.listing_photos = list(listing.photos.all())
        ids = [(p.pk, str(p.pk)) for p in self.listing_photos]
        self.fields["remove"].choices = ids
        self.fields["cover"].choices = ids
        for photo in self.listing_photos:
            self.fields[f"alt_{photo.pk}"] = forms.CharField(
                label=_("Description for screen readers"),
                required=False,
                max_length=200,
                initial=photo.alt_text,
            )

    def alt_texts(self) -> dict[int, str]:
        return {p.pk: self.cleaned_data.get(f"alt_{p.pk}", "") for p in self.listing_photos}


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)


class AudienceForm(forms.Form):
    """The owner's choice of audience: the buttons of listings.audience_summary post it."""

    audience = forms.ChoiceField(
        choices=[c for c in Listing.Audience.choices if c[0] != Listing.Audience.ENDED],
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose who may see the listing."),
            "invalid_choice": _("Choose who may see the listing."),
        },
    )
    # Hidden, so "0" reads as False (a checkbox would take any value as ticked).
    hold = forms.BooleanField(required=False, widget=forms.HiddenInput)


class SavedSearchForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the search"),
        max_length=100,
        help_text=_("For example: Chairs for the staff room."),
    )
