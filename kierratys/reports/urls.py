from django.urls import path

from . import views

app_name = "reports"

urlpatterns: list = [
    path("", views.index, name="index"),
    path("methodology/", views.methodology, name="methodology"),
    path("region/", views.region_view, name="region"),
    path("region/<slug:kind>/", views.region_export, name="region_export"),
    path("csv/<slug:table>/", views.csv_export, name="csv"),
    path("xlsx/<slug:table>/", views.xlsx_export, name="xlsx"),
]

from . import auction  # noqa: E402  (the end-of-life "sell" decisions for the auction service)

urlpatterns.append(path("auction/", auction.auction_export, name="auction_export"))
