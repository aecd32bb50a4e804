from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from . import health
from .accounts.selectors import organisation_by_slug


@login_not_required
def healthz(request):
    report = health.check()
    return JsonResponse(report, status=200 if report["database"] == "ok" else 503)


def home(request):
    """The catalogue is the front page."""
    return redirect("listings:catalogue")


@login_not_required
@require_GET
@cache_control(public=True, max_age=3600)
def organisation_style(request, slug):
    """The organisation's brand colour as a stylesheet: the CSP allows no inline style. The
    colour was checked for contrast when it was saved; the page links it with the colour in
    the query, so a new colour is a new address."""
    organisation = organisation_by_slug(slug=slug)
    css = f":root {{ --brand: {organisation.brand_colour}; }}\n"
    return HttpResponse(css, content_type="text/css; charset=utf-8")
