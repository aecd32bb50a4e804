"""Factories, one module per app, and the helpers that make data through the services.

Import from here (`from tests.factories import ListingFactory`); the modules follow the
apps: accounts, listings, reservations, inventory.
"""

from .accounts import (
    PASSWORD,
    DepartmentFactory,
    OrganisationFactory,
    UnitFactory,
    UserFactory,
    member_of,
    other_organisation,
    running_partnership,
    unit_of,
)
from .inventory import (
    StorageLocationFactory,
    TaskFactory,
    TimeSlotFactory,
    WarehouseFactory,
    book_delivery,
    next_working_day,
    slot_for,
    warehouse_with_slots,
)
from .listings import CategoryFactory, ListingFactory
from .loans import book, loan_listing, overdue_loan
from .reservations import ReservationFactory, reserve

__all__ = [
    "PASSWORD",
    "CategoryFactory",
    "DepartmentFactory",
    "OrganisationFactory",
    "other_organisation",
    "member_of",
    "running_partnership",
    "unit_of",
    "ListingFactory",
    "ReservationFactory",
    "StorageLocationFactory",
    "TaskFactory",
    "TimeSlotFactory",
    "UnitFactory",
    "UserFactory",
    "WarehouseFactory",
    "book",
    "overdue_loan",
    "book_delivery",
    "next_working_day",
    "loan_listing",
    "reserve",
    "slot_for",
    "warehouse_with_slots",
]
