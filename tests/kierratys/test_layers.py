"""The one-way layers hold only because higher apps plug into lower ones through hooks:
each hook must be connected, or a freed chair would never reach the waiting list."""

import pytest

from inventory.apps import active_shelves, delivery_book, delivery_slots, handover_details
from kierratys.accounts import hooks as account_hooks
from listings import hooks as listing_hooks
from listings.apps import forget_filter_choices
from reservations import hooks as reservation_hooks
from reservations.services import waiting_list_promote


def test_every_hook_is_connected_to_its_higher_app():
    assert listing_hooks.quantity_freed.receivers == [waiting_list_promote]
    assert listing_hooks.warehouse_shelves.receivers == [active_shelves]
    assert account_hooks.organisation_changed.receivers == [forget_filter_choices]
    assert reservation_hooks.delivery_slots.receivers == [delivery_slots]
    assert reservation_hooks.delivery_book.receivers == [delivery_book]
    assert reservation_hooks.handover_details.receivers == [handover_details]


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
