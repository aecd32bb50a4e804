"""The API's endpoints: each binds its input, calls the pages' own selector or service and
answers with JSON. Errors are problem details (problems.py); see the OpenAPI document at
/api/v1/schema/ for every status and shape."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import parsers, status
from rest_framework.exceptions import Throttled
from rest_framework.fields import empty
from rest_framework.response import Response

from inventory import selectors as inventory_selectors
from inventory import services as inventory_services
from inventory.models import Task
from kierratys.accounts.roles import is_coordinator, organisation_id_of, role_names
from kierratys.common.errors import NotFound
from kierratys.reports import selectors as report_selectors
from kierratys.reports.forms import ReportFilterForm
from listings import choices, search
from listings import selectors as listing_selectors
from listings import services as listing_services
from listings.forms import ListingForm, PhotoEditForm, WithdrawForm
from listings.models import Listing
from listings.photos import PhotoRejected
from reservations import selectors as reservation_selectors
from reservations import services as reservation_services
from reservations.forms import CancelForm
from reservations.views import reserve_form

from . import serializers as s
from . import services as api_services
from .actions import Action, action_schema
from .base import ApiView
from .filters import PARAMETERS, ApiCatalogueFilter
from .models import Scope
from .pagination import Cursor
from .problems import QueryInvalid
from .schema import PAGE_PARAMETERS, paginated, problems

TAG_LISTINGS = "Listings"
TAG_RESERVATIONS = "Reservations"
TAG_REPORTS = "Reports"
TAG_TASKS = "Warehouse tasks"
TAG_REUSE = "Reuse check"


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
    scopes_by_method = {"POST": Scope.LISTINGS_WRITE}
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser]
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

    @extend_schema(
        tags=[TAG_LISTINGS],
        operation_id="listings_create",
        summary="List an item",
        description=(
            "For the token's unit, as the listing form does: a draft, or published at once "
            "with `publish: true`. JSON, or multipart/form-data with up to 8 `photos` files "
            "(the same photo checks as the page). The values are checked by the page's form, "
            "with its messages, each error pointing at its field."
        ),
        request={
            "application/json": s.ListingCreateSerializer,
            "multipart/form-data": s.ListingCreateMultipartSerializer,
        },
        responses={
            201: s.ListingDetailSerializer,
            **problems(400, 401, 403, 413, 415, 429),
        },
    )
    def post(self, request):
        data, files = _listing_input(request, s.ListingCreateSerializer, photos=True)
        for name in ("available_from", "available_until"):  # the form's initial days
            if data.get(name) in (None, ""):
                data[name] = Listing._meta.get_field(name).get_default()
        form = ListingForm(data, files, user=request.user)
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        listing = _photo_work(
            listing_services.listing_create,
            actor=request.user,
            unit=request.user.unit,
            fields=form.listing_fields(),
            uploads=form.cleaned_data["photos"],
            publish=data.get("publish") in (True, "true", "on", "1"),
        )
        return _listing_answer(request, listing.pk, status.HTTP_201_CREATED)


def _listing_input(
    request, serializer_class, *, photos: bool, base: dict | None = None, multipart_class=None
):
    """The body as the listing form's data: JSON type-checked by `serializer_class`, or
    multipart form fields (strings, as the page sends them; those of `multipart_class`
    when given) and photo files."""
    files = None
    if request.content_type.startswith("multipart/"):
        fields = (multipart_class or serializer_class)().fields
        known = set(fields)
        unknown = sorted((set(request.data) - known) - ({"photos"} if photos else set()))
        if unknown:
            raise ValidationError({name: _("Unknown field.") for name in unknown})
        data = {
            name: request.data.getlist(name) if name in PHOTO_IDS else request.data.get(name)
            for name in request.data
            if name != "photos"
        }
        if base is None:  # as in JSON: what is not sent takes the field's default
            for name, field in fields.items():
                if name not in data and field.default is not empty:
                    data[name] = field.default
        files = request.FILES
        if not photos and files:
            raise ValidationError({"photos": _("Unknown field.")})
    else:
        partial = base is not None
        body = serializer_class(data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        data = {
            name: ("" if value is None else value) for name, value in body.validated_data.items()
        }
    if base is not None:
        data = {**base, **data}
    return data, files


PHOTO_IDS = ("remove_photos", "photo_order")  # PATCH's photo changes, lists of photo ids
PHOTO_CHANGES = (*PHOTO_IDS, "photo_alt_texts")


def _photo_ids(values, name: str) -> list[int]:
    """JSON's are checked by the serializer; multipart sends each id as a string."""
    ids = []
    for index, value in enumerate(values):
        if isinstance(value, str):
            if not (value.isascii() and value.isdigit() and 0 < int(value) < 2**31):
                raise ValidationError({f"{name}/{index}": _("Give a whole number.")})
            value = int(value)
        ids.append(value)
    return ids


