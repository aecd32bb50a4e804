"""A password hasher for the browser tests' own process."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class HashOncePasswordHasher(PBKDF2PasswordHasher):
    """Django's pbkdf2_sha256 with a fixed salt, computing each password's hash once per run.

    The hashes are ordinary pbkdf2_sha256 hashes, so the live server (which keeps its
    normal hashers) checks them as usual and has no reason to rehash them on sign-in;
    only the test process skips the quarter second each new account would cost.
    """

    # Long enough for Django's salt-entropy check (128 bits), so no rehash on sign-in.
    FIXED_SALT = "browsertestsaltbrowsertestsalt"
    _hashes: dict = {}

    def salt(self):
        return self.FIXED_SALT

    def encode(self, password, salt, iterations=None):
        key = (password, salt, iterations)
        if key not in self._hashes:
            self._hashes[key] = super().encode(password, salt, iterations)
        return self._hashes[key]
