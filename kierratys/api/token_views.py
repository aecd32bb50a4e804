"""The coordinator's service tokens page (/organisation/api-tokens/): create a token (its
secret is shown on the answer to the form, once, and never again), see the organisation's
tokens with their scopes, expiry and last use, and revoke one. Anyone but a coordinator gets
the friendly 403 page; another organisation's token is a 404."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kierratys.accounts.roles import coordinators_organisation_id
from kierratys.common import (
    inputs,  # noqa: F401  (the <id:...> path converter)
    submissions,
)

from . import selectors, services
from .forms import TokenForm

LIST = "api_tokens:list"


def _page(request, organisation_id, form, *, created=None, status=200):
    context = {
        "form": form,
        "tokens": selectors.tokens_of_organisation(organisation_id=organisation_id),
        "created": created,
        "now": timezone.now(),
        "docs_url": reverse("api:docs"),
    }
    return render(request, "api/tokens.html", context, status=status)


def tokens(request):
    """GET: the page; POST: create a token, and show its secret on this one answer."""
    organisation_id = coordinators_organisation_id(request.user)
    units = selectors.units_for_tokens(organisation_id=organisation_id)
    form = TokenForm(request.POST or None, units=units)
    if request.method != "POST":
        return _page(request, organisation_id, form)
    created = None

    def write(data):
        nonlocal created
        created = services.token_create(
            actor=request.user,
            name=data["name"],
            unit_id=data["unit"],
            scopes=data["scopes"],
            days=data["days"],
            rate_per_minute=data["rate_per_minute"],
            warehouse=data["warehouse"],
        )
        # A repeated form goes to the token in the list: the secret is not shown again.
        return redirect(reverse(LIST) + f"#token-{created.token.pk}")

    outcome = submissions.submit_once(request, form, write=write, fallback=LIST)
    if created is not None:
        return _page(request, organisation_id, TokenForm(units=units), created=created)
    if isinstance(outcome, HttpResponse):
        return outcome
    return _page(request, organisation_id, form, status=outcome)


@require_POST
def revoke(request, pk):
    organisation_id = coordinators_organisation_id(request.user)
    selectors.token_of(organisation_id=organisation_id, token_id=pk)  # 404 for others'

    def write():
        services.token_revoke(actor=request.user, token_id=pk)
        return reverse(LIST) + f"#token-{pk}"

    return submissions.act_once(
        request,
        write=write,
        fallback=LIST,
        success=_("The token is revoked. Systems using it are refused from now on."),
    )


urls = [
    path("", tokens, name="list"),
    path("<id:pk>/revoke/", revoke, name="revoke"),
]
