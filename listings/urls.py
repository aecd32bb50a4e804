from django.urls import path

from . import views

app_name = "listings"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<int:pk>/card/", views.card, name="card"),
    path("new/", views.create, name="create"),
    path("mine/", views.mine, name="mine"),
    path("labels/", views.labels, name="labels"),
    path("searches/", views.searches, name="searches"),
    path("searches/new/", views.search_new, name="search_new"),
    path("searches/<int:pk>/rename/", views.search_rename, name="search_rename"),
    path("searches/<int:pk>/delete/", views.search_delete, name="search_delete"),
    path("searches/<int:pk>/alerts/", views.search_alerts, name="search_alerts"),
    path("searches/unsubscribe/<str:token>/", views.search_unsubscribe, name="search_unsubscribe"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/label/", views.label, name="label"),
]
