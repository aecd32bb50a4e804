"""The unit picker's suggestions (unit_picker.py): GET /accounts/units/?q=...

Which organisation's units, never chosen by the caller freely:
- anonymous, with `email`: the organisation of the address's domain, as sign-up decides
  (forms.organisation_of_email); an unknown domain gets no units;
- `scope`: the organisation a page rendered the picker for (signed by the server);
- signed in: the user's own organisation (their unit's, else their address's);
- anonymous, nothing given: the only organisation when the service has one, as sign-up.
Callers are limited per minute (per account, else per client address), and an answer
holds at most unit_picker.SUGGESTIONS units.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kierratys.common.rates import per_minute_allows

from .forms import organisation_of_email
from .identity import client_address
from .models import Organisation
from .selectors import organisation_of, units_matching
from .unit_picker import SUGGESTIONS, organisation_id_of_scope, unit_detail

PER_MINUTE_ANONYMOUS = 60  # per client address: a person types far fewer, debounced
PER_MINUTE_SIGNED_IN = 120


def _rate_allows(request) -> bool:
    if request.user.is_authenticated:
        who, limit = f"user:{request.user.pk}", PER_MINUTE_SIGNED_IN
    else:
        address = salted_hmac("kierratys.unit-search", client_address(request)).hexdigest()
        who, limit = f"client:{address}", PER_MINUTE_ANONYMOUS
    return per_minute_allows("unit-search", who, limit)


def _organisation(request) -> Organisation | None:
    email = request.GET.get("email", "").strip()
    if not request.user.is_authenticated and email:
        return organisation_of_email(email)
    scoped = organisation_id_of_scope(request.GET.get("scope", ""))
    if scoped is not None:
        return Organisation.objects.filter(pk=scoped, is_active=True).first()
    if request.user.is_authenticated:
        return organisation_of(user=request.user) or organisation_of_email(request.user.email)
    return organisation_of_email(None)


@login_not_required
@require_GET
@never_cache
def unit_search(request):
    if not _rate_allows(request):
        message = _("Too many searches in a short time. Wait a minute and try again.")
        return JsonResponse({"error": message}, status=429)
    organisation = _organisation(request)
    if organisation is None:
        message = _(
            "Enter your work email address first: the units of your organisation are searched then."
        )
        return JsonResponse({"error": message}, status=400)
    units = units_matching(
        organisation=organisation, text=request.GET.get("q", ""), limit=SUGGESTIONS
    )
    return JsonResponse(
        [{"id": u.pk, "label": u.display_name, "detail": unit_detail(u)} for u in units],
        safe=False,
    )
