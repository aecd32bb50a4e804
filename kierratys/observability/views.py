"""/metrics: Prometheus' text exposition, for the operator only.

The operator sets METRICS_TOKEN and scrapes with `Authorization: Bearer <token>`. Without
the token, with a wrong one, or while none is configured, the answer is the same 404 as any
unknown address, so nobody learns the endpoint exists.
"""

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache

from . import metrics as collected


def _is_operator(request) -> bool:
    token = settings.METRICS_TOKEN
    scheme, _space, given = request.headers.get("Authorization", "").partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


@login_not_required
@never_cache
def metrics(request):
    if request.method not in ("GET", "HEAD") or not _is_operator(request):
        raise Http404
    body, content_type = collected.exposition()
    return HttpResponse(body, content_type=content_type)
