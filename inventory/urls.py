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
]
