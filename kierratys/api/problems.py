"""Every error of the API as RFC 9457 problem details (application/problem+json).

`type` is a stable URN per kind of problem, `title` says it in words, `status` repeats the
HTTP status, `detail` explains this occurrence in the reader's language, and `errors`
lists what was wrong with which body field (`pointer`, a JSON Pointer) or query parameter
(`parameter`). A service's own code (e.g. reservations.errors.ReservationError) comes as
`code`. Services' errors keep their statuses (kierratys.common.errors.status_of).
"""

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from kierratys.common.errors import NotFound, status_of

MEDIA_TYPE = "application/problem+json"


def _titles():
    return {
        400: ("invalid-input", _("The request is not valid.")),
        401: ("unauthenticated", _("Authentication is needed.")),
        403: ("forbidden", _("This is not allowed.")),
        404: ("not-found", _("Not found.")),
        405: ("method-not-allowed", _("This method is not allowed here.")),
        406: ("not-acceptable", _("This response format is not available.")),
        409: ("conflict", _("The current state does not allow this.")),
        413: ("too-large", _("The request is too large.")),
        415: ("unsupported-media-type", _("Send the body as application/json.")),
        429: ("rate-limited", _("Too many requests.")),
    }


class QueryInvalid(exceptions.APIException):
    """Bad query parameters: {parameter: [messages]}."""

    status_code = 400

    def __init__(self, errors: dict):
        self.errors = errors
        super().__init__(_("Some query parameters are not valid."))


def problem(
    status_code: int,
    *,
    detail: str = "",
    kind: str | None = None,
    errors: list | None = None,
    code: str | None = None,
    headers: dict | None = None,
) -> Response:
    slug, title = _titles().get(status_code, ("error", _("The request failed.")))
    body = {
        "type": f"urn:kierratys:problem:{kind or slug}",
        "title": title,
        "status": status_code,
        "detail": detail or title,
    }
    if code:
        body["code"] = str(code)
    if errors:
        body["errors"] = errors
    response = Response(body, status=status_code, headers=headers, content_type=MEDIA_TYPE)
    response.problem = True
    return response


def _body_errors(detail, path="") -> list:
    """DRF's nested error detail as a flat list of {pointer, detail}."""
    found = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                found += _body_errors(value, path)
            else:
                found += _body_errors(value, f"{path}/{key}")
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            found += [{"pointer": f"#{path}", "detail": str(item)} for item in detail]
        else:
            for index, item in enumerate(detail):
                found += _body_errors(item, f"{path}/{index}")
    else:
        found.append({"pointer": f"#{path}", "detail": str(detail)})
    return found


def _service_errors(error: DjangoValidationError) -> tuple[str, list]:
    if hasattr(error, "error_dict"):
        errors = [
            {"pointer": "#" if field == "__all__" else f"#/{field}", "detail": message}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
        return " ".join(e["detail"] for e in errors), errors
    return " ".join(error.messages), []


def _code_of(error: DjangoValidationError):
    code = getattr(error, "code", None)
    if code is None and not hasattr(error, "error_dict"):
        code = next((e.code for e in error.error_list if e.code), None)
    return code


def handle(exc, context):
    """REST framework's EXCEPTION_HANDLER: everything it or a service raises, as a problem."""
    if isinstance(exc, Http404 | NotFound):
        return problem(404, detail=_("Not found, or not yours to see."))
    if isinstance(exc, PermissionDenied):
        return problem(403)
    if isinstance(exc, RequestDataTooBig | TooManyFilesSent):  # multipart parsed by the API
        from kierratys.common.limits import request_body_limit

        limit_mb = request_body_limit() // (1024 * 1024)
        return problem(
            413, detail=_("Send at most %(limit_mb)d MB at once.") % {"limit_mb": limit_mb}
        )
    if isinstance(exc, DjangoValidationError):
        detail, errors = _service_errors(exc)
        status_code = status_of(exc)
        return problem(status_code, detail=detail, errors=errors, code=_code_of(exc))
    if isinstance(exc, QueryInvalid):
        errors = [
            {"parameter": name, "detail": str(message)}
            for name, messages in exc.errors.items()
            for message in messages
        ]
        return problem(400, detail=str(exc.detail), errors=errors, kind="invalid-query")
    if isinstance(exc, exceptions.ValidationError):
        errors = _body_errors(exc.detail)
        return problem(400, detail=_("Some fields are not valid."), errors=errors)
    if isinstance(exc, exceptions.ParseError):
        return problem(400, detail=_("The body is not valid JSON."), kind="invalid-json")
    if isinstance(exc, exceptions.Throttled):
        wait = max(1, int(exc.wait or 1))
        return problem(
            429,
            detail=_("Too many requests. Try again in %(n)d seconds.") % {"n": wait},
            headers={"Retry-After": str(wait)},
        )
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response = problem(exc.status_code, detail=str(exc.detail))
        if getattr(exc, "auth_header", None):
            response["WWW-Authenticate"] = exc.auth_header
        return response
    if isinstance(exc, exceptions.APIException):
        detail = exc.detail if isinstance(exc.detail, str) else ""
        return problem(exc.status_code, detail=str(detail))
    return None  # a bug: the 500 page, and the error is logged


def not_found_view(request, *args, **kwargs):
    """Any address under /api/v1/ that names nothing: a problem, not the HTML 404 page."""
    from django.http import JsonResponse

    slug, title = _titles()[404]
    return JsonResponse(
        {
            "type": f"urn:kierratys:problem:{slug}",
            "title": title,
            "status": status.HTTP_404_NOT_FOUND,
            "detail": _("There is nothing at this address."),
        },
        status=404,
        content_type=MEDIA_TYPE,
    )
