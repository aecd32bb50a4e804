from django.urls import path

from kierratys.common import inputs  # noqa: F401  (the <id:...> path converter)

from . import views

app_name = "listings"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<id:pk>/card/", views.card, name="card"),
    path("new/", views.create, name="create"),
    path("mine/", views.mine, name="mine"),
    path("labels/", views.labels, name="labels"),
    path("searches/", views.searches, name="searches"),
    path("searches/new/", views.search_new, name="search_new"),
    path("searches/<id:pk>/rename/", views.search_rename, name="search_rename"),
    path("searches/<id:pk>/delete/", views.search_delete, name="search_delete"),
    path("searches/<id:pk>/alerts/", views.search_alerts, name="search_alerts"),
    path("searches/unsubscribe/<str:token>/", views.search_unsubscribe, name="search_unsubscribe"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/edit/", views.edit, name="edit"),
    path("<id:pk>/publish/", views.publish, name="publish"),
    path("<id:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<id:pk>/label/", views.label, name="label"),
]
