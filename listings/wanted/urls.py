from django.urls import path

from kierratys.common import inputs  # noqa: F401  (the <id:...> path converter)

from . import views

app_name = "wanted"

urlpatterns = [
    path("", views.wanted_list, name="list"),
    path("new/", views.wanted_new, name="new"),
    path("<id:pk>/", views.wanted_detail, name="detail"),
    path("<id:pk>/answer/", views.wanted_answer, name="answer"),
    path("<id:pk>/close/", views.wanted_close, name="close"),
]
