"""The JSON shapes. Input serializers only say what JSON is accepted (types, lengths, no
unknown fields); the rules behind the values are the pages' forms and services'."""

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from listings.models import Category, Listing, ListingPhoto
from reservations.forms import CancelForm, ReserveForm
from reservations.models import Reservation


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
        request = self.context.get("request")
        if url is None or request is None or url.startswith("http"):
            return url
        return request.build_absolute_uri(url)


class PhotoSerializer(serializers.ModelSerializer):
    large = serializers.SerializerMethodField()
    thumbnail = serializers.SerializerMethodField()

    class Meta:
        model = ListingPhoto
        fields = ["position", "large", "thumbnail", "width", "height", "alt_text"]

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_large(self, photo) -> str:
        return _media_url(photo.large.name)

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_thumbnail(self, photo) -> str:
        return _media_url(photo.thumb.name)


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
    listing_title = serializers.CharField(source="listing.title", read_only=True)
    unit = serializers.CharField(source="unit.display_name", read_only=True)
    page = serializers.SerializerMethodField()

    class Meta:
        model = Reservation
        fields = [
            "id",
            "listing",
            "listing_title",
            "unit",
            "quantity",
            "status",
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

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_page(self, reservation) -> str:
        request = self.context.get("request")
        url = reservation.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


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
    join_waiting_list = StrictBoolean(required=False, default=False)
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


class CancelSerializer(StrictInput):
    reason = StrictString(
        max_length=_form_limit(CancelForm, "reason"), required=False, allow_blank=True, default=""
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
