"""The one-way layers hold only because higher apps plug into lower ones through hooks:
each hook must be connected, or a freed chair would never reach the waiting list."""

import pytest

from inventory.apps import active_shelves, delivery_book, delivery_slots, handover_details
from kierratys import live
from kierratys.accounts import hooks as account_hooks
from kierratys.webhooks.outbox import outbox_add
from listings import hooks as listing_hooks
from listings.apps import follow_unit, forget_filter_choices
from listings.wanted.apps import answer_published, audience_widened
from reservations import hooks as reservation_hooks
from reservations.loans.services import loans_check_end_of_life, loans_check_listing_edit
from reservations.services import waiting_list_promote


def test_every_hook_is_connected_to_its_higher_app():
    assert listing_hooks.quantity_freed.receivers == [waiting_list_promote]
    assert listing_hooks.warehouse_shelves.receivers == [active_shelves]
    assert listing_hooks.listing_published.receivers == [answer_published]
    assert listing_hooks.audience_widened.receivers == [audience_widened]
    assert listing_hooks.listing_edit_check.receivers == [loans_check_listing_edit]
    assert listing_hooks.end_of_life_check.receivers == [loans_check_end_of_life]
    assert account_hooks.organisation_changed.receivers == [forget_filter_choices]
    assert account_hooks.unit_moved.receivers == [follow_unit]
    assert reservation_hooks.delivery_slots.receivers == [delivery_slots]
    assert reservation_hooks.delivery_book.receivers == [delivery_book]
    assert reservation_hooks.handover_details.receivers == [handover_details]
    assert live.published.receivers == [outbox_add]


@pytest.mark.django_db
def test_renaming_a_department_in_the_admin_shows_in_the_catalogue_filters_at_once(client):
    from listings import choices
    from tests.factories import UnitFactory, UserFactory

    department = UnitFactory().department
    assert (department.pk, department.name) in choices.departments()  # now cached
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.post(
        f"/admin/kierratys/department/{department.pk}/change/",
        {
            "organisation": department.organisation_id,
            "name": "Renamed department",
            "code": department.code,
        },
    )
    assert response.status_code == 302
    assert (department.pk, "Renamed department") in choices.departments()


@pytest.mark.django_db
def test_a_unit_moved_in_the_admin_takes_its_listings_audience_with_it(client):
    from listings.models import Listing
    from tests.factories import DepartmentFactory, ListingFactory, UserFactory

    listing = ListingFactory(audience=Listing.Audience.DEPARTMENT)
    unit, new_department = listing.owner_unit, DepartmentFactory()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    fields = ["name", "street_address", "postal_code", "city", "district", "phone"]
    response = client.post(
        f"/admin/kierratys/unit/{unit.pk}/change/",
        {
            **{name: getattr(unit, name) for name in fields},
            "department": new_department.pk,
            "cost_centre": unit.cost_centre,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.department == new_department  # its department stage is the new one's
    assert listing.organisation_id == new_department.organisation_id