def _photo_changes(ids: dict, files, listing) -> dict:
    """The edit page's own photo form checks the new files and the removals; the order
    must name the listing's photos, each once, none that is removed."""
    remove = _photo_ids(ids["remove_photos"], "remove_photos")
    order = _photo_ids(ids["photo_order"], "photo_order")
    texts = ids["photo_alt_texts"] or {}
    alt_ids = dict(zip(_photo_ids(list(texts), "photo_alt_texts"), texts.values(), strict=True))
    data = {"remove": [str(pk) for pk in remove]}
    data |= {f"alt_{pk}": text for pk, text in alt_ids.items()}
    form = PhotoEditForm(data, files or {}, listing=listing)
    errors = {}
    if not form.is_valid():
        names = {"remove": "remove_photos"} | {
            f"alt_{pk}": f"photo_alt_texts/{pk}" for pk in alt_ids
        }
        errors = {names.get(name, name): found for name, found in form.errors.as_data().items()}
    photo_ids = {photo.pk for photo in form.listing_photos}
    for pk in alt_ids:
        if pk not in photo_ids:
            problem = _("Photo %(id)d is not one of this listing's photos.") % {"id": pk}
            errors.setdefault("photo_alt_texts", []).append(problem)
    for pk in order:
        if pk not in photo_ids:
            problem = _("Photo %(id)d is not one of this listing's photos.")
        elif order.count(pk) > 1:
            problem = _("Photo %(id)d is named more than once.")
        elif pk in remove:
            problem = _("Photo %(id)d is being removed; leave it out of the order.")
        else:
            continue
        errors.setdefault("photo_order", []).append(problem % {"id": pk})
    if errors:
        raise ValidationError(errors)
    described = form.alt_texts()  # the page's: every photo's; here only those named
    return {
        "uploads": form.cleaned_data["photos"],
        "remove_photo_ids": form.cleaned_data["remove"],
        "photo_order": order,
        "alt_texts": {pk: described[pk] for pk in alt_ids if pk in described},
    }


def _photo_work(service, **kwargs):
    """A listings service with uploads: a refused file (the photo pipeline's message and
    code) points at `photos`."""
    try:
        return service(**kwargs)
    except PhotoRejected as error:
        refused = ValidationError({"photos": error.error_list})
        refused.code = error.code
        raise refused from error


def _listing_answer(request, listing_id: int, status_code=status.HTTP_200_OK):
    listing = listing_selectors.listing_for_edit(user=request.user, listing_id=listing_id)
    body = s.ListingDetailSerializer(listing, context={"request": request}).data
    location = request.build_absolute_uri(f"/api/v1/listings/{listing.pk}/")
    return Response(body, status=status_code, headers={"Location": location})


def _edits(function, **kwargs):
    """A listings service on a listing the caller may not edit: 404, as on the pages."""
    try:
        return function(**kwargs)
    except (Listing.DoesNotExist, PermissionDenied) as error:
        raise NotFound from error


