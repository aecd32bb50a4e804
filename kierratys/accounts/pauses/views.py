"""The coordinator's pauses page (/organisation/pauses/): schedule a pause, see what is in
effect, scheduled and over, and end one early. Anyone but a coordinator gets the friendly
403 page; another organisation's pause is a 404."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ...common import (
    inputs,  # noqa: F401  (the <id:...> path converter)
    submissions,
)
from ..roles import coordinators_organisation_id
from . import selectors, services
from .forms import ScheduleForm

LIST = "pauses:list"


def _coordinators_organisation(request) -> int:
    return coordinators_organisation_id(request.user)


def pauses(request):
    """GET: the page; POST: schedule a pause with the form on it."""
    organisation_id = _coordinators_organisation(request)
    form = ScheduleForm(request.POST or None, organisation_id=organisation_id)
    status = 200
    if request.method == "POST":

        def write(data):
            pause = services.pause_schedule(
                actor=request.user,
                warehouse_id=data["warehouse"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                message_fi=data["message_fi"],
                message_sv=data["message_sv"],
                message_en=data["message_en"],
            )
            messages.success(
                request,
                _("Ordering is paused from %(start)s to %(end)s.")
                % {
                    "start": date_format(pause.starts_on, "SHORT_DATE_FORMAT"),
                    "end": date_format(pause.ends_on, "SHORT_DATE_FORMAT"),
                },
            )
            return redirect(reverse(LIST) + f"#pause-{pause.pk}")

        outcome = submissions.submit_once(request, form, write=write, fallback=LIST)
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    context = selectors.pauses_page(organisation_id=organisation_id) | {"form": form}
    return render(request, "pauses/pauses.html", context, status=status)


@require_POST
def end(request, pk):
    organisation_id = _coordinators_organisation(request)
    selectors.pause_of(organisation_id=organisation_id, pause_id=pk)  # 404 for others'

    def write():
        services.pause_end(actor=request.user, pause_id=pk)
        return reverse(LIST)

    return submissions.act_once(
        request, write=write, fallback=LIST, success=_("The pause has ended: ordering is open.")
    )


urls = [
    path("", pauses, name="list"),
    path("<id:pk>/end/", end, name="end"),
]
