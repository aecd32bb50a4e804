"""Over-large request bodies get a translated 413 page, never Django's bare 400.

The ASGI guard (kierratys.guards.BodyLimit) refuses a body over REQUEST_BODY_MAX_BYTES before
reading it, in plain text. This middleware answers inside Django, where the page can be in
the user's language: a declared length over the cap is refused before anything reads the
body, and Django's own limits, which only show while the body is parsed (form fields over
DATA_UPLOAD_MAX_MEMORY_SIZE, too many files), are checked here before any view or the CSRF
check touches request.POST.
"""

from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.shortcuts import render

from .common.limits import MAX_PHOTO_BYTES, MAX_PHOTOS, request_body_limit


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("POST", "PUT", "PATCH"):
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > request_body_limit():
                return too_large(request)
            try:
                request.POST, request.FILES  # noqa: B018 - parse now, within Django's limits
            except (RequestDataTooBig, TooManyFilesSent):
                return too_large(request)
        return self.get_response(request)


def too_large(request):
    if request.path.startswith("/api/"):  # the API answers with problem details
        from django.http import JsonResponse
        from django.utils.translation import gettext as _

        body = {
            "type": "urn:kierratys:problem:too-large",
            "title": _("The request is too large."),
            "status": 413,
            "detail": _("Send at most %(limit_mb)d MB at once.")
            % {"limit_mb": request_body_limit() // (1024 * 1024)},
        }
        return JsonResponse(body, status=413, content_type="application/problem+json")
    context = {
        "limit_mb": request_body_limit() // (1024 * 1024),
        "max_photos": MAX_PHOTOS,
        "photo_mb": MAX_PHOTO_BYTES // (1024 * 1024),
    }
    return render(request, "413.html", context, status=413)
