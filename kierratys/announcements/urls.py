from django.urls import path

from kierratys.common import inputs  # noqa: F401  (the <id:...> path converter)

from . import views

app_name = "announcements"

urlpatterns = [
    path("announcements/", views.announcements, name="list"),
    path("announcements/<id:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("organisation/announcements/", views.manage, name="manage"),
    path("organisation/announcements/<id:pk>/end/", views.end, name="end"),
]
