"""Full-text search in Finnish, Swedish and English.

PostgreSQL: a weighted tsvector per listing (title A, categories B, material and colour C,
description D) built with the finnish, swedish and english stemmers, a GIN index, ranking,
and pg_trgm word similarity on the title so small typos still find things.
SQLite (the embedded default): every word must appear in the title, description or
category names.

What one search may cost is bounded three ways: at most MAX_QUERY_LENGTH characters and
MAX_WORDS words (longer searches are refused with a note), a statement timeout on
PostgreSQL (`time_limit`), and RATE_PER_MINUTE searches per user (`rate_allows`).

Ranking is bounded too (`bound`, PostgreSQL): only a candidate set is ranked, the newest
CANDIDATES + 1 matches and the newest TITLE_CANDIDATES matches in the title, taken from the
fully filtered, visible listings. A broad word ("tuoli": a fifth of all listings) is found
by walking each visibility branch in publication order (listing_reach_newest_idx) until
enough match, instead of fetching and ranking every match; a narrower one by the search
indexes. More matches than CANDIDATES shows as "more than CANDIDATES found".
"""

import json
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
CANDIDATES = 120  # ranked per search (5 pages); beyond it "more than 120 found"
TITLE_CANDIDATES = 48  # newest title matches always ranked, so they are never crowded out
# Walk in publication order when the planner expects at least this many matches: then
# enough of the visible rows match that a few hundred rows fill the candidates, while
# the search indexes would fetch thousands of rows (1,000,000 listings: "tuoli" is
# estimated at 18,000 visible matches, "tuolli" 2,100, "jugend" 870).
BROAD_ESTIMATE = 3000


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


def bounds_ranking() -> bool:
    """Whether `bound` cuts searches to CANDIDATES (the count is "more than" beyond it)."""
    return settings.USES_POSTGRES


def bound(queryset, query: str, *, viewer=None):
    """Keep only the candidates of `queryset` (already filtered, visible and matching
    `query`), so the ranking sorts at most CANDIDATES + 1 + TITLE_CANDIDATES rows.

    The candidates are taken from this queryset after every filter and the visibility
    rule, so a visible match is never crowded out by invisible ones. The newest
    CANDIDATES + 1 come first: if that many match, the caller shows "more than
    CANDIDATES". Elsewhere than on PostgreSQL (no ranking) the queryset is returned as is.
    """
    query = clean_query(query)
    if not (query and settings.USES_POSTGRES):
        return queryset
    estimate = _estimate(queryset)
    if estimate is None:  # nothing can match (e.g. a viewer who may see nothing)
        return queryset
    if estimate >= BROAD_ESTIMATE:
        sql, params = _walk_sql(queryset, query, _branches(viewer))
        setting = "enable_bitmapscan"
    else:
        sql, params = _indexed_sql(queryset, query)
        setting = "enable_indexscan"
    # savepoint=False: inside the search's time limit the hints need no savepoint of their own.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        # Planner hints for this one statement (see _walk_sql and _indexed_sql).
        cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(sql, params)
        ids = sorted(row[0] for row in cursor.fetchall())
        cursor.execute(f"SET LOCAL {setting} TO DEFAULT")
    return queryset.filter(pk__in=ids)


def _branches(viewer) -> list[Q]:
    """The disjuncts of `audience.visible_q` as index ranges of listing_reach_newest_idx
    (organisation, stage, newest first). Each is applied on top of the full rule, so they
    can only split the visible listings, never widen them. The department stage is the
    viewer's organisation's range, the rule keeping their own department's (a listing's
    department and organisation are both copied from its owner unit); naming the
    department here would lead the planner to sort the whole department instead.
    Without a viewer: one branch, the whole set."""
    from .audience import Audience

    if viewer is None or viewer.organisation_id is None:
        return [Q()]
    own = viewer.organisation_id
    return [
        Q(organisation_id=own, audience=Audience.DEPARTMENT),
        Q(organisation_id=own, audience=Audience.ORGANISATION),
        *(
            Q(organisation_id=organisation, audience=Audience.PARTNERS)
            for organisation in sorted({own, *viewer.finding_partner_ids})
        ),
    ]


def _estimate(queryset) -> float | None:
    """The planner's estimate of the matches: cheap (no rows read) and good enough to tell
    "a fifth of the catalogue" from "a few hundred". None when no SQL can match at all."""
    plan = queryset.order_by().values("pk").explain(format="json")
    return json.loads(plan)[0]["Plan"]["Plan Rows"] if plan else None


def _newest_first(queryset):
    return queryset.order_by("-published_at").values_list("pk", "published_at")


def _walk_sql(queryset, query: str, branches: list[Q]):
    """Broad words: one publication-ordered index range per branch, merged (Merge Append)
    and stopped after the newest CANDIDATES + 1 matches, and again for TITLE_CANDIDATES
    title matches. Run with bitmap scans off: next to the visibility rule's OR the planner
    takes each branch for a handful of rows and would fetch every match instead."""

    def walk(matching, limit: int):
        ordered = _newest_first(matching)
        if len(branches) > 1:
            parts = [ordered.filter(branch)[:limit] for branch in branches]
            ordered = parts[0].union(*parts[1:], all=True).order_by("-published_at")
        else:
            ordered = ordered.filter(branches[0])
        return ordered[:limit].query.sql_with_params()

    newest, newest_params = walk(queryset, CANDIDATES + 1)
    titled = queryset.filter(title__trigram_word_similar=query)
    titles, titles_params = walk(titled, TITLE_CANDIDATES)
    sql = (
        f"SELECT id FROM ({newest}) AS newest(id, published_at) "
        f"UNION SELECT id FROM ({titles}) AS titles(id, published_at)"
    )
    return sql, (*newest_params, *titles_params)


def _indexed_sql(queryset, query: str):
    """Narrower words: the search indexes (bitmap scans) find every match once; of those
    the newest CANDIDATES + 1, and the newest TITLE_CANDIDATES whose title matches (tested
    newest first, only until enough: OFFSET 0 keeps the test above the sort). Run with
    plain index scans off, or for a word of a few hundred listings the planner may walk
    the whole catalogue's newest-first index."""
    matches, params = (
        queryset.order_by().values_list("pk", "published_at", "title").query.sql_with_params()
    )
    sql = f"""
        WITH m(id, published_at, title) AS MATERIALIZED ({matches})
        (SELECT id FROM m ORDER BY published_at DESC LIMIT {CANDIDATES + 1})
        UNION
        (SELECT id FROM (SELECT id, title FROM m ORDER BY published_at DESC OFFSET 0) AS t
          WHERE t.title %%> %s LIMIT {TITLE_CANDIDATES})
    """
    return sql, (*params, query)


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
