"""One way to fail (after Saleor's error codes).

Services raise these; views never look at a code string to choose a status:
`status_of(error)` gives it, and `add_to_form(form, error)` puts the messages where the
user sees them. Each app's codes are an enum in `<app>/errors.py`, beside the messages
that tests import.

- `ServiceError` (400): bad input; nothing was written.
- `Conflict` (409): the input was fine, but the state did not allow it (someone was
  first, a status that cannot change that way).
- `NotFound` (404): the object does not exist for this user. Selectors raise it for other
  units' and organisations' objects too, so nothing can be probed; the error middleware
  answers with the 404 page.
- Forbidden is Django's own `PermissionDenied` (403), for a role the user lacks.

ServiceError and Conflict are ValidationErrors, so forms and the admin show them as usual.
"""

from django.core.exceptions import ValidationError


class ServiceError(ValidationError):
    status = 400


class Conflict(ServiceError):
    status = 409


class NotFound(Exception):
    """Not there, or not this user's to see: answered as 404."""


def status_of(error: ValidationError) -> int:
    return getattr(error, "status", 400)


def add_to_form(form, error: ValidationError) -> None:
    """Field errors under their fields (when the form has them), the rest above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
