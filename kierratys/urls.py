from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from reservations import views as reservation_views

from . import views
from .accounts import unit_picker_views
from .accounts import views as account_views
from .accounts.sso import views as sso_views
from .common import inputs  # noqa: F401  (the <id:...> path converter)
from .observability import views as observability_views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", observability_views.metrics, name="metrics"),  # the operator's (token)
    path(
        "organisations/<slug:slug>/brand.css",
        views.organisation_style,
        name="organisation_style",
    ),
    path("notices/", account_views.notices, name="notices"),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", account_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", account_views.profile, name="profile"),
    path("accounts/signup/", account_views.signup, name="signup"),
    path("accounts/signup/sent/", account_views.signup_sent, name="signup_sent"),
    path("accounts/units/", unit_picker_views.unit_search, name="unit_search"),
    path("accounts/verify/<uidb64>/<token>/", account_views.verify_email, name="verify_email"),
    path(
        "accounts/password_reset/", account_views.PasswordResetView.as_view(), name="password_reset"
    ),
    path("accounts/sso/", include((sso_views.urls, "sso"))),
    path(
        "accounts/password_change/",
        account_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", account_views.language_set, name="set_language"),
    path("listings/<id:pk>/reserve/", reservation_views.reserve, name="reserve"),
    path("listings/", include("listings.urls")),
    path("reservations/", include("reservations.urls")),
    path("reports/", include("kierratys.reports.urls")),
    path("wanted/", include("listings.wanted.urls")),  # wanted requests (issue 20)
    path("inventory/", include("inventory.urls")),
    path("admin/", admin.site.urls),
]

if not settings.AWS_STORAGE_BUCKET_NAME:
    # Local media (the embedded default). Photos are for signed-in users only.
    urlpatterns.append(path("media/<path:path>", views.media, name="media"))

if settings.BENCH_VIEWS:
    from .bench_views import hello

    urlpatterns.append(path("bench/hello/", hello))

# The coordinator's partnerships (issue 17): the "partnerships" namespace.
from .accounts import partnership_views  # noqa: E402

urlpatterns.append(
    path("organisation/partners/", include((partnership_views.urls, "partnerships")))
)

# The coordinator's "Organisation" page listing the tools below (kierratys/navigation.py).
from . import organisation_views  # noqa: E402

urlpatterns.append(
    path("organisation/", organisation_views.organisation_hub, name="organisation_hub")
)

# The coordinator's users and how they last signed in (issue 18).
from .accounts import users_views  # noqa: E402

urlpatterns.append(
    path("organisation/users/", users_views.organisation_users, name="organisation_users")
)

# Personal data (issue 23): one's own download, and the coordinator's access log, export and
# anonymising: the "privacy" namespace.
from .reports import privacy_views  # noqa: E402

urlpatterns += [
    path(
        "accounts/profile/my-data.json",
        privacy_views.own_export,
        name="personal_data_download",
    ),
    path("organisation/privacy/", include((privacy_views.urls, "privacy"))),
]

# Ordering pauses (issue 21): the coordinator's page, the "pauses" namespace.
from .accounts.pauses import views as pause_views  # noqa: E402

urlpatterns.append(path("organisation/pauses/", include((pause_views.urls, "pauses"))))

# Internal prices (issue 21): the coordinator's price list, each month's charges per cost
# centre and their CSV and XLSX downloads: the "charges" namespace.
from .reports import finance  # noqa: E402

urlpatterns.append(path("organisation/finance/", include((finance.urls, "charges"))))

# Help pages (issue 21): everyone's /help/, the coordinator's editing: the "help" namespace.
urlpatterns.append(path("", include("kierratys.accounts.help.views")))

# Announcements (issue 21): everyone's list and dismissing, the coordinator's page.
urlpatterns.append(path("", include("kierratys.announcements.urls")))

# Projects (issue 21): the "projects" namespace (listings.projects), and each project's
# progress report, which counts reservations (kierratys.reports.project_views).
from .reports import project_views  # noqa: E402

urlpatterns += [
    path("projects/", include("listings.projects.urls")),
    path("projects/<id:pk>/report/", project_views.project_report, name="project_report"),
]

# The JSON API (issue 19), and the coordinator's service tokens page: "api", "api_tokens".
from .api import token_views  # noqa: E402

urlpatterns += [
    path("api/v1/", include("kierratys.api.urls")),
    path("organisation/api-tokens/", include((token_views.urls, "api_tokens"))),
]

# Open impact data (issue 19): public pages and files under /open-data/ and the DCAT-AP
# catalogue; the coordinator's switch at /organisation/open-data/: the "open_data" namespace.
from .reports import open_data_views  # noqa: E402

urlpatterns.append(path("", include((open_data_views.urls, "open_data"))))

# Webhooks (issue 19): the coordinator's endpoints and their deliveries: "webhooks".
from .webhooks import views as webhook_views  # noqa: E402

urlpatterns.append(path("organisation/webhooks/", include((webhook_views.urls, "webhooks"))))

# Loans (issue 20): booking an item's days, handing out and taking back, "my loans" and
# the overdue lists: the "loans" namespace (reservations.loans).
from reservations.loans import views as loan_views  # noqa: E402

urlpatterns.append(path("loans/", include((loan_views.urls, "loans"))))

# The accessibility statement, its feedback and the privacy notice (issue 23): the "legal"
# namespace. Last, so that its /<slug>/privacy/ never shadows a fixed address above.
urlpatterns.append(path("", include("kierratys.legal.urls")))
