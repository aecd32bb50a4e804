"""The API's endpoints: each binds its input, calls the pages' own selector or service and
answers with JSON. Errors are problem details (problems.py); see the OpenAPI document at
/api/v1/schema/ for every status and shape."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.response import Response

from kierratys.accounts.roles import is_coordinator, organisation_id_of, role_names
from kierratys.common.errors import NotFound
from kierratys.reports import selectors as report_selectors
from kierratys.reports.forms import ReportFilterForm
from listings import choices, search
from listings import selectors as listing_selectors
from reservations import selectors as reservation_selectors
from reservations import services as reservation_services
from reservations.forms import CancelForm
from reservations.views import reserve_form

from . import serializers as s
from .base import ApiView
from .filters import PARAMETERS, ApiCatalogueFilter
from .models import Scope
from .pagination import Cursor
from .problems import QueryInvalid
from .schema import PAGE_PARAMETERS, paginated, problems

TAG_LISTINGS = "Listings"
TAG_RESERVATIONS = "Reservations"
TAG_REPORTS = "Reports"


class CategoryList(ApiView):
    scope = Scope.LISTINGS_READ

    @extend_schema(
        tags=[TAG_LISTINGS],
        operation_id="categories_list",
        summary=("Categories"),
        responses={200: s.CategorySerializer(many=True), **problems(400, 401, 403, 429)},
    )
    def get(self, request):
        categories = listing_selectors.categories_for_choice()
        return Response(s.CategorySerializer(categories, many=True).data)


def _catalogue_parameters():
    filterset = ApiCatalogueFilter.base_filters
    parameters = []
    for name, field in filterset.items():
        many = name == "condition"
        choices_of = getattr(field, "extra", {}).get("choices")
        schema_type = OpenApiTypes.INT if name in ("category", "department", "unit") else None
        if name.endswith(("_min", "_max")):
            schema_type = OpenApiTypes.INT
        parameters.append(
            OpenApiParameter(
                name,
                schema_type or OpenApiTypes.STR,
                many=many,
                enum=[value for value, _label in choices_of] if choices_of and not many else None,
                description=str(field.label or ""),
            )
        )
    return parameters


class ListingList(ApiView):
    """The catalogue: its filters and search, what the caller's unit may find."""

    scope = Scope.LISTINGS_READ
    query_parameters = PARAMETERS

    @extend_schema(
        tags=[TAG_LISTINGS],
        operation_id="listings_list",
        summary=("Listings"),
        parameters=[*_catalogue_parameters(), *PAGE_PARAMETERS],
        responses={
            200: paginated(s.ListingSummarySerializer),
            **problems(400, 401, 403, 429),
        },
    )
    def get(self, request):
        params = request.query_params
        if search.clean_query(params.get("q", "")) and not search.rate_allows(request.user):
            raise Throttled(
                wait=60,
                detail=_(
                    "You have searched very often in a short time. Wait a minute and try again."
                ),
            )
        with choices.pinned():
            filterset = listing_selectors.catalogue_filter(
                user=request.user, params=params, filterset_class=ApiCatalogueFilter
            )
            errors = filterset.problems()
            if errors:
                raise QueryInvalid(errors)
            paginator = Cursor()
            try:
                with search.time_limit(active=filterset.searching):
                    page = paginator.paginate_queryset(filterset.qs, request, view=self)
            except search.SearchTooSlow as error:
                raise QueryInvalid(
                    {
                        "q": [
                            _(
                                "The search took too long. Narrow it: use fewer or more "
                                "specific words."
                            )
                        ]
                    }
                ) from error
        data = s.ListingSummarySerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class ListingDetail(ApiView):
    scope = Scope.LISTINGS_READ

    @extend_schema(
        tags=[TAG_LISTINGS],
        operation_id="listings_retrieve",
        summary=("A listing"),
        responses={200: s.ListingDetailSerializer, **problems(400, 401, 403, 404, 429)},
    )
    def get(self, request, pk):
        listing = listing_selectors.listing_for_view(user=request.user, listing_id=pk)
        return Response(s.ListingDetailSerializer(listing, context={"request": request}).data)


