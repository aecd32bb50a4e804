"""The coordinator's webhooks page (/organisation/webhooks/): register an endpoint (its
signing secret is shown on the answer, once), see each endpoint's state and the latest
deliveries, resume a paused endpoint, remove one. Anyone but a coordinator gets the
friendly 403 page; another organisation's endpoint is a 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kierratys.accounts.roles import coordinators_organisation_id
from kierratys.common import inputs  # noqa: F401  (the <id:...> path converter)
from kierratys.common.errors import add_to_form

from . import selectors, services
from .forms import EndpointForm
from .models import EVENT_TYPES


def endpoints(request):
    coordinators_organisation_id(request.user)
    form = EndpointForm(request.POST or None)
    created, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = services.endpoint_create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_to_form(form, error)
        if created is None:
            status = 400
        else:
            form = EndpointForm()
    context = selectors.endpoints_page(actor=request.user) | {
        "form": form,
        "created": created,
        "event_names": EVENT_TYPES,
    }
    return render(request, "webhooks/endpoints.html", context, status=status)


@require_POST
def resume(request, pk):
    endpoint = services.endpoint_resume(actor=request.user, endpoint_id=pk)
    messages.success(request, _("Sending to %(url)s again.") % {"url": endpoint.url})
    return redirect("webhooks:list")


@require_POST
def delete(request, pk):
    services.endpoint_delete(actor=request.user, endpoint_id=pk)
    messages.success(request, _("The endpoint is removed."))
    return redirect("webhooks:list")


urls = [
    path("", endpoints, name="list"),
    path("<id:pk>/resume/", resume, name="resume"),
    path("<id:pk>/delete/", delete, name="delete"),
]
