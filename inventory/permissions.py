"""Who may do what with warehouse work: used by services, selectors, views and templates."""

from kierratys.accounts.roles import COORDINATOR, WAREHOUSE, belongs_to_unit, role_names

from .models import Task


def is_warehouse_staff(user) -> bool:
    """Warehouse staff and coordinators run the task board, shelves and run sheets."""
    return bool({WAREHOUSE, COORDINATOR} & role_names(user))


def can_configure_warehouses(user) -> bool:
    """Coordinators set up warehouses, their shelves and delivery slots (no superuser needed)."""
    return COORDINATOR in role_names(user)


def can_drive(user) -> bool:
    """Only warehouse staff are assigned tasks."""
    return WAREHOUSE in role_names(user)


def can_see_task(user, task: Task) -> bool:
    return (
        is_warehouse_staff(user)
        or belongs_to_unit(user, task.from_unit_id)
        or belongs_to_unit(user, task.to_unit_id)
    )


def can_cancel_task(user, task: Task) -> bool:
    """Staff cancel any task; a unit takes back its own intake request."""
    own_intake = task.kind == Task.Kind.INTAKE and belongs_to_unit(user, task.from_unit_id)
    return is_warehouse_staff(user) or own_intake


def can_send_to_warehouse(user, owner_unit_id: int | None) -> bool:
    return belongs_to_unit(user, owner_unit_id) or is_warehouse_staff(user)


def can_book_delivery(user, reserving_unit_id: int | None) -> bool:
    return belongs_to_unit(user, reserving_unit_id) or is_warehouse_staff(user)


def task_steps(user, task: Task) -> set[str]:
    """The actions the task page offers this user now, by the task's state machine
    (Task.TRANSITIONS); the services check the same transitions when the step is taken."""
    if not (is_warehouse_staff(user) and task.is_open):
        return set()
    Status, Kind = Task.Status, Task.Kind
    allowed = Task.TRANSITIONS.get(task.status, set())
    steps = {"problem", "cancel"} if Status.CANCELLED in allowed else {"problem"}
    if Status.SCHEDULED in allowed:
        steps.add("schedule")
    if Status.IN_PROGRESS in allowed and task.kind != Kind.DISPOSAL:
        steps.add("start")
    if Status.DONE in allowed and task.kind == Kind.INTAKE:
        steps.add("shelve")
    if Status.DONE in allowed and task.kind == Kind.DELIVERY:
        steps.add("deliver")
    if task.kind == Kind.DISPOSAL:
        steps.add("dispose")  # on the spot: the service schedules and starts it itself
    return steps