class ReservationList(ApiView):
    """The caller's unit's reservations (GET) and reserving (POST)."""

    scope = Scope.RESERVATIONS
    query_parameters = ("cursor", "page_size")

    @extend_schema(
        tags=[TAG_RESERVATIONS],
        operation_id="reservations_list",
        summary=("Our unit's reservations"),
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(s.ReservationSerializer), **problems(400, 401, 403, 429)},
    )
    def get(self, request):
        paginator = Cursor()
        queryset = reservation_selectors.reservations_of_own_unit(user=request.user).order_by(
            "-created_at", "-pk"
        )
        page = paginator.paginate_queryset(queryset, request, view=self)
        data = s.ReservationSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        tags=[TAG_RESERVATIONS],
        operation_id="reservations_create",
        summary=("Reserve"),
        description=(
            "Reserve for the caller's unit, or join the waiting list. 409 when someone "
            "reserved the rest first, with the same message as the reserve page."
        ),
        request=s.ReservationCreateSerializer,
        responses={201: s.ReservationSerializer, **problems(400, 401, 403, 404, 409, 415, 429)},
    )
    def post(self, request):
        body = s.ReservationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        listing = listing_selectors.listing_for_view(user=request.user, listing_id=data["listing"])
        form_data = {
            "quantity": data["quantity"],
            "handover": data["handover"],
            "wanted_date": data["wanted_date"] or "",
            "contact_name": data["contact_name"],
            "contact_phone": data["contact_phone"],
            "note": data["note"],
            "delivery_slot": data["delivery_slot"],
        }
        if data["join_waiting_list"]:
            form_data["join_waiting_list"] = "on"
        form = reserve_form(user=request.user, listing=listing, data=form_data)
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        cleaned = form.cleaned_data
        reservation = reservation_services.reservation_create(
            actor=request.user,
            listing_id=listing.pk,
            quantity=cleaned["quantity"],
            handover=cleaned["handover"],
            wanted_date=cleaned["wanted_date"],
            contact_name=cleaned["contact_name"],
            contact_phone=cleaned["contact_phone"],
            note=cleaned["note"],
            join_waiting_list=cleaned["join_waiting_list"],
            delivery=form.delivery(),
            seen_available=data["seen_available"],  # as the reserve page's hidden field
        )
        reservation = reservation_selectors.reservation_for_user(
            user=request.user, reservation_id=reservation.pk
        )
        body = s.ReservationSerializer(reservation, context={"request": request}).data
        location = request.build_absolute_uri(f"/api/v1/reservations/{reservation.pk}/")
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


class ReservationDetail(ApiView):
    scope = Scope.RESERVATIONS

    @extend_schema(
        tags=[TAG_RESERVATIONS],
        operation_id="reservations_retrieve",
        summary=("A reservation"),
        responses={200: s.ReservationSerializer, **problems(400, 401, 403, 404, 429)},
    )
    def get(self, request, pk):
        reservation = reservation_selectors.reservation_for_user(
            user=request.user, reservation_id=pk
        )
        return Response(s.ReservationSerializer(reservation, context={"request": request}).data)


class ReservationCancel(ApiView):
    scope = Scope.RESERVATIONS

    @extend_schema(
        tags=[TAG_RESERVATIONS],
        operation_id="reservations_cancel",
        summary=("Cancel a reservation"),
        request=s.CancelSerializer,
        responses={200: s.ReservationSerializer, **problems(400, 401, 403, 404, 409, 415, 429)},
    )
    def post(self, request, pk):
        body = s.CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reservation_selectors.reservation_for_user(user=request.user, reservation_id=pk)
        form = CancelForm({"reason": body.validated_data["reason"]})
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        try:
            reservation_services.reservation_cancel(
                actor=request.user, reservation_id=pk, reason=form.cleaned_data["reason"]
            )
        except PermissionDenied as error:  # like the page: no party to it, nothing to see
            raise NotFound from error
        reservation = reservation_selectors.reservation_for_user(
            user=request.user, reservation_id=pk
        )
        return Response(s.ReservationSerializer(reservation, context={"request": request}).data)


class Impact(ApiView):
    """The report page's impact figures: a unit's own (a token's, a unit member's), or a
    coordinator's whole organisation, a department or a unit of it."""

    scope = Scope.REPORTS
    query_parameters = ("start", "end", "category", "department", "unit")

    @extend_schema(
        tags=[TAG_REPORTS],
        operation_id="impact_retrieve",
        summary="Impact figures",
        description=(
            "Items reused, kilograms, CO2e and euros, in total, per month and per category, "
            "for the period (this year when not given). `department` and `unit` are for a "
            "signed-in coordinator; a token always gets its own unit's figures."
        ),
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="The first day."),
            OpenApiParameter("end", OpenApiTypes.DATE, description="The last day."),
            OpenApiParameter("category", OpenApiTypes.INT, description="A category's id."),
            OpenApiParameter("department", OpenApiTypes.INT, description="Coordinators only."),
            OpenApiParameter("unit", OpenApiTypes.INT, description="Coordinators only."),
        ],
        responses={200: s.ImpactReportSerializer, **problems(400, 401, 403, 429)},
    )
    def get(self, request):
        user = request.user
        organisation_id = organisation_id_of(user)
        if not role_names(user) or organisation_id is None:
            raise PermissionDenied
        own_unit = None if is_coordinator(user) else user.unit
        params = request.query_params
        if own_unit is not None:
            refused = [name for name in ("department", "unit") if name in params]
            if refused:
                raise QueryInvalid(
                    {name: [_("You can see your own unit's figures only.")] for name in refused}
                )
        form = ReportFilterForm(params, own_unit=own_unit, organisation_id=organisation_id)
        if not form.is_valid():
            raise QueryInvalid({name: list(errors) for name, errors in form.errors.items()})
        report = report_selectors.impact_report(filters=form.filters(), top=None)
        return Response(s.ImpactReportSerializer(report).data)
