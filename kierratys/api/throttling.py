"""Requests per token (or per signed-in person) per clock minute, in the shared cache
(kierratys.common.rates), told in every answer with the RateLimit and RateLimit-Policy
headers of the IETF draft (draft-ietf-httpapi-ratelimit-headers) and, once over, 429 with
Retry-After."""

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from kierratys.common import rates

from .models import ServiceToken

POLICY = "minute"


class PerMinute(BaseThrottle):
    def allow_request(self, request, view):
        token = request.auth if isinstance(request.auth, ServiceToken) else None
        if token is not None:
            who, limit = f"token:{token.pk}", token.rate_per_minute
        elif request.user and request.user.is_authenticated:
            who, limit = f"user:{request.user.pk}", settings.API_SESSION_RATE_PER_MINUTE
        else:
            return True  # refused as 401 anyway
        count = rates.per_minute_count("api", who)
        self.reset = rates.seconds_left_in_minute()
        request._rate_limit = (limit, max(limit - count, 0), self.reset)
        return count <= limit

    def wait(self):
        return self.reset


def add_headers(request, response) -> None:
    state = getattr(request, "_rate_limit", None)
    if state is None:
        return
    limit, remaining, reset = state
    response["RateLimit-Policy"] = f'"{POLICY}";q={limit};w=60'
    response["RateLimit"] = f'"{POLICY}";r={remaining};t={reset}'
