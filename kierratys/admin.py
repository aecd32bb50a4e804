"""Admin registrations live beside their models; Django looks for them here."""

from .accounts import admin, partnership_admin  # noqa: F401
