"""The JSON shapes. Input serializers only say what JSON is accepted (types, lengths, no
unknown fields); the rules behind the values are the pages' forms and services'."""

from decimal import Decimal

from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inventory.forms import ProblemForm
from inventory.models import Task
from kierratys.common.limits import MAX_QUANTITY
from listings.forms import WithdrawForm
from listings.models import MAX_PHOTOS, Category, Listing, ListingPhoto
from reservations.forms import CancelForm, ReserveForm
from reservations.models import Reservation
from reservations.selectors import waiting_position

from .models import ReuseCheck


class StrictInteger(serializers.IntegerField):
    """A JSON number without a fraction: no "5", no true."""

    default_error_messages = {"invalid": gettext_lazy("Give a whole number.")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        if isinstance(data, float) and not data.is_integer():
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBoolean(serializers.BooleanField):
    default_error_messages = {"invalid": gettext_lazy("Give true or false.")}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictString(serializers.CharField):
    default_error_messages = {"invalid": gettext_lazy("Give a string.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictInput(serializers.Serializer):
    """Refuses fields it does not know, so a typo is never silently ignored."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


def _form_limit(form, name):
    return form.base_fields[name].max_length


def _media_url(name) -> str | None:
    return default_storage.url(name) if name else None


def absolute(context, url: str | None) -> str | None:
    """An address as a full URL: from the request, or from `base_url` in the context (a
    webhook's payload, made without a request: settings.SITE_URL)."""
    if url is None or url.startswith(("http://", "https://")):
        return url
    request = context.get("request")
    if request is not None:
        return request.build_absolute_uri(url)
    base = context.get("base_url")
    return f"{base.rstrip('/')}{url}" if base else url


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "slug", "parent", "depth", "name_fi", "name_sv", "name_en"]


class ListingSummarySerializer(serializers.ModelSerializer):
    """A catalogue card's facts."""

    location = serializers.SerializerMethodField()
    thumbnail = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()
    owner_unit = serializers.CharField(source="owner_unit.display_name", read_only=True)

    class Meta:
        model = Listing
        fields = [
            "id",
            "code",
            "title",
            "category",
            "condition",
            "colour",
            "material",
            "width_cm",
            "depth_cm",
            "height_cm",
            "quantity_available",
            "available_from",
            "available_until",
            "published_at",
            "owner_unit",
            "location",
            "thumbnail",
            "page",
        ]

    @extend_schema_field({"type": "string", "enum": ["unit", "warehouse"]})
    def get_location(self, listing) -> str:
        return "unit" if listing.storage_location_id is None else "warehouse"

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_thumbnail(self, listing):
        name = getattr(listing, "cover_thumb", None)
        if name is None and "photos" in getattr(listing, "_prefetched_objects_cache", {}):
            photos = list(listing.photos.all())
            name = photos[0].thumb.name if photos else None
        return self._absolute(_media_url(name))

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_page(self, listing) -> str:
        return self._absolute(listing.get_absolute_url())

    def _absolute(self, url):
        return absolute(self.context, url)


class PhotoSerializer(serializers.ModelSerializer):
    large = serializers.SerializerMethodField()
    thumbnail = serializers.SerializerMethodField()

    class Meta:
        model = ListingPhoto
        fields = ["id", "position", "large", "thumbnail", "width", "height", "alt_text"]

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_large(self, photo) -> str:
        return absolute(self.context, _media_url(photo.large.name))

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_thumbnail(self, photo) -> str:
        return absolute(self.context, _media_url(photo.thumb.name))


class ListingDetailSerializer(ListingSummarySerializer):
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta(ListingSummarySerializer.Meta):
        fields = [
            *ListingSummarySerializer.Meta.fields,
            "description",
            "weight_kg",
            "quantity",
            "status",
            "pickup_instructions",
            "photos",
        ]


class ReservationSerializer(serializers.ModelSerializer):
    """A reservation as its page shows it. One made on behalf of its unit (by warehouse
    staff or a coordinator, with `for_unit`) says so, and who made it by name only, as the
    pages' "by X for unit Y": never the maker's e-mail or phone."""

    listing_title = serializers.CharField(source="listing.title", read_only=True)
    unit = serializers.CharField(
        source="unit.display_name",
        read_only=True,
        help_text="The reserving unit's name: whose reservation it is, also when made on "
        "its behalf.",
    )
    on_behalf = serializers.BooleanField(
        read_only=True,
        help_text="Made on behalf of the unit by warehouse staff or a coordinator of its "
        "organisation (for_unit), not by the unit's own people.",
    )
    requested_by = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()
    waiting_place = serializers.SerializerMethodField()

    class Meta:
        model = Reservation
        fields = [
            "id",
            "listing",
            "listing_title",
            "unit",
            "on_behalf",
            "requested_by",
            "quantity",
            "status",
            "waiting_place",
            "handover",
            "wanted_date",
            "collect_by",
            "contact_name",
            "contact_phone",
            "note",
            "reason",
            "created_at",
            "page",
        ]

    @extend_schema_field(
        {
            "type": "integer",
            "nullable": True,
            "minimum": 1,
            "description": "On the waiting list (status waiting): its place in the queue, "
            "1 first, as the reservation page shows it; otherwise null.",
        }
    )
    def get_waiting_place(self, reservation):
        return waiting_position(reservation)

    @extend_schema_field(
        {
            "type": "string",
            "nullable": True,
            "description": "Made on behalf of the unit (on_behalf true): the name of who made "
            "it, as the reservation page shows it; otherwise null.",
        }
    )
    def get_requested_by(self, reservation):
        # full_name, not str(user): that falls back to the e-mail address.
        return reservation.requested_by.full_name if reservation.on_behalf else None

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_page(self, reservation) -> str:
        return absolute(self.context, reservation.get_absolute_url())


class ReservationCreateSerializer(StrictInput):
    """The reserve page's form as JSON (reservations.forms.ReserveForm checks the values)."""

    listing = StrictInteger(min_value=1, max_value=2**31 - 1)
    quantity = StrictInteger(min_value=1, max_value=ReserveForm.base_fields["quantity"].max_value)
    handover = serializers.ChoiceField(
        choices=Reservation.Handover.choices, default=Reservation.Handover.PICKUP
    )
    wanted_date = serializers.DateField(required=False, allow_null=True, default=None)
    contact_name = StrictString(max_length=_form_limit(ReserveForm, "contact_name"))
    contact_phone = StrictString(max_length=_form_limit(ReserveForm, "contact_phone"))
    note = StrictString(
        max_length=_form_limit(ReserveForm, "note"), required=False, allow_blank=True, default=""
    )
    join_waiting_list = StrictBoolean(
        required=False,
        default=False,
        help_text=(
            'The reserve page\'s "If there are not enough, put us on the waiting list": '
            "when fewer are available than asked, the answer is 201 with status "
            '"waiting" (and waiting_place) instead of 409; the reservation is made when '
            "items come free, in queue order. 400 when more are asked than exist at all."
        ),
    )
    seen_available = StrictInteger(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        max_value=ReserveForm.base_fields["quantity"].max_value,
        help_text=(
            "The quantity_available the client last showed, as the reserve page sends it: "
            "when that was enough and is no longer, the answer is 409 (someone was first); "
            "when it was already too few, 400. Without it any shortfall is 409."
        ),
    )
    delivery_slot = StrictString(
        required=False,
        allow_blank=True,
        default="",
        max_length=40,
        help_text='A delivery time as "<slot id>:<YYYY-MM-DD>", only with handover "delivery".',
    )
    for_unit = StrictInteger(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**31 - 1,
        help_text=(
            "Reserve on behalf of another unit of the caller's organisation (warehouse staff "
            "and coordinators only): the reservation is that unit's, recorded as made by the "
            "caller. 404 for a unit the caller cannot act for."
        ),
    )


def _reason(max_length: int, help_text: str | None = None):
    """A step's optional reason (cancel, withdraw): free text, empty when not given."""
    return StrictString(
        max_length=max_length, required=False, allow_blank=True, default="", help_text=help_text
    )


class CancelSerializer(StrictInput):
    reason = _reason(_form_limit(CancelForm, "reason"))


class FormChecked:
    """A field whose limits the schema shows but the page's form checks, so that the
    messages are the page's own (the serializer checks only the JSON type)."""

    def run_validators(self, value):
        return None


class FormString(FormChecked, StrictString):
    pass


class FormInteger(FormChecked, StrictInteger):
    pass


class FormDecimal(FormChecked, serializers.DecimalField):
    def __init__(self, **kwargs):
        super().__init__(coerce_to_string=False, **kwargs)

    default_error_messages = {"invalid": gettext_lazy("Give a number.")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            self.fail("invalid")
        return str(data)  # the form reads it as the page's field does


class FormChoice(FormChecked, serializers.ChoiceField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError(_("Give a string."))
        return data  # an unknown value gets the form's message


def _dimension(label):
    return FormInteger(
        required=False, allow_null=True, min_value=1, max_value=2000, help_text=label
    )


class ListingWriteSerializer(StrictInput):
    """The listing form's fields as JSON (listings.forms.ListingForm checks the values, with
    the page's messages). In PATCH every field is optional and the rest stay as they are."""

    title = FormString(max_length=Listing._meta.get_field("title").max_length, allow_blank=True)
    category = FormInteger(min_value=1, help_text="A category's id (GET /api/v1/categories/).")
    condition = FormChoice(choices=Listing.Condition.choices)
    quantity = FormInteger(min_value=1, max_value=MAX_QUANTITY, required=False, default=1)
    description = FormString(
        max_length=Listing._meta.get_field("description").max_length,
        required=False,
        allow_blank=True,
        default="",
    )
    width_cm = _dimension("Width in centimetres.")
    depth_cm = _dimension("Depth in centimetres.")
    height_cm = _dimension("Height in centimetres.")
    weight_kg = FormDecimal(
        max_digits=7,
        decimal_places=2,
        required=False,
        allow_null=True,
        min_value=Decimal("0.01"),
        max_value=2000,
        help_text="Per item. Reports use the category's typical weight otherwise.",
    )
    material = FormChoice(
        choices=Listing.Material.choices, required=False, allow_blank=True, default=""
    )
    colour = FormChoice(
        choices=Listing.Colour.choices, required=False, allow_blank=True, default=""
    )
    pickup_instructions = FormString(
        max_length=Listing._meta.get_field("pickup_instructions").max_length,
        required=False,
        allow_blank=True,
        default="",
    )
    available_from = serializers.DateField(required=False, help_text="Today when not given.")
    available_until = serializers.DateField(
        required=False, help_text="The listing's default period when not given."
    )


class ListingCreateSerializer(ListingWriteSerializer):
    publish = StrictBoolean(
        required=False,
        default=False,
        help_text="true: published at once; false (default): saved as a draft.",
    )


class ListingCreateMultipartSerializer(ListingCreateSerializer):
    """The same fields as multipart/form-data form fields, with the photos as files."""

    photos = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        max_length=MAX_PHOTOS,
        help_text="Up to 8 photos: JPEG, PNG, WebP or HEIC. The first is the cover.",
    )


def _photo_ids(help_text):
    return serializers.ListField(
        child=StrictInteger(min_value=1, max_value=2**31 - 1),
        required=False,
        max_length=MAX_PHOTOS,
        help_text=help_text,
    )


class ListingUpdateSerializer(ListingWriteSerializer):
    """The listing form's fields, each optional, and the edit page's photo changes."""

    remove_photos = _photo_ids("Ids of the listing's photos to remove (`photos[].id`).")
    photo_order = _photo_ids(
        "Ids of the listing's photos in the order wanted, the first the cover; photos not "
        "named keep their order after them, and new photos go last."
    )
    photo_alt_texts = serializers.DictField(
        child=StrictString(max_length=200, allow_blank=True),
        required=False,
        help_text=(
            'What a photo shows, for screen readers, by photo id: {"17": "Grey chair, '
            'front"}; empty: the title is read. JSON only (a new photo gets its id in the '
            "answer)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            field.default = serializers.empty


class ListingUpdateMultipartSerializer(ListingUpdateSerializer):
    """The same as multipart/form-data: `remove_photos` and `photo_order` as repeated
    fields, one id each, and new photos as `photos` files (descriptions: JSON)."""

    photo_alt_texts = None

    photos = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        max_length=MAX_PHOTOS,
        help_text=(
            "Photos to add after the others, with the page's checks: JPEG, PNG, WebP or "
            "HEIC, a listing has at most 8."
        ),
    )


class WithdrawSerializer(StrictInput):
    reason = _reason(_form_limit(WithdrawForm, "reason"))


class TaskSerializer(serializers.ModelSerializer):
    """A warehouse task as the task page shows it, without the reservation's contact
    details (those are read on the task page, where each look is logged)."""

    warehouse_name = serializers.CharField(source="warehouse.name", read_only=True)
    listing_code = serializers.CharField(source="listing.code", read_only=True)
    listing_title = serializers.CharField(source="listing.title", read_only=True)
    from_unit = serializers.SerializerMethodField()
    to_unit = serializers.SerializerMethodField()
    slot = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "kind",
            "status",
            "warehouse",
            "warehouse_name",
            "to_warehouse",
            "listing",
            "listing_code",
            "listing_title",
            "quantity",
            "reservation",
            "from_unit",
            "to_unit",
            "date",
            "slot",
            "problem",
            "done_at",
            "created_at",
            "updated_at",
            "page",
        ]

    @extend_schema_field({"type": "string", "nullable": True})
    def get_from_unit(self, task):
        return task.from_unit.display_name if task.from_unit_id else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_to_unit(self, task):
        return task.to_unit.display_name if task.to_unit_id else None

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "id": {"type": "integer"},
                "start": {"type": "string", "format": "time"},
                "end": {"type": "string", "format": "time"},
            },
            "required": ["id", "start", "end"],
            "description": "The booked time slot, or null.",
        }
    )
    def get_slot(self, task):
        if not task.slot_day_id:
            return None
        slot = task.slot_day.slot
        return {"id": slot.pk, "start": slot.start.isoformat(), "end": slot.end.isoformat()}

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_page(self, task) -> str:
        return absolute(self.context, reverse("inventory:task", args=[task.pk]))


class TaskScheduleSerializer(StrictInput):
    date = serializers.DateField(help_text="The day, today or later, not a public holiday.")
    slot = StrictInteger(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**31 - 1,
        help_text="A time slot of the organisation's warehouses (optional).",
    )


class TaskStartSerializer(StrictInput):
    scanned_code = StrictString(
        required=False,
        allow_blank=True,
        default="",
        max_length=300,
        help_text="The item's QR label or code (e.g. K-000123): checked when given.",
    )


class TaskDoneSerializer(TaskStartSerializer):
    location = StrictInteger(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The shelf: needed for an intake or a transfer.",
    )


class TaskCancelSerializer(StrictInput):
    reason = _reason(500, "Why (optional): kept on the task and in the item's history.")


class TaskProblemSerializer(StrictInput):
    problem = StrictString(
        max_length=_form_limit(ProblemForm, "problem"),
        allow_blank=True,  # the service's own message for an empty one
        help_text="What is wrong: missing, damaged, not where it should be ...",
    )


class ReuseCheckCreateSerializer(StrictInput):
    category = StrictInteger(
        min_value=1,
        max_value=2**31 - 1,
        help_text="A category's id (GET /api/v1/categories/); its sub-categories count too.",
    )
    quantity = StrictInteger(min_value=1, max_value=MAX_QUANTITY, help_text="How many are needed.")
    needed_by = serializers.DateField(help_text="The day they are needed: today or later.")
    reference = StrictString(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="The purchasing system's own reference, e.g. a purchase request number.",
    )


class ReuseMatchSerializer(ListingSummarySerializer):
    """A listing that could be reserved instead of buying, with the ways to reserve it."""

    reservable_now = serializers.SerializerMethodField()
    reserve = serializers.SerializerMethodField()
    reserve_page = serializers.SerializerMethodField()

    class Meta(ListingSummarySerializer.Meta):
        fields = [
            *ListingSummarySerializer.Meta.fields,
            "reservable_now",
            "reserve",
            "reserve_page",
        ]

    @extend_schema_field(
        {
            "type": "boolean",
            "description": "Reservable today; false: from available_from on.",
        }
    )
    def get_reservable_now(self, listing) -> bool:
        return listing.available_from <= self.context["today"]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "method": {"type": "string", "enum": ["POST"]},
                "href": {"type": "string", "format": "uri"},
                "body": {
                    "type": "object",
                    "properties": {"listing": {"type": "integer"}},
                    "required": ["listing"],
                },
            },
            "required": ["method", "href", "body"],
            "description": "How to reserve it through the API (reservations_create; "
            "add quantity and contact details).",
        }
    )
    def get_reserve(self, listing) -> dict:
        return {
            "method": "POST",
            "href": self._absolute(reverse("api:reservations")),
            "body": {"listing": listing.pk},
        }

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_reserve_page(self, listing) -> str:
        return self._absolute(reverse("reserve", args=[listing.pk]))


