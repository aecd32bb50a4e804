"""The coordinator's partners page (/organisation/partners/): partners, proposals both ways,
agreements, regions, and the form to propose. Like the warehouse settings, anyone but a
coordinator gets the friendly 403 page; another organisation's partnership is a 404."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..common import (
    inputs,  # noqa: F401  (the <id:...> path converter)
    submissions,
)
from . import partnership_selectors as selectors
from . import partnership_services as services
from .partnership_forms import EndForm, ProposeForm
from .roles import coordinators_organisation_id

LIST = "partnerships:list"


def _coordinators_organisation(request) -> int:
    return coordinators_organisation_id(request.user)


def partners(request):
    """GET: the page; POST: propose a partnership with the form on it."""
    organisation_id = _coordinators_organisation(request)
    form = ProposeForm(request.POST or None, organisation_id=organisation_id)
    status = 200
    if request.method == "POST":

        def write(data):
            partnership = services.partnership_propose(
                actor=request.user,
                partner_id=data["partner"].pk,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
            messages.success(
                request,
                _(
                    "Partnership proposed to %(organisation)s. It binds once their "
                    "coordinator accepts it."
                )
                % {"organisation": data["partner"].display_name},
            )
            return redirect(reverse(LIST) + f"#partnership-{partnership.pk}")

        outcome = submissions.submit_once(request, form, write=write, fallback=LIST)
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    context = selectors.partners_page(organisation_id=organisation_id) | {"form": form}
    return render(request, "partnerships/partners.html", context, status=status)


@require_POST
def accept(request, pk):
    organisation_id = _coordinators_organisation(request)
    partnership = selectors.partnership_of(organisation_id=organisation_id, partnership_id=pk)

    def write():
        services.partnership_accept(actor=request.user, partnership_id=pk)
        return reverse(LIST) + f"#partnership-{pk}"

    return submissions.act_once(
        request,
        write=write,
        fallback=LIST,
        success=_("Partnership with %(organisation)s accepted.")
        % {"organisation": partnership.other.display_name},
    )


def end(request, pk):
    """GET: what ending means, and the button; POST: end it (or decline or withdraw a
    proposal, which the list page's buttons post here directly)."""
    organisation_id = _coordinators_organisation(request)
    partnership = selectors.partnership_of(organisation_id=organisation_id, partnership_id=pk)
    form = EndForm(request.POST or None)
    status = 200
    if request.method == "POST":

        def write(data):
            services.partnership_end(actor=request.user, partnership_id=pk, reason=data["reason"])
            messages.success(request, _ended_message(partnership))
            return redirect(LIST)

        outcome = submissions.submit_once(request, form, write=write, fallback=LIST)
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    context = {"partnership": partnership, "form": form}
    return render(request, "partnerships/end.html", context, status=status)


def _ended_message(partnership) -> str:
    names = {"organisation": partnership.other.display_name}
    if partnership.accepted_at is not None:
        return _("The partnership with %(organisation)s has ended.") % names
    if partnership.incoming:
        return _("The proposal from %(organisation)s is declined.") % names
    return _("Your proposal to %(organisation)s is withdrawn.") % names


# Included under /organisation/partners/ as the "partnerships" namespace (kierratys/urls.py).
urls = [
    path("", partners, name="list"),
    path("<id:pk>/accept/", accept, name="accept"),
    path("<id:pk>/end/", end, name="end"),
]
