"""The `kierratys` app's models, defined where their rules live.

Django loads an app's models from `<app>.models`; the classes themselves belong to the
accounts layer and the shared one-time form tokens.
"""

from .accounts.models import (  # noqa: F401
    Department,
    EmailDomain,
    Notice,
    Organisation,
    PasswordResetRequest,
    Unit,
    User,
    UserManager,
)
from .accounts.partnerships import Partnership, Region, RegionMembership  # noqa: F401
from .common.submissions import FormSubmission  # noqa: F401
