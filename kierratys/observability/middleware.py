"""Per-request plumbing for the operator: the request's id, and its count and latency.

Both work in either mode (sync or async), so under ASGI they never add a thread hand-off,
and neither touches the database.
"""

import re
import time
import uuid

from asgiref.sync import iscoroutinefunction, markcoroutinefunction

from . import metrics
from .logs import request_id

HEADER = "X-Request-ID"
# An id from the proxy in front is kept if it is short and plain (it goes into log lines).
ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class _BothModes:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.is_async:
            return self._acall(request)
        self.before(request)
        response = self.get_response(request)
        self.after(request, response)
        return response

    async def _acall(self, request):
        self.before(request)
        response = await self.get_response(request)
        self.after(request, response)
        return response

    def before(self, request) -> None:
        pass

    def after(self, request, response) -> None:
        pass


class RequestIdMiddleware(_BothModes):
    """Each request gets an id: the proxy's X-Request-ID if it sent a usable one, else a new
    one. Log lines written for the request carry it (logs.RequestIdFilter), and so does the
    response, so a person's report can be matched to the lines.

    Under the server (kierratys/asgi.py) the id is chosen before Django is reached
    (kierratys.serving.RequestIdScope), in the request's own context, so the server's access
    line carries it too; here it is found in the header and kept. Django runs in a thread
    that serves request after request, so the id is unset when the middleware returns.
    """

    def before(self, request) -> None:
        given = request.headers.get(HEADER, "")
        request.request_id = given if ACCEPTED_ID.fullmatch(given) else uuid.uuid4().hex
        request._request_id_token = request_id.set(request.request_id)

    def after(self, request, response) -> None:
        response.setdefault(HEADER, request.request_id)
        if not hasattr(request, "scope"):  # not an ASGI request
            request_id.reset(request._request_id_token)


class MetricsMiddleware(_BothModes):
    """Counts each answer by method, route name and status, and times it (metrics.py)."""

    def before(self, request) -> None:
        request._metrics_started = time.perf_counter()

    def after(self, request, response) -> None:
        metrics.request_observed(
            request, response.status_code, time.perf_counter() - request._metrics_started
        )
