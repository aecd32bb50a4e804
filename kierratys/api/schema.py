"""The OpenAPI document's shared parts: the problem responses, the paging parameters, the
token's security scheme, and the headers every answer carries and the webhook messages'
components (a postprocessing hook)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from .pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from .problems import MEDIA_TYPE

WHY = {
    400: "Invalid input: not JSON, a wrong type, an unknown field or query parameter, a value "
    "out of range or too long. `errors` names each field (`pointer`) or parameter.",
    401: "No token, or one that is not valid, expired or revoked (`WWW-Authenticate: Bearer`).",
    403: "The token lacks the scope, the person the role, or a browser's CSRF token is missing.",
    404: "No such object, or another organisation's or unit's (the same answer).",
    405: "The method is not allowed here.",
    409: "The state does not allow it now: someone reserved the rest first, the reservation "
    "is no longer open, ordering is paused. `code` says which.",
    413: "The body is larger than the upload limit (photos together).",
    415: "The body must be application/json (or multipart/form-data where documented).",
    429: "Over the rate limit: wait `Retry-After` seconds.",
}


def problems(*statuses) -> dict:
    from .serializers import ProblemSerializer

    return {
        (status, MEDIA_TYPE): OpenApiResponse(response=ProblemSerializer, description=WHY[status])
        for status in statuses
    }


def paginated(serializer_class):
    """A cursor page of `serializer_class` items, as its own component."""
    from rest_framework import serializers

    name = serializer_class.__name__.removesuffix("Serializer") + "Page"
    fields = {
        "next": serializers.URLField(allow_null=True, help_text="The next page, or null."),
        "previous": serializers.URLField(allow_null=True, help_text="The previous page, or null."),
        "results": serializer_class(many=True),
    }
    return type(name, (serializers.Serializer,), fields)


PAGE_PARAMETERS = [
    OpenApiParameter(
        "cursor", OpenApiTypes.STR, description="The `next` or `previous` link's cursor."
    ),
    OpenApiParameter(
        "page_size",
        OpenApiTypes.INT,
        description=f"1 to {MAX_PAGE_SIZE}; {DEFAULT_PAGE_SIZE} when not given. More is a 400.",
    ),
]


class ServiceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "kierratys.api.authentication.ServiceTokenAuthentication"
    name = "serviceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A service token of an organisation (created by its coordinator "
            "at /organisation/api-tokens/), acting for one of its units, with scopes: "
            "listings:read, listings:write, reservations, tasks, reports.",
        }


RATE_HEADERS = {
    "RateLimit": {
        "description": 'Requests left this minute and seconds until more: "minute";r=599;t=42',
        "schema": {"type": "string"},
    },
    "RateLimit-Policy": {
        "description": 'The limit per minute: "minute";q=600;w=60',
        "schema": {"type": "string"},
    },
}


def add_webhook_messages(result) -> None:
    """The webhook messages (version 2, docs/webhooks.md) as components, one per resource,
    so that a receiver can generate its models from the same document as the API's."""
    from kierratys.webhooks import payloads

    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    reservation = {
        **schemas["Reservation"],
        "properties": {
            name: field
            for name, field in schemas["Reservation"]["properties"].items()
            if name not in payloads.PRIVATE_RESERVATION_FIELDS
        },
    }
    reservation["required"] = [
        name for name in reservation.get("required", []) if name in reservation["properties"]
    ]
    reservation["description"] = "A reservation as the API shows it, without contact details."
    schemas["WebhookReservation"] = reservation
    uri = {"type": "string", "format": "uri"}
    schemas["WebhookLinks"] = {
        "type": "object",
        "properties": {
            "self": {**uri, "description": "The resource's API address."},
            "listing": {**uri, "description": "A reservation's or task's listing (API)."},
            "page": {**uri, "description": "Its page in the service; with a resource."},
        },
        "required": ["self"],
    }
    integer, text = {"type": "integer"}, {"type": "string"}
    kinds = {
        "Listing": (
            "ListingDetail",
            ["listing.published", "listing.changed", "listing.removed"],
            {"id": integer, "status": text, "quantity_available": integer},
        ),
        "Reservation": (
            "WebhookReservation",
            ["reservation.changed"],
            {"id": integer, "listing": integer, "status": text, "quantity": integer},
        ),
        "Task": (
            "Task",
            ["task.changed"],
            {
                "id": integer,
                "kind": text,
                "status": text,
                "warehouse": integer,
                "date": {"type": "string", "format": "date", "nullable": True},
            },
        ),
    }
    for name, (component, types, fields) in kinds.items():
        schemas[f"Webhook{name}Message"] = {
            "type": "object",
            "description": f"The body of a webhook message of type {', '.join(types)}.",
            "properties": {
                "type": {"type": "string", "enum": types},
                "timestamp": {"type": "string", "format": "date-time"},
                "version": {"type": "integer", "enum": [payloads.VERSION]},
                "data": {
                    "type": "object",
                    "properties": {
                        **fields,
                        "resource": {
                            # Not allOf + nullable: validators read that as never null.
                            "anyOf": [
                                {"$ref": f"#/components/schemas/{component}"},
                                {"nullable": True, "enum": [None]},
                            ],
                            "description": "As the API shows it when first sent; null "
                            "when the organisation may not see it, or it is gone.",
                        },
                        "links": {"$ref": "#/components/schemas/WebhookLinks"},
                    },
                    "required": [*fields, "resource", "links"],
                },
            },
            "required": ["type", "timestamp", "version", "data"],
        }


def add_headers(result, generator, request, public):
    """Every answer's rate headers; 429's Retry-After; GET's ETag and 304. And the
    webhook messages' components (add_webhook_messages)."""
    add_webhook_messages(result)
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            responses = operation.get("responses", {})
            for code, response in responses.items():
                headers = response.setdefault("headers", {})
                if code != "401":
                    headers.update(RATE_HEADERS)
                if code == "429":
                    headers["Retry-After"] = {
                        "description": "Seconds to wait.",
                        "schema": {"type": "integer"},
                    }
                if method == "get" and code == "200":
                    headers["ETag"] = {
                        "description": "Send it back as If-None-Match: 304 while unchanged.",
                        "schema": {"type": "string"},
                    }
                if code == "401":
                    headers["WWW-Authenticate"] = {"schema": {"type": "string"}}
                if not headers:
                    del response["headers"]
            if method == "get":
                responses["304"] = {
                    "description": "Not modified: the If-None-Match ETag still holds.",
                    "headers": dict(RATE_HEADERS),
                }
    return result
