from django.urls import path

from kierratys.common import inputs  # noqa: F401  (the <id:...> path converter)

from . import views

app_name = "inventory"

urlpatterns = [
    path("", views.board, name="board"),
    path("tasks/<id:pk>/", views.task_detail, name="task"),
    path("tasks/<id:pk>/<slug:action>/", views.task_action, name="task_action"),
    path("run-sheet/", views.run_sheet, name="run_sheet"),
    path("locations/", views.location_list, name="locations"),
    path("locations/<id:pk>/", views.location_detail, name="location"),
    path("listings/<id:listing_pk>/send/", views.send_to_warehouse, name="send"),
    path("listings/<id:listing_pk>/dispose/", views.dispose, name="dispose"),
    path("reservations/<id:reservation_pk>/delivery/", views.book_delivery, name="book_delivery"),
    # The coordinator's set-up of warehouses, their delivery slots and shelves.
    path("warehouses/", views.warehouse_list, name="warehouses"),
    path("warehouses/new/", views.warehouse_create, name="warehouse_create"),
    path("warehouses/<id:pk>/", views.warehouse_detail, name="warehouse"),
    path("warehouses/<id:pk>/edit/", views.warehouse_edit, name="warehouse_edit"),
    path("warehouses/<id:pk>/slots/new/", views.slot_create, name="slot_create"),
    path("warehouses/<id:pk>/slots/<id:slot_pk>/", views.slot_edit, name="slot_edit"),
    path(
        "warehouses/<id:pk>/slots/<id:slot_pk>/<slug:action>/",
        views.slot_switch,
        name="slot_switch",
    ),
    path("warehouses/<id:pk>/shelves/new/", views.shelf_create, name="shelf_create"),
    path("warehouses/<id:pk>/shelves/<id:shelf_pk>/", views.shelf_edit, name="shelf_edit"),
    path(
        "warehouses/<id:pk>/shelves/<id:shelf_pk>/<slug:action>/",
        views.shelf_switch,
        name="shelf_switch",
    ),
]

# Bulk work on the chosen rows of "Our listings" (helper "bulk", issue 21, item 6).
from . import bulk_views  # noqa: E402

urlpatterns += [path("listings/bulk/", bulk_views.bulk_action, name="bulk")]

# Transfers between the organisation's warehouses (helper "transfers", issue 21, item 3).
from . import transfer_views  # noqa: E402

urlpatterns += [
    path("listings/<id:listing_pk>/transfer/", transfer_views.transfer, name="transfer")
]
