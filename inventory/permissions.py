"""Who may do what with warehouse work: used by services, selectors, views and templates.

Warehouse work is kept within an organisation: warehouse staff and coordinators act on
the warehouses of their own organisation only, and another organisation's warehouse, task
or shelf is not found (404) rather than forbidden.
"""

from kierratys.accounts.roles import (
    COORDINATOR,
    WAREHOUSE,
    belongs_to_unit,
    organisation_id_of,
    role_names,
)

from .models import Task, Warehouse


def is_warehouse_staff(user) -> bool:
    """Warehouse staff and coordinators run the task board, shelves and run sheets."""
    return bool({WAREHOUSE, COORDINATOR} & role_names(user))


def can_configure_warehouses(user) -> bool:
    """Coordinators set up their organisation's warehouses, shelves and delivery slots (no
    superuser needed); `runs_warehouse` says which warehouses are theirs."""
    return COORDINATOR in role_names(user) and organisation_id_of(user) is not None


def runs_warehouse(user, warehouse: Warehouse | None) -> bool:
    """Is this warehouse one of the user's organisation's? Never for a user without one."""
    own = organisation_id_of(user)
    return warehouse is not None and own is not None and warehouse.organisation_id == own


def staff_of(user, warehouse: Warehouse | None) -> bool:
    """Warehouse staff (or a coordinator) of the organisation the warehouse belongs to."""
    return is_warehouse_staff(user) and runs_warehouse(user, warehouse)


def can_drive(user) -> bool:
    """Only warehouse staff are assigned tasks."""
    return WAREHOUSE in role_names(user)


def can_see_task(user, task: Task) -> bool:
    """The staff of the task's warehouse's organisation, and the units it fetches from or
    delivers to (a partner's unit sees the delivery it gets)."""
    return (
        staff_of(user, task.warehouse)
        or belongs_to_unit(user, task.from_unit_id)
        or belongs_to_unit(user, task.to_unit_id)
    )


def can_cancel_task(user, task: Task) -> bool:
    """The warehouse's staff cancel any of its tasks; a unit takes back its own intake request."""
    own_intake = task.kind == Task.Kind.INTAKE and belongs_to_unit(user, task.from_unit_id)
    return staff_of(user, task.warehouse) or own_intake


def works_on_listing(user, listing) -> bool:
    """Warehouse staff (or a coordinator) of the listing's organisation, or of the
    organisation whose warehouse shelves it: they see its shelf and tasks and dispose of it."""
    if not is_warehouse_staff(user):
        return False
    own = organisation_id_of(user)
    if own is None:
        return False
    if listing.organisation_id == own:
        return True
    location = listing.storage_location if listing.storage_location_id else None
    return location is not None and location.warehouse.organisation_id == own


def can_send_to_warehouse(user, listing) -> bool:
    return belongs_to_unit(user, listing.owner_unit_id) or works_on_listing(user, listing)


def can_book_delivery(user, reserving_unit_id: int | None) -> bool:
    return belongs_to_unit(user, reserving_unit_id) or is_warehouse_staff(user)


def task_steps(user, task: Task) -> set[str]:
    """The actions the task page offers this user now, by the task's state machine
    (Task.TRANSITIONS); the services check the same transitions when the step is taken."""
    if not (staff_of(user, task.warehouse) and task.is_open):
        return set()
    Status, Kind = Task.Status, Task.Kind
    allowed = Task.TRANSITIONS.get(task.status, set())
    steps = {"problem", "cancel"} if Status.CANCELLED in allowed else {"problem"}
    if Status.SCHEDULED in allowed:
        steps.add("schedule")
    if Status.IN_PROGRESS in allowed and task.kind != Kind.DISPOSAL:
        steps.add("start")
    if Status.DONE in allowed and task.kind in (Kind.INTAKE, Kind.TRANSFER):
        steps.add("shelve")
    if Status.DONE in allowed and task.kind == Kind.DELIVERY:
        steps.add("deliver")
    if task.kind == Kind.DISPOSAL:
        steps.add("dispose")  # on the spot: the service schedules and starts it itself
    return steps
