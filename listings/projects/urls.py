from django.urls import path

from kierratys.common import inputs  # noqa: F401  (the <id:...> path converter)

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("<id:pk>/", views.project_detail, name="detail"),
    path("<id:pk>/edit/", views.project_edit, name="edit"),
    path("<id:pk>/items/<id:item_pk>/remove/", views.project_item_remove, name="item_remove"),
]
