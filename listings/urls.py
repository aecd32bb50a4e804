from django.urls import path

from . import views

app_name = "listings"

urlpatterns = [
    path("new/", views.create, name="create"),
    path("mine/", views.mine, name="mine"),
    path("labels/", views.labels, name="labels"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/label/", views.label, name="label"),
]
