"""The token's secret: made, hashed and recognised here only."""

import hashlib
import secrets

PREFIX = "kzt_"


def new_secret() -> tuple[str, str]:
    """(the whole token to show once, its public prefix)."""
    prefix = PREFIX + secrets.token_hex(4)
    return f"{prefix}_{secrets.token_urlsafe(32)}", prefix


def hash_of(token: str) -> str:
    """SHA-256 suffices: the secret is 256 random bits, not a password to guess."""
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(value: str) -> bool:
    return value.startswith(PREFIX) and 20 <= len(value) <= 100 and value.isascii()
