from django.urls import path

from . import views

app_name = "reservations"

urlpatterns = [
    path("", views.reservation_list, name="list"),
    path("basket/", views.basket, name="basket"),
    path("basket/add/<int:pk>/", views.basket_add, name="basket_add"),
    path("basket/remove/<int:pk>/", views.basket_remove, name="basket_remove"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/extend/", views.extend, name="extend"),
    path("<int:pk>/handover/", views.handover, name="handover"),
    path("<int:pk>/slip/", views.slip, name="slip"),
]
