"""The coordinator's users page (/organisation/users/): the people of their own organisation,
and when and how each last signed in. Like the partners page, anyone but a coordinator gets
the friendly 403 page."""

from django.shortcuts import render

from ..common import inputs
from . import selectors
from .partnership_views import _coordinators_organisation as coordinators_organisation


def organisation_users(request):
    organisation_id = coordinators_organisation(request)
    text = " ".join(inputs.plain_text(request.GET.get("q"), max_length=100).split())
    page = selectors.organisation_users(
        organisation_id=organisation_id, text=text, page_number=request.GET.get("page")
    )
    context = {
        "page": page,
        "users": list(page),
        "text": text,
        "organisation": selectors.organisation_of(user=request.user),
    }
    return render(request, "kierratys/organisation_users.html", context)
