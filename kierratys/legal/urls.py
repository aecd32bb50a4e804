from django.urls import path

from kierratys.common import inputs  # noqa: F401  (the <id:...> path converter)

from . import views

app_name = "legal"

urlpatterns = [
    path("accessibility/", views.accessibility, name="accessibility"),
    path("accessibility/feedback/", views.feedback, name="feedback"),
    path("privacy/", views.privacy, name="privacy"),
    path("<slug:slug>/accessibility/", views.accessibility, name="accessibility_of"),
    path("<slug:slug>/accessibility/feedback/", views.feedback, name="feedback_of"),
    path(
        "<slug:slug>/accessibility/feedback/thanks/",
        views.feedback_thanks,
        name="feedback_thanks",
    ),
    path("<slug:slug>/privacy/", views.privacy, name="privacy_of"),
    path("organisation/accessibility-feedback/", views.feedback_list, name="feedback_list"),
    path(
        "organisation/accessibility-feedback/<id:pk>/",
        views.feedback_detail,
        name="feedback_detail",
    ),
]
