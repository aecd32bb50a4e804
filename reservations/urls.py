from django.urls import path

from kierratys.common import inputs  # noqa: F401  (the <id:...> path converter)

from . import document_views, views

app_name = "reservations"

urlpatterns = [
    path("", views.reservation_list, name="list"),
    path("basket/", views.basket, name="basket"),
    path("basket/add/<id:pk>/", views.basket_add, name="basket_add"),
    path("basket/remove/<id:pk>/", views.basket_remove, name="basket_remove"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/cancel/", views.cancel, name="cancel"),
    path("<id:pk>/extend/", views.extend, name="extend"),
    path("<id:pk>/approve/", views.approve, name="approve"),
    path("<id:pk>/decline/", views.decline, name="decline"),
    path("<id:pk>/handover/", views.handover, name="handover"),
    path("<id:pk>/slip/", views.slip, name="slip"),
    path("<id:pk>/document/", document_views.handover_document, name="handover_document"),
]