class ReuseCheckSerializer(serializers.ModelSerializer):
    enough = serializers.SerializerMethodField()
    outcome_url = serializers.SerializerMethodField()

    class Meta:
        model = ReuseCheck
        fields = [
            "id",
            "category",
            "quantity",
            "needed_by",
            "reference",
            "listings_found",
            "items_found",
            "enough",
            "created_at",
            "outcome",
            "reason",
            "reason_text",
            "reservation",
            "outcome_at",
            "outcome_url",
        ]

    @extend_schema_field(
        {"type": "boolean", "description": "The items found cover the quantity needed."}
    )
    def get_enough(self, check) -> bool:
        return check.items_found >= check.quantity

    @extend_schema_field(
        {"type": "string", "format": "uri", "description": "POST here what came of it."}
    )
    def get_outcome_url(self, check) -> str:
        return absolute(self.context, reverse("api:reuse_check_outcome", args=[check.pk]))


class ReuseCheckAnswerSerializer(ReuseCheckSerializer):
    matches = serializers.SerializerMethodField()

    class Meta(ReuseCheckSerializer.Meta):
        fields = [*ReuseCheckSerializer.Meta.fields, "matches"]

    @extend_schema_field(ReuseMatchSerializer(many=True))
    def get_matches(self, check):
        return ReuseMatchSerializer(self.context["listings"], many=True, context=self.context).data


