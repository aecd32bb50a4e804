from django.contrib.auth.backends import ModelBackend

from .models import User


class UnitAwareBackend(ModelBackend):
    """Loads the user's unit with the user: every page shows it, so one query less."""

    def get_user(self, user_id):
        user = User._default_manager.select_related("unit").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
