"""Warehouse work: intake, shelving, delivery slots, disposal and stock-takes.

tasks: the state machine and the steps every kind shares; slots: capacity; intake,
delivery, disposal and stocktake: one flow each; warehouses: the coordinator's set-up.
"""

from .delivery import delivery_book, delivery_complete  # noqa: F401
from .disposal import disposal_complete, disposal_request, listings_expiry_notify  # noqa: F401
from .intake import intake_request, intake_shelve  # noqa: F401
from .stocktake import stocktake_record  # noqa: F401
from .tasks import (  # noqa: F401
    default_warehouse,
    task_assign,
    task_cancel,
    task_report_problem,
    task_schedule,
    task_start,
)
from .transfers import transfer_request  # noqa: F401
from .warehouses import (  # noqa: F401
    shelf_activate,
    shelf_create,
    shelf_deactivate,
    shelf_update,
    slot_activate,
    slot_create,
    slot_deactivate,
    slot_update,
    warehouse_create,
    warehouse_update,
)
