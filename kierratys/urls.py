from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.static import serve

from reservations import views as reservation_views

from . import views
from .accounts import views as account_views
from .common import inputs  # noqa: F401  (the <id:...> path converter)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "organisations/<slug:slug>/brand.css",
        views.organisation_style,
        name="organisation_style",
    ),
    path("notices/", account_views.notices, name="notices"),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", account_views.profile, name="profile"),
    path("accounts/signup/", account_views.signup, name="signup"),
    path("accounts/signup/sent/", account_views.signup_sent, name="signup_sent"),
    path("accounts/verify/<uidb64>/<token>/", account_views.verify_email, name="verify_email"),
    path(
        "accounts/password_reset/", account_views.PasswordResetView.as_view(), name="password_reset"
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", account_views.language_set, name="set_language"),
    path("listings/<id:pk>/reserve/", reservation_views.reserve, name="reserve"),
    path("listings/", include("listings.urls")),
    path("reservations/", include("reservations.urls")),
    path("reports/", include("kierratys.reports.urls")),
    path("inventory/", include("inventory.urls")),
    path("admin/", admin.site.urls),
]

if not settings.AWS_STORAGE_BUCKET_NAME:
    # Local media (the embedded default). Photos are for signed-in users only.
    urlpatterns.append(
        path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}, name="media")
    )

if settings.BENCH_VIEWS:
    from .bench_views import hello

    urlpatterns.append(path("bench/hello/", hello))

# The coordinator's partnerships (issue 17): the "partnerships" namespace.
from .accounts import partnership_views  # noqa: E402

urlpatterns.append(
    path("organisation/partners/", include((partnership_views.urls, "partnerships")))
)