class ListingDetail(ApiView):
    scope = Scope.LISTINGS_READ
    scopes_by_method = {"PATCH": Scope.LISTINGS_WRITE}
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser]

    @extend_schema(
        tags=[TAG_LISTINGS],
        operation_id="listings_retrieve",
        summary=("A listing"),
        responses={200: s.ListingDetailSerializer, **problems(400, 401, 403, 404, 429)},
    )
    def get(self, request, pk):
        listing = listing_selectors.listing_for_view(user=request.user, listing_id=pk)
        return Response(s.ListingDetailSerializer(listing, context={"request": request}).data)

    @extend_schema(
        tags=[TAG_LISTINGS],
        operation_id="listings_partial_update",
        summary="Edit a listing",
        description=(
            "Change some of the listing form's fields; the others stay. The edit page's "
            "rules: reserved items stay reserved, so the quantity cannot go below them. "
            "Photos as on the edit page: `remove_photos`, `photo_order` and (JSON) "
            "`photo_alt_texts` name photos by their `id`; new photos come as "
            "multipart/form-data `photos` files, with "
            "the page's checks (a file that is not a usable photo is a 400 with the "
            "photo check's `code`, e.g. `not_a_photo`, `too_large`, `damaged`; at most 8 "
            "photos; GPS and other metadata are never kept). Everything in one request "
            "is saved together or not at all. 404 for a listing the token's unit may not "
            "edit (another unit's or organisation's)."
        ),
        request={
            "application/json": s.ListingUpdateSerializer,
            "multipart/form-data": s.ListingUpdateMultipartSerializer,
        },
        responses={200: s.ListingDetailSerializer, **problems(400, 401, 403, 404, 413, 415, 429)},
    )
    def patch(self, request, pk):
        listing = listing_selectors.listing_for_edit(user=request.user, listing_id=pk)
        current = model_to_dict(listing, fields=ListingForm.Meta.fields)
        current = {name: "" if value is None else value for name, value in current.items()}
        data, files = _listing_input(
            request,
            s.ListingUpdateSerializer,
            photos=True,
            base=current,
            multipart_class=s.ListingUpdateMultipartSerializer,
        )
        ids = {name: data.pop(name, None) or [] for name in PHOTO_CHANGES}
        form = ListingForm(data, instance=listing)
        form_errors = {} if form.is_valid() else form.errors.as_data()
        try:
            photos = _photo_changes(ids, files, listing)
        except ValidationError as error:
            form_errors = {**form_errors, **error.error_dict}
        if form_errors:
            raise ValidationError(form_errors)
        _edits(
            _photo_work,
            service=listing_services.listing_update,
            actor=request.user,
            listing_id=listing.pk,
            fields=form.listing_fields(),
            **photos,
        )
        return _listing_answer(request, listing.pk)


class ListingAction(Action):
    """A step on a listing the token's unit may edit (else 404), answered with the listing."""

    scope = Scope.LISTINGS_WRITE

    def answer(self, request, pk):
        return _listing_answer(request, pk)


@action_schema(
    tag=TAG_LISTINGS,
    operation_id="listings_publish",
    summary="Publish a listing",
    description=(
        "A draft or a withdrawn listing becomes findable (a published one stays so). "
        "400 with the page's message when it cannot be: archived, or its period ended."
    ),
    answer=s.ListingDetailSerializer,
    statuses=(400, 401, 403, 404, 429),
)
class ListingPublish(ListingAction):
    def act(self, request, pk, data):
        _edits(listing_services.listing_publish, actor=request.user, listing_id=pk)


@action_schema(
    tag=TAG_LISTINGS,
    operation_id="listings_withdraw",
    summary="Withdraw a listing",
    description=(
        "Nobody can reserve it any more; the reason goes to its history. 400 when it "
        "is not published."
    ),
    body=s.WithdrawSerializer,
    answer=s.ListingDetailSerializer,
    statuses=(400, 401, 403, 404, 429),
)
class ListingWithdraw(ListingAction):
    body = s.WithdrawSerializer

    def act(self, request, pk, data):
        form = WithdrawForm({"reason": data["reason"]})
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        _edits(
            listing_services.listing_withdraw,
            actor=request.user,
            listing_id=pk,
            reason=form.cleaned_data["reason"],
        )


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
            for_unit_id=data["for_unit"],  # issue 20: on behalf of a unit (roles.unit_acted_for)
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


@action_schema(
    tag=TAG_RESERVATIONS,
    operation_id="reservations_cancel",
    summary="Cancel a reservation",
    body=s.CancelSerializer,
    answer=s.ReservationSerializer,
    statuses=(400, 401, 403, 404, 409, 429),
)
class ReservationCancel(Action):
    scope = Scope.RESERVATIONS
    body = s.CancelSerializer

    def act(self, request, pk, data):
        reservation_selectors.reservation_for_user(user=request.user, reservation_id=pk)
        form = CancelForm({"reason": data["reason"]})
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        try:
            reservation_services.reservation_cancel(
                actor=request.user, reservation_id=pk, reason=form.cleaned_data["reason"]
            )
        except PermissionDenied as error:  # like the page: no party to it, nothing to see
            raise NotFound from error

    def answer(self, request, pk):
        reservation = reservation_selectors.reservation_for_user(
            user=request.user, reservation_id=pk
        )
        return Response(s.ReservationSerializer(reservation, context={"request": request}).data)


class TaskFilterForm(forms.Form):
    """The task list's query parameters (the board's filters, plus status)."""

    warehouse = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    date = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    status = forms.ChoiceField(required=False, choices=Task.Status.choices)
    kind = forms.ChoiceField(required=False, choices=Task.Kind.choices)


