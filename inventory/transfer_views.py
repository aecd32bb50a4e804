"""Asking for a transfer from the listing's page (helper "transfers", issue 21, item 3)."""

from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kierratys.common import inputs, submissions
from kierratys.common.errors import NotFound

from . import services
from .permissions import is_warehouse_staff
from .selectors import stored_listing


@require_POST
def transfer(request, listing_pk):
    if not is_warehouse_staff(request.user):
        raise NotFound
    listing = stored_listing(user=request.user, listing_id=listing_pk)
    return submissions.act_once(
        request,
        write=lambda: services.transfer_request(
            actor=request.user,
            listing_id=listing.pk,
            to_warehouse_id=inputs.positive_id(request.POST.get("to_warehouse")) or 0,
        ),
        fallback=listing,
        success=_("Transfer task created. It is on the task board of both warehouses."),
    )
