"""Only mounted when BENCH_VIEWS is on: the baseline the benchmarks compare pages against."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse


@login_not_required
def hello(request):
    return HttpResponse("hello")
