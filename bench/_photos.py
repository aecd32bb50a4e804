"""Photos on the benchmarks' listings, so catalogue cards render cover images as in production.

A few real renditions are made once by the upload pipeline (`listings.photos.process_photo`)
from generated phone-like JPEGs and stored in the default storage; then every listing without
photos gets 1-3 photo rows pointing at them (two on average, position 0 the cover), in one
`INSERT ... SELECT`. The card's cover subquery and the storage's URLs then do what they do in
production; only the files are shared between listings.
"""

import io
import time

from django.db import connection
from PIL import Image

RENDITIONS = 12
STEM = "listings/bench/cover-{n:02d}"
SIDE = (1600, 1200)  # the pipeline's large rendition is at most 1600 px: no need for more

INSERT_SQL = """
INSERT INTO listings_listingphoto (listing_id, position, large, thumb, width, height,
    alt_text, created_at)
SELECT l.id, p.position,
       (%(larges)s::text[])[1 + ((l.id + p.position) %% %(count)s)],
       (%(thumbs)s::text[])[1 + ((l.id + p.position) %% %(count)s)],
       %(width)s, %(height)s, '', now()
  FROM listings_listing l
 CROSS JOIN generate_series(0, 2) AS p(position)
 WHERE l.id BETWEEN %(first)s AND %(last)s
   AND p.position <= l.id %% 3
   AND NOT EXISTS (SELECT 1 FROM listings_listingphoto x WHERE x.listing_id = l.id)
"""
BATCH = 200_000  # listing ids per statement


def _renditions() -> tuple[list[str], list[str], tuple[int, int]]:
    """The stored renditions' names (large, thumb) and the large one's size; made if missing."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from listings.photos import process_photo

    from .photos import make_photo

    larges, thumbs = [], []
    for n in range(RENDITIONS):
        stem = STEM.format(n=n)
        large, thumb = f"{stem}-large.jpg", f"{stem}-thumb.jpg"
        if not (default_storage.exists(large) and default_storage.exists(thumb)):
            photo = process_photo(io.BytesIO(make_photo(*SIDE, seed=n)))
            for name, rendition in ((large, photo.large), (thumb, photo.thumb)):
                if default_storage.exists(name):
                    default_storage.delete(name)
                default_storage.save(name, ContentFile(rendition.content))
        larges.append(large)
        thumbs.append(thumb)
    with default_storage.open(larges[0]) as stored:
        size = Image.open(stored).size
    return larges, thumbs, size


def ensure_photos(*, out=print) -> dict:
    """Give every listing without photos 1-3 of them. Returns the counts."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM listings_listing")
        low, high = cursor.fetchone()
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM listings_listing l WHERE NOT EXISTS "
            "(SELECT 1 FROM listings_listingphoto x WHERE x.listing_id = l.id))"
        )
        (missing,) = cursor.fetchone()
        if low is not None and missing:
            started = time.monotonic()
            larges, thumbs, (width, height) = _renditions()
            made = 0
            for first in range(low, high + 1, BATCH):
                cursor.execute(
                    INSERT_SQL,
                    {
                        "larges": larges,
                        "thumbs": thumbs,
                        "count": len(larges),
                        "width": width,
                        "height": height,
                        "first": first,
                        "last": first + BATCH - 1,
                    },
                )
                made += cursor.rowcount
            cursor.execute("ANALYZE listings_listingphoto")
            out(f"added {made:,} listing photos in {time.monotonic() - started:.1f} s")
        cursor.execute("SELECT count(*), count(DISTINCT listing_id) FROM listings_listingphoto")
        photos, listings = cursor.fetchone()
    return {"photos": photos, "listings_with_photos": listings}
