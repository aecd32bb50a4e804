"""/api/v1/: the endpoints, the OpenAPI document and its documentation page. Nothing here
uses the sign-in redirect: an API answers 401 (a problem) instead."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from kierratys.common import inputs  # noqa: F401  (the <id:...> path converter)

from . import views
from .problems import not_found_view

app_name = "api"


def _open(view_class, **initkwargs):
    return login_not_required(view_class.as_view(**initkwargs))


urlpatterns = [
    path("categories/", _open(views.CategoryList), name="categories"),
    path("listings/", _open(views.ListingList), name="listings"),
    path("listings/<id:pk>/", _open(views.ListingDetail), name="listing"),
    path("listings/<id:pk>/publish/", _open(views.ListingPublish), name="listing_publish"),
    path("listings/<id:pk>/withdraw/", _open(views.ListingWithdraw), name="listing_withdraw"),
    path("reservations/", _open(views.ReservationList), name="reservations"),
    path("reservations/<id:pk>/", _open(views.ReservationDetail), name="reservation"),
    path("reservations/<id:pk>/cancel/", _open(views.ReservationCancel), name="reservation_cancel"),
    path("tasks/", _open(views.TaskList), name="tasks"),
    path("tasks/<id:pk>/", _open(views.TaskDetail), name="task"),
    path("tasks/<id:pk>/schedule/", _open(views.TaskSchedule), name="task_schedule"),
    path("tasks/<id:pk>/start/", _open(views.TaskStart), name="task_start"),
    path("tasks/<id:pk>/done/", _open(views.TaskDone), name="task_done"),
    path("tasks/<id:pk>/cancel/", _open(views.TaskCancel), name="task_cancel"),
    path("tasks/<id:pk>/problem/", _open(views.TaskProblem), name="task_problem"),
    path("reuse-checks/", _open(views.ReuseCheckCreate), name="reuse_checks"),
    path(
        "reuse-checks/<id:pk>/outcome/",
        _open(views.ReuseCheckOutcome),
        name="reuse_check_outcome",
    ),
    path("impact/", _open(views.Impact), name="impact"),
    path("schema/", _open(SpectacularAPIView), name="schema"),
    path(
        "docs/",
        _open(
            SpectacularSwaggerSplitView,
            url_name="api:schema",
            template_name="kierratys/api_docs.html",
        ),
        name="docs",
    ),
    re_path(r"^.*$", login_not_required(not_found_view)),
]
