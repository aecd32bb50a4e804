from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """Single-use: the hash covers the verification time, so a used link stops working."""

    key_salt = "kierratys.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        verified = user.email_verified_at.isoformat() if user.email_verified_at else ""
        return f"{user.pk}{user.email}{user.is_active}{verified}{timestamp}"


email_verification_token = EmailVerificationTokenGenerator()
