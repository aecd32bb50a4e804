"""What every API view shares: JSON only, token or session, scopes, the rate limit, problem
details, strict query parameters and conditional GET (ETag, 304)."""

import hashlib

from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from rest_framework import parsers, renderers, views

from . import throttling
from .authentication import ServiceTokenAuthentication, SessionAuthentication
from .permissions import HasScope
from .problems import QueryInvalid


class ApiView(views.APIView):
    authentication_classes = [ServiceTokenAuthentication, SessionAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [throttling.PerMinute]
    parser_classes = [parsers.JSONParser]
    renderer_classes = [renderers.JSONRenderer]
    scope: str | None = None
    scopes_by_method: dict = {}
    query_parameters: tuple[str, ...] = ()  # every other query parameter is refused

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        unknown = sorted(set(request.query_params) - set(self.query_parameters))
        if unknown:
            raise QueryInvalid({name: [_("Unknown query parameter.")] for name in unknown})

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        throttling.add_headers(request, response)
        response.setdefault("Vary", "Authorization, Cookie, Accept-Language")
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            response = _conditional(request, response)
        return response


def _conditional(request, response):
    """An ETag from the body itself, so it changes exactly when the answer does."""
    response.render()
    etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
    response["ETag"] = etag
    not_modified = get_conditional_response(request._request, etag=etag, response=response)
    if not_modified is not response:
        for header in ("RateLimit", "RateLimit-Policy", "Vary"):
            if header in response:
                not_modified[header] = response[header]
    return not_modified


def strict_int(value, *, name: str, low: int, high: int, default: int) -> int:
    """A query parameter that must be a whole number in range, else a 400 problem."""
    if value in (None, ""):
        return default
    if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
        raise QueryInvalid(
            {
                name: [
                    _("Give a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
                ]
            }
        )
    return int(value)