TASKS_DESCRIPTION = (
    "The tasks the token's account may see, as on the task pages: with the warehouse role "
    "(a token made as a warehouse system) every task of the organisation's warehouses; "
    "otherwise the tasks that fetch from or deliver to the token's unit. The steps need "
    "the warehouse role (403 without it; a unit may cancel its own intake request) and "
    "follow the task's states (open → scheduled → in_progress → done, or cancelled; 409 "
    "for a step its state does not allow)."
)


class TaskList(ApiView):
    scope = Scope.TASKS
    query_parameters = ("warehouse", "date", "status", "kind", "cursor", "page_size")

    @extend_schema(
        tags=[TAG_TASKS],
        operation_id="tasks_list",
        summary="Warehouse tasks",
        description=TASKS_DESCRIPTION + " Newest first.",
        parameters=[
            OpenApiParameter("warehouse", OpenApiTypes.INT, description="A warehouse's id."),
            OpenApiParameter("date", OpenApiTypes.DATE, description="Tasks on this day."),
            OpenApiParameter("status", OpenApiTypes.STR, enum=Task.Status.values),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=Task.Kind.values),
            *PAGE_PARAMETERS,
        ],
        responses={200: paginated(s.TaskSerializer), **problems(400, 401, 403, 429)},
    )
    def get(self, request):
        form = TaskFilterForm(request.query_params)
        if not form.is_valid():
            raise QueryInvalid({name: list(errors) for name, errors in form.errors.items()})
        filters = form.cleaned_data
        queryset = inventory_selectors.tasks_for_user(
            user=request.user,
            warehouse_id=filters["warehouse"],
            day=filters["date"],
            status=filters["status"],
            kind=filters["kind"],
        ).order_by("-pk")
        paginator = Cursor()
        page = paginator.paginate_queryset(queryset, request, view=self)
        data = s.TaskSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class TaskDetail(ApiView):
    scope = Scope.TASKS

    @extend_schema(
        tags=[TAG_TASKS],
        operation_id="tasks_retrieve",
        summary="A warehouse task",
        description=TASKS_DESCRIPTION,
        responses={200: s.TaskSerializer, **problems(400, 401, 403, 404, 429)},
    )
    def get(self, request, pk):
        task = inventory_selectors.task_for_user(user=request.user, task_id=pk)
        return Response(s.TaskSerializer(task, context={"request": request}).data)


class TaskAction(Action):
    """A step on a task the token's account may see (else 404, as another organisation's
    is), through the inventory service, answered with the task."""

    scope = Scope.TASKS

    def post(self, request, pk):
        try:
            return super().post(request, pk)
        except Task.DoesNotExist as error:
            raise NotFound from error

    def answer(self, request, pk):
        task = inventory_selectors.task_for_user(user=request.user, task_id=pk)
        return Response(s.TaskSerializer(task, context={"request": request}).data)


STEP_STATUSES = (400, 401, 403, 404, 409, 429)


def _task_schema(*, statuses=STEP_STATUSES, **kwargs):
    return action_schema(tag=TAG_TASKS, answer=s.TaskSerializer, statuses=statuses, **kwargs)


@_task_schema(
    operation_id="tasks_schedule",
    summary="Schedule a task",
    description="A day (and a time slot) for an open or scheduled task.",
    body=s.TaskScheduleSerializer,
)
class TaskSchedule(TaskAction):
    body = s.TaskScheduleSerializer

    def act(self, request, pk, data):
        inventory_selectors.task_for_user(user=request.user, task_id=pk)
        inventory_services.task_schedule(
            actor=request.user, task_id=pk, day=data["date"], slot_id=data["slot"]
        )


@_task_schema(
    operation_id="tasks_start",
    summary="Start a task",
    description="Loading the item (a scheduled task): the scanned label, when given, "
    "must be this item's.",
    body=s.TaskStartSerializer,
)
class TaskStart(TaskAction):
    body = s.TaskStartSerializer

    def act(self, request, pk, data):
        inventory_selectors.task_for_user(user=request.user, task_id=pk)
        inventory_services.task_start(
            actor=request.user, task_id=pk, scanned_code=data["scanned_code"]
        )


