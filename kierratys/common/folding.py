"""Text compared the way people type it: case and the common accents folded away.

Someone on a phone types "paivakoti" for "Päiväkoti", "abo" for "Åbo", "jose" for "José".
`fold(text)` in Python and `Folded(expression)` in the database give the same result for
these letters (Finnish, Swedish and the accents common in names here), on SQLite and
PostgreSQL alike: neither needs an extension (unaccent) or a collation, and neither's
LOWER() is trusted with letters beyond ASCII (SQLite's is not; PostgreSQL's follows the
database's locale), so the table maps both cases before LOWER runs.
"""

import unicodedata

from django.db.models import CharField, Func, Value
from django.db.models.functions import Lower

_BASE = {
    "a": "äåáàâã",
    "o": "öøóòôõ",
    "e": "éèêë",
    "u": "üúùû",
    "i": "íìîï",
    "c": "ç",
    "n": "ñ",
    "s": "š",
    "z": "ž",
    "y": "ý",
}
PAIRS = [
    (accented, base)
    for base, letters in _BASE.items()
    for letter in letters
    for accented in (letter, letter.upper())
]
_TABLE = str.maketrans(dict(PAIRS))


def fold(text: str) -> str:
    """Lower case, accents of the table removed: what `Folded` makes of the same text."""
    return unicodedata.normalize("NFC", text or "").translate(_TABLE).lower()


SEPARATOR = "|"


def joined(*texts) -> str:
    """The texts folded and joined as `Folded` joins them: "|a|b|"."""
    return SEPARATOR + SEPARATOR.join(fold(text or "") for text in texts) + SEPARATOR


class Folded(Func):
    """`joined()` in SQL: the expressions' texts between "|" separators, folded.

    One flat function call whatever the number of texts: SQLite's parser overflows on
    deeply nested expressions (a Concat of many, a REPLACE per letter). On PostgreSQL
    CONCAT_WS, TRANSLATE and LOWER; on SQLite `joined` itself, registered on the
    connection; elsewhere CONCAT_WS and LOWER (case only)."""

    output_field = CharField()

    def _joined(self):
        bar = Value(SEPARATOR)
        return Func(
            bar, Value(""), *self.get_source_expressions(), Value(""),
            function="CONCAT_WS",
            output_field=CharField(),
        )  # fmt: skip

    def as_postgresql(self, compiler, connection, **extra_context):
        source = "".join(accented for accented, _base in PAIRS)
        target = "".join(base for _accented, base in PAIRS)
        translated = Func(
            self._joined(), Value(source), Value(target), function="TRANSLATE",
            output_field=CharField(),
        )  # fmt: skip
        return compiler.compile(Lower(translated))

    def as_sqlite(self, compiler, connection, **extra_context):
        # Registering the function again on each use is harmless and cheap.
        connection.ensure_connection()
        connection.connection.create_function(_SQLITE_FUNCTION, -1, joined, deterministic=True)
        return super().as_sql(compiler, connection, function=_SQLITE_FUNCTION, **extra_context)

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(Lower(self._joined()))


_SQLITE_FUNCTION = "KIERRATYS_FOLDED"
