"""The bare hello's only URLs (bench/_hello_settings.py): the hello, also as the health check
the benchmarks wait for before they measure."""

from django.urls import path

from kierratys.bench_views import hello

urlpatterns = [
    path("bench/hello/", hello),
    path("healthz", hello),
]
