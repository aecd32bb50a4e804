from django.urls import path

from . import views

app_name = "reports"

urlpatterns: list = [
    path("", views.index, name="index"),
    path("methodology/", views.methodology, name="methodology"),
    path("csv/<slug:table>/", views.csv_export, name="csv"),
    path("xlsx/<slug:table>/", views.xlsx_export, name="xlsx"),
]