class ReuseOutcomeSerializer(StrictInput):
    outcome = serializers.ChoiceField(choices=ReuseCheck.Outcome.choices)
    reason = serializers.ChoiceField(
        choices=ReuseCheck.Reason.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="With bought_new only: why new was bought.",
    )
    reason_text = StrictString(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="In words; needed with reason other.",
    )
    reservation = StrictInteger(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**31 - 1,
        help_text="With reserved: the unit's reservation that replaced the purchase.",
    )


class FieldErrorSerializer(serializers.Serializer):
    pointer = serializers.CharField(
        required=False, help_text=("A JSON Pointer to the body field, e.g. #/quantity.")
    )
    parameter = serializers.CharField(
        required=False, help_text=("The query parameter, e.g. page_size.")
    )
    detail = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField(help_text=("urn:kierratys:problem:<kind>"))
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField(
        required=False, help_text=("The service's own code, e.g. not_enough.")
    )
    errors = FieldErrorSerializer(many=True, required=False)


def _amount(**kwargs):
    return serializers.DecimalField(
        max_digits=20, decimal_places=2, coerce_to_string=False, read_only=True, **kwargs
    )


class ImpactSerializer(serializers.Serializer):
    """Reused items and what they saved (kierratys.reports: the report page's figures)."""

    items = serializers.IntegerField(read_only=True)
    kg = _amount(help_text="Kilograms kept from waste.")
    co2e = _amount(help_text="Kilograms of CO2e avoided.")
    value = _amount(help_text="Euros of new furniture not bought.")
    collections = serializers.IntegerField(read_only=True)


class MonthImpactSerializer(ImpactSerializer):
    month = serializers.DateField(read_only=True, help_text="The month's first day.")


class CategoryImpactSerializer(ImpactSerializer):
    category_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class ImpactReportSerializer(serializers.Serializer):
    start = serializers.DateField(source="filter.start", read_only=True)
    end = serializers.DateField(source="filter.end", read_only=True)
    unit = serializers.SerializerMethodField()
    totals = ImpactSerializer(read_only=True)
    monthly = MonthImpactSerializer(many=True, read_only=True)
    categories = CategoryImpactSerializer(many=True, read_only=True)

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_unit(self, report):
        unit = report.filter.unit
        return unit.pk if unit is not None else None
