from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Warehouse")

    def ready(self):
        from listings import hooks
        from reservations import hooks as reservation_hooks

        hooks.warehouse_shelves.connect(active_shelves)
        reservation_hooks.delivery_slots.connect(delivery_slots)
        reservation_hooks.delivery_book.connect(delivery_book)
        reservation_hooks.handover_details.connect(handover_details)


def active_shelves(*, user=None, **kwargs):
    """The shelves of the listing user's organisation's warehouses."""
    from .selectors import shelves_for_listing_form

    return shelves_for_listing_form(user=user)


def delivery_slots(*, listing, **kwargs):
    """The reserve form's delivery times for `listing` (inventory.selectors.delivery_options)."""
    from .selectors import delivery_options

    return delivery_options(listing=listing)


def delivery_book(*, actor, reservation, slot_id, day, **kwargs):
    """Book the delivery of a reservation being made, in its transaction, by the same rule
    as the booking page (inventory.services.delivery_book)."""
    from .services import delivery_book as book

    return book(actor=actor, reservation_id=reservation.pk, slot_id=slot_id, day=day)


def handover_details(*, reservation, **kwargs):
    """For the pickup slip and the reservation page: the item's warehouse with its opening
    hours, and the reservation's delivery day and slot (reservations.hooks)."""
    from .selectors import live_delivery

    details = {}
    location = reservation.listing.storage_location
    if location is not None:
        warehouse = location.warehouse
        details["warehouse"] = {
            "name": warehouse.name,
            "address": warehouse.address,
            "phone": warehouse.phone,
            "opening_hours": warehouse.opening_hours,
            "shelf": location.code,
        }
    task = live_delivery(reservation=reservation)
    if task is not None:
        slot = task.slot_day.slot if task.slot_day_id else None
        details["delivery"] = {
            "date": task.date,
            "start": slot.start if slot else None,
            "end": slot.end if slot else None,
        }
    return details
