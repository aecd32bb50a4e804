"""Full-text search in Finnish, Swedish and English.

PostgreSQL: a weighted tsvector per listing (title A, categories B, material and colour C,
description D) built with the finnish, swedish and english stemmers, a GIN index, ranking,
and pg_trgm word similarity on the title so small typos still find things.
SQLite (the embedded default): every word must appear in the title, description or
category names.

What one search may cost is bounded three ways: at most MAX_QUERY_LENGTH characters and
MAX_WORDS words (longer searches are refused with a note), a statement timeout on
PostgreSQL (`time_limit`), and RATE_PER_MINUTE searches per user (`rate_allows`).
"""

from contextlib import contextmanager

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import F, FloatField, Q, Value
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext as _

from kierratys.common.rates import per_minute_allows

from .models import Listing

CONFIGS = {"finnish": "fi", "swedish": "sv", "english": "en"}
MAX_QUERY_LENGTH = 100
MAX_WORDS = 8
TIMEOUT_MS = 2000  # one search's statements, PostgreSQL only
RATE_PER_MINUTE = 60  # searches per user; generous for people, not for scripts
QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement timeout


class SearchTooSlow(Exception):
    """The search hit the statement timeout: the user is asked to narrow it."""


def _normalise(raw) -> str:
    text = "".join(ch if ch.isprintable() else " " for ch in raw or "")
    return " ".join(text.split())


def clean_query(raw: str) -> str:
    """Trim what people paste: whitespace, control characters, absurd lengths."""
    return _normalise(raw)[:MAX_QUERY_LENGTH]


def query_problem(raw) -> str | None:
    """Why this search text is refused (too long, too many words), or None."""
    text = _normalise(raw)
    if len(text) > MAX_QUERY_LENGTH:
        return _("The search is too long. Use at most %(n)d characters.") % {"n": MAX_QUERY_LENGTH}
    if len(text.split()) > MAX_WORDS:
        return _("The search has too many words. Use at most %(n)d words.") % {"n": MAX_WORDS}
    return None


def rate_allows(user) -> bool:
    """Count this user's searches per minute in the cache; False once over the limit."""
    return per_minute_allows("search", str(user.pk), RATE_PER_MINUTE)


@contextmanager
def time_limit(*, active: bool = True):
    """Run the block's queries under a statement timeout (PostgreSQL; elsewhere as is).

    SET LOCAL lasts until the end of the transaction around the block, so the timeout
    never leaks to other queries on the connection. Raises SearchTooSlow on timeout.
    """
    if not (active and connection.vendor == "postgresql"):
        yield
        return
    nested = connection.in_atomic_block
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL statement_timeout = {int(TIMEOUT_MS)}")
            yield
            if nested:  # a savepoint keeps SET LOCAL until the outer commit: undo it
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL statement_timeout TO DEFAULT")
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == QUERY_CANCELED:
            raise SearchTooSlow from error
        raise


def _labels(choices) -> dict[str, str]:
    """Every language's label for each choice value, so 'harmaa', 'grå' and 'grey' all match."""
    labels = {}
    for value, label in choices:
        words = []
        for code in ("fi", "sv", "en"):
            with translation.override(code):
                words.append(str(label))
        labels[value] = " ".join(words)
    return labels


def refresh_vectors(listing_ids) -> None:
    """Rebuild the search vectors of these listings (PostgreSQL only)."""
    if connection.vendor != "postgresql" or not listing_ids:
        return
    terms = {**_labels(Listing.Material.choices), **_labels(Listing.Colour.choices)}
    material_colour = ", ".join(["(%s, %s)"] * len(terms))
    params = [item for pair in terms.items() for item in pair]
    per_language = " || ".join(
        f"setweight(to_tsvector('{c}', coalesce(l.title, '')), 'A') || "
        f"setweight(to_tsvector('{c}', c.name_{lang} || ' ' || coalesce(p.name_{lang}, '')), 'B')"
        " || "
        f"setweight(to_tsvector('{c}', coalesce(l.description, '')), 'D')"
        for c, lang in CONFIGS.items()
    )
    sql = f"""
        WITH terms(value, words) AS (VALUES {material_colour})
        UPDATE listings_listing AS l SET search_vector =
            setweight(to_tsvector('simple', coalesce(l.code, '')), 'A') ||
            {per_language} ||
            setweight(to_tsvector('simple',
                coalesce((SELECT words FROM terms WHERE value = l.material), '') || ' ' ||
                coalesce((SELECT words FROM terms WHERE value = l.colour), '')), 'C')
        FROM listings_category AS c LEFT JOIN listings_category AS p ON p.id = c.parent_id
        WHERE c.id = l.category_id AND l.id = ANY(%s)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, list(listing_ids)])


def apply(queryset, query: str):
    """Filter by `query` and annotate `rank` for sorting by relevance."""
    query = clean_query(query)
    if not query:
        return queryset
    if settings.USES_POSTGRES:
        return _postgres(queryset, query)
    return _fallback(queryset, query)


def _postgres(queryset, query: str):
    from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity

    search = SearchQuery(query, config="simple", search_type="websearch")
    for config in CONFIGS:
        search |= SearchQuery(query, config=config, search_type="websearch")
    return queryset.filter(Q(search_vector=search) | Q(title__trigram_word_similar=query)).annotate(
        rank=Coalesce(SearchRank(F("search_vector"), search), Value(0.0), output_field=FloatField())
        + TrigramWordSimilarity(query, "title")
    )


def _fallback(queryset, query: str):
    for word in query.split()[:MAX_WORDS]:
        stem = word[:-2] if len(word) > 5 else word  # a crude stem: tuolit -> tuol, stolar -> stol
        queryset = queryset.filter(
            Q(title__icontains=stem)
            | Q(description__icontains=stem)
            | Q(category__name_fi__icontains=stem)
            | Q(category__name_sv__icontains=stem)
            | Q(category__name_en__icontains=stem)
            | Q(code__iexact=word)
        )
    return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
