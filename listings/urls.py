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
    path("<id:pk>/audience/", views.audience, name="audience"),
    path("<id:pk>/label/", views.label, name="label"),
]

# End of life (donate, sell or recycle what nobody took) and the coordinator's list of
# donation recipients (helper "endoflife").
from . import end_of_life_views  # noqa: E402

urlpatterns += [
    path("<id:pk>/end-of-life/", end_of_life_views.end_of_life, name="end_of_life"),
    path("recipients/", end_of_life_views.recipients, name="recipients"),
    path("recipients/new/", end_of_life_views.recipient_create, name="recipient_create"),
    path("recipients/<id:pk>/", end_of_life_views.recipient_edit, name="recipient_edit"),
    path(
        "recipients/<id:pk>/<slug:action>/",
        end_of_life_views.recipient_switch,
        name="recipient_switch",
    ),
]
