from django.contrib.auth.backends import ModelBackend

from .models import User


class UnitAwareBackend(ModelBackend):
    """Loads the user's unit, its department and organisation with the user: every page
    shows them (the header names the organisation), so no query more."""

    def get_user(self, user_id):
        user = (
            User._default_manager.select_related("unit__department__organisation")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
