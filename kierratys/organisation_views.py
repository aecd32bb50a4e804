"""The coordinator's "Organisation" page (/organisation/): one list of the tools for running
the organisation, each with a line on what it is for. Anyone but a coordinator gets the
friendly 403 page, like the tools themselves."""

from django.shortcuts import render

from .accounts import selectors
from .accounts.partnership_views import _coordinators_organisation as coordinators_organisation
from .navigation import organisation_tools


def organisation_hub(request):
    coordinators_organisation(request)
    context = {
        "organisation": selectors.organisation_of(user=request.user),
        "tools": organisation_tools(),
    }
    return render(request, "kierratys/organisation.html", context)