@_task_schema(
    operation_id="tasks_done",
    summary="Finish a task",
    description=(
        "As the task page's last step for its kind: an intake or a transfer is shelved "
        "(`location`: a shelf of the warehouse it ends in), a delivery is delivered "
        "(`scanned_code` checked when given), a disposal is disposed of."
    ),
    body=s.TaskDoneSerializer,
)
class TaskDone(TaskAction):
    body = s.TaskDoneSerializer

    def act(self, request, pk, data):
        task = inventory_selectors.task_for_user(user=request.user, task_id=pk)
        actor = request.user
        if task.kind in (Task.Kind.INTAKE, Task.Kind.TRANSFER):
            if data["location"] is None:
                raise ValidationError({"location": _("Choose a shelf.")})
            inventory_services.intake_shelve(actor=actor, task_id=pk, location_id=data["location"])
        elif task.kind == Task.Kind.DELIVERY:
            inventory_services.delivery_complete(
                actor=actor, task_id=pk, scanned_code=data["scanned_code"]
            )
        else:
            inventory_services.disposal_complete(actor=actor, task_id=pk)


@_task_schema(
    operation_id="tasks_cancel",
    summary="Cancel a task",
    description=(
        "As the task page's Cancel: the warehouse's staff cancel any open, scheduled or "
        "started task of its warehouse, and a unit takes back its own intake request "
        "(403 for any other task it sees). A booked time slot is freed; the reason "
        "(optional) is kept as the task's problem and goes to the item's history. 409 "
        "for a task already done or cancelled."
    ),
    body=s.TaskCancelSerializer,
)
class TaskCancel(TaskAction):
    body = s.TaskCancelSerializer

    def act(self, request, pk, data):
        inventory_selectors.task_for_user(user=request.user, task_id=pk)
        inventory_services.task_cancel(actor=request.user, task_id=pk, reason=data["reason"])


@_task_schema(
    operation_id="tasks_report_problem",
    summary="Report a problem with a task",
    description=(
        "As the task page's Report a problem (missing, damaged ...): the text is shown on "
        "the task and goes to the item's history; the task keeps its state. The warehouse "
        "role only (403 without it)."
    ),
    body=s.TaskProblemSerializer,
    statuses=(400, 401, 403, 404, 429),
)
class TaskProblem(TaskAction):
    body = s.TaskProblemSerializer

    def act(self, request, pk, data):
        inventory_selectors.task_for_user(user=request.user, task_id=pk)
        inventory_services.task_report_problem(
            actor=request.user, task_id=pk, problem=data["problem"]
        )


class ReuseCheckCreate(ApiView):
    """Issue 19, item 6: a purchasing system asks before anyone buys new furniture."""

    scope = Scope.LISTINGS_READ

    @extend_schema(
        tags=[TAG_REUSE],
        operation_id="reuse_checks_create",
        summary="Check for reused items before buying",
        description=(
            "The listings of the category (and its sub-categories) that the token's unit may "
            "reserve, available by `needed_by`, most items first (at most 24; the counts "
            "cover all), each with how to reserve it. The check is recorded: tell what came "
            "of it at `outcome_url`. Needs the listings:read scope (reserving: reservations)."
        ),
        request=s.ReuseCheckCreateSerializer,
        responses={201: s.ReuseCheckAnswerSerializer, **problems(400, 401, 403, 415, 429)},
    )
    def post(self, request):
        body = s.ReuseCheckCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        checked = api_services.reuse_check_create(
            actor=request.user,
            category_id=data["category"],
            quantity=data["quantity"],
            needed_by=data["needed_by"],
            reference=data["reference"],
        )
        context = {
            "request": request,
            "listings": checked.listings,
            "today": timezone.localdate(),
        }
        answer = s.ReuseCheckAnswerSerializer(checked.check, context=context).data
        location = request.build_absolute_uri(
            reverse("api:reuse_check_outcome", args=[checked.check.pk])
        )
        return Response(answer, status=status.HTTP_201_CREATED, headers={"Location": location})


class ReuseCheckOutcome(ApiView):
    scope = Scope.LISTINGS_READ

    @extend_schema(
        tags=[TAG_REUSE],
        operation_id="reuse_checks_outcome",
        summary="What came of a reuse check",
        description=(
            "`reserved` (optionally the reservation), or `bought_new` with a reason: "
            "`no_match`, `wrong_size` (size or model), `needed_sooner`, or `other` with "
            "`reason_text`. Once per check: 409 when already told. Another unit's check: 404."
        ),
        request=s.ReuseOutcomeSerializer,
        responses={
            200: s.ReuseCheckSerializer,
            **problems(400, 401, 403, 404, 409, 415, 429),
        },
    )
    def post(self, request, pk):
        body = s.ReuseOutcomeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        check = api_services.reuse_check_outcome(
            actor=request.user,
            check_id=pk,
            outcome=data["outcome"],
            reason=data["reason"],
            reason_text=data["reason_text"],
            reservation_id=data["reservation"],
        )
        return Response(s.ReuseCheckSerializer(check, context={"request": request}).data)


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
