from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import redirect

from . import health


@login_not_required
def healthz(request):
    report = health.check()
    return JsonResponse(report, status=200 if report["database"] == "ok" else 503)


def home(request):
    """The catalogue is the front page."""
    return redirect("listings:catalogue")
