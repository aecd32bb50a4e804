from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.http import urlsafe_base64_decode


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """Single-use: the hash covers the password and the verification time.

    A new sign-up for a pending address gives it a new unusable password, so earlier
    links stop working; choosing the password on the page ends this link too.
    """

    key_salt = "kierratys.accounts.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        verified = user.email_verified_at.isoformat() if user.email_verified_at else ""
        return f"{user.pk}{user.email}{user.password}{user.is_active}{verified}{timestamp}"


email_verification_token = EmailVerificationTokenGenerator()


def user_for_verification_link(uidb64: str, token: str):
    """The account still waiting for this link, or None for any bad, old or used link."""
    from .models import User

    try:
        user_id = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    user = User.objects.select_related("unit").filter(pk=user_id).first()
    if (
        user is None
        or user.email_verified_at is not None
        or not email_verification_token.check_token(user, token)
    ):
        return None
    return user
