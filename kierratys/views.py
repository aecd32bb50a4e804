from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from . import health
from .accounts.selectors import organisation_by_slug


def media(request, path):
    """Local media (the embedded default), for signed-in users. A name the file system
    cannot even look up (longer than it allows) is a 404 like any missing file."""
    try:
        return static.serve(request, path, document_root=settings.MEDIA_ROOT)
    except OSError as error:
        raise Http404 from error


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
