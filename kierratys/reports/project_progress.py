"""A project's progress against its target reuse rate (issue 21, item 5).

Here among the reports, not in listings.projects, because "reused" counts reservations and
listings may not import reservations (.importlinter).

Every piece of furniture in the project counts once, in one of six places:

- kept: survey lines the unit keeps, and pieces of the project's listings collected by
  the owner unit itself (it took them back);
- reused: pieces collected by another unit (its reservation's collected quantity);
- donated, sold, recycled: the end-of-life decisions on the project's listings
  (listings.EndOfLife), as in the impact report's outcomes; pieces the warehouse disposed
  of (inventory's disposal task) count as recycled;
- open: the rest of the listings' pieces, still on offer, reserved, a draft or withdrawn.

The reuse rate is (kept + reused + donated + sold) / all pieces, all pieces being the kept
survey lines plus the quantities of the project's listings, open ones included: the rate
starts low and only rises as the furniture finds a home, and recycling is not reuse.
"""

import math

from django.db.models import F, Q, Sum
from django.utils.translation import gettext_lazy as _

from listings.models import EndOfLife, Listing
from listings.projects.models import ProjectItem
from listings.projects.selectors import project_for_actor
from reservations.models import Reservation

from .outcomes import share

KEPT, REUSED, DONATED, SOLD, RECYCLED, OPEN = (
    "kept",
    "reused",
    "donated",
    "sold",
    "recycled",
    "open",
)
PLACES = (KEPT, REUSED, DONATED, SOLD, RECYCLED, OPEN)
COUNTED_AS_REUSE = (KEPT, REUSED, DONATED, SOLD)
LABELS = {
    KEPT: _("Kept by the unit"),
    REUSED: _("Reused by another unit"),
    DONATED: _("Donated"),
    SOLD: _("Sold"),
    RECYCLED: _("Recycled"),
    OPEN: _("Still open"),
}
_OUTCOME_PLACE = {
    EndOfLife.Outcome.DONATE: DONATED,
    EndOfLife.Outcome.SELL: SOLD,
    EndOfLife.Outcome.RECYCLE: RECYCLED,
}


def _by_listing(rows, key="listing_id", value="n") -> dict[int, int]:
    return {row[key]: int(row[value] or 0) for row in rows}


def project_progress(*, actor, project_id) -> dict:
    """The project's pieces in each place, the reuse rate against the target, and each
    listing's own figures. A project the actor may not manage is NotFound. Five queries
    whatever the project's size."""
    project = project_for_actor(actor=actor, project_id=project_id)
    kept_surveyed = (
        ProjectItem.objects.filter(project=project, decision=ProjectItem.Decision.KEEP).aggregate(
            n=Sum("quantity")
        )["n"]
        or 0
    )
    listings = list(
        Listing.objects.filter(project_link__project=project)
        .select_related("owner_unit")
        .order_by("pk")
    )
    collected = Reservation.objects.filter(
        listing__project_link__project=project, quantity_collected__gt=0
    )
    own_unit = Q(unit_id=F("listing__owner_unit_id"))
    reused = _by_listing(
        collected.exclude(own_unit).values("listing_id").annotate(n=Sum("quantity_collected"))
    )
    taken_back = _by_listing(
        collected.filter(own_unit).values("listing_id").annotate(n=Sum("quantity_collected"))
    )
    decided: dict[int, dict[str, int]] = {}
    for row in (
        EndOfLife.objects.filter(listing__project_link__project=project)
        .values("listing_id", "outcome")
        .annotate(n=Sum("quantity"))
        .order_by()
    ):
        place = _OUTCOME_PLACE[row["outcome"]]
        decided.setdefault(row["listing_id"], {})[place] = int(row["n"] or 0)

    totals = dict.fromkeys(PLACES, 0)
    totals[KEPT] = kept_surveyed
    rows = []
    for listing in listings:
        figures = dict.fromkeys(PLACES, 0)
        figures[REUSED] = reused.get(listing.pk, 0)
        figures[KEPT] = taken_back.get(listing.pk, 0)
        figures.update(decided.get(listing.pk, {}))
        decided_total = figures[DONATED] + figures[SOLD] + figures[RECYCLED]
        figures[RECYCLED] += max(listing.quantity_disposed - decided_total, 0)  # the warehouse's
        figures[OPEN] = max(
            listing.quantity - listing.quantity_collected - listing.quantity_disposed, 0
        )
        for place in PLACES:
            totals[place] += figures[place]
        ended = figures[DONATED] + figures[SOLD] + figures[RECYCLED]
        rows.append({"listing": listing, "figures": figures, "ended": ended})

    pieces = sum(totals.values())
    reused_pieces = sum(totals[place] for place in COUNTED_AS_REUSE)
    rate = share(reused_pieces, pieces)
    target = project.target_reuse_rate
    needed = max(math.ceil(target * pieces / 100) - reused_pieces, 0)
    return {
        "project": project,
        "totals": totals,
        "places": [
            {
                "place": place,
                "label": LABELS[place],
                "items": totals[place],
                "share": share(totals[place], pieces),
                "reuse": place in COUNTED_AS_REUSE,
            }
            for place in PLACES
        ],
        "pieces": pieces,
        "reused_pieces": reused_pieces,
        "rate": rate,
        "target": target,
        "met": pieces > 0 and rate >= target,
        "needed": needed,
        "listings": rows,
    }
