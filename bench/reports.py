"""Impact report over a million history events vs a bare count(*) of them, same run.

Needs PostgreSQL (DATABASE_URL). Tops the database up to --listings listings (with
generate_listings), --collections collected reservations (plus expired and cancelled ones)
and --events history events (1% of them disposals), in bulk with INSERT ... SELECT
generate_series. Then times the report selectors for this calendar year (all departments,
and one department), the whole report page in-process, and the baseline
`SELECT count(*) FROM listings_listingevent`. Reports medians, query counts and the
ratio report/baseline (goal: the report selectors at most 10× the baseline).
"""

import argparse
import os
import statistics
import sys
import time

from . import _summary

GOAL_RATIO = 10


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kierratys.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()


# Reservations: 80% collected (a quarter of them partly), 10% expired, 10% cancelled,
# handed over at a random moment of the last two years, on a pseudo-random listing.
RESERVATIONS_SQL = """
WITH listing AS (
    SELECT id, row_number() OVER (ORDER BY id) AS n FROM listings_listing
), people AS (
    SELECT min(id) AS user_id, min(unit_id) AS unit_id
      FROM kierratys_user WHERE unit_id IS NOT NULL
), rows AS (
    SELECT g, 1 + (g %% 4) AS quantity,
           CASE WHEN g %% 10 = 0 THEN 'expired' WHEN g %% 10 = 1 THEN 'cancelled'
                ELSE 'collected' END AS status,
           now() - (random() * interval '730 days') AS moment
      FROM generate_series(1, %(count)s) AS g
)
INSERT INTO reservations_reservation (
    listing_id, unit_id, requested_by_id, quantity, quantity_collected, handover,
    wanted_date, contact_name, contact_phone, note, collect_by, extended, status, reason,
    reminded_before_at, reminded_due_at, created_at, updated_at)
SELECT listing.id, people.unit_id, people.user_id, rows.quantity,
       CASE WHEN rows.status <> 'collected' THEN 0
            WHEN rows.g %% 4 = 0 THEN greatest(1, rows.quantity - 1)
            ELSE rows.quantity END,
       'pickup', NULL, 'Bench', '040 000 0000', '', NULL, false, rows.status, '',
       NULL, NULL, rows.moment - interval '5 days', rows.moment
  FROM rows
  JOIN listing ON listing.n = 1 + ((rows.g::bigint * 7919) %% %(listings)s)
 CROSS JOIN people
"""

# History events of every kind; one in a hundred is a disposal with a quantity.
EVENTS_SQL = """
WITH listing AS (
    SELECT id, row_number() OVER (ORDER BY id) AS n FROM listings_listing
), rows AS (
    SELECT g, (ARRAY['created', 'published', 'edited', 'reserved', 'collected',
                     'photo_added', 'cancelled', 'extended', 'expired', 'edited'])[1 + g %% 10]
               AS kind,
           now() - (random() * interval '730 days') AS moment
      FROM generate_series(1, %(count)s) AS g
)
INSERT INTO listings_listingevent (listing_id, actor_id, kind, changes, note, created_at)
SELECT listing.id, NULL,
       CASE WHEN rows.g %% 100 = 0 THEN 'disposed' ELSE rows.kind END,
       CASE WHEN rows.g %% 100 = 0
            THEN jsonb_build_object('quantity', 1 + rows.g %% 3, 'reason', 'bench')
            ELSE jsonb_build_object('reservation', rows.g, 'unit', 'Bench') END,
       '', rows.moment
  FROM rows
  JOIN listing ON listing.n = 1 + ((rows.g::bigint * 104729) %% %(listings)s)
"""


def _top_up(args) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from listings.models import Listing, ListingEvent
    from reservations.models import Reservation

    missing = args.listings - Listing.objects.count()
    if missing > 0:
        call_command("generate_listings", missing)
    listings = Listing.objects.count()
    made = {}
    with connection.cursor() as cursor:
        wanted = round(args.collections / 0.8)  # 80% of the inserted rows are collections
        have = Reservation.objects.filter(contact_name="Bench").count()
        if have < wanted:
            started = time.perf_counter()
            cursor.execute(RESERVATIONS_SQL, {"count": wanted - have, "listings": listings})
            made["reservations"] = (wanted - have, round(time.perf_counter() - started, 1))
        have = ListingEvent.objects.count()
        if have < args.events:
            started = time.perf_counter()
            cursor.execute(EVENTS_SQL, {"count": args.events - have, "listings": listings})
            made["events"] = (args.events - have, round(time.perf_counter() - started, 1))
        if made:
            cursor.execute("ANALYZE listings_listing")
            cursor.execute("ANALYZE reservations_reservation")
            cursor.execute("ANALYZE listings_listingevent")
    for what, (count, seconds) in made.items():
        print(f"inserted {count} {what} in {seconds} s", file=sys.stderr)
    return {
        "listings": listings,
        "events": ListingEvent.objects.count(),
        "collected_reservations": Reservation.objects.filter(status="collected").count(),
        "reservations": Reservation.objects.count(),
    }


def _timed(function) -> tuple[float, int]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        function()
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, len(queries)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench reports", description=__doc__)
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--collections", type=int, default=50_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=7)
    _summary.add_output_arguments(parser)
    args = parser.parse_args(argv)

    _setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    if not settings.USES_POSTGRES:
        print("The reports benchmark needs PostgreSQL: set DATABASE_URL.", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    from kierratys.accounts.models import Department, User
    from kierratys.demo import seed_organisation
    from kierratys.reports import selectors

    seed_organisation()
    sizes = _top_up(args)
    today = timezone.localdate()
    year = selectors.ReportFilter(start=today.replace(month=1, day=1), end=today)
    department = Department.objects.order_by("pk").first()
    one_department = selectors.ReportFilter(start=year.start, end=year.end, department=department)
    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="fi")
    client.force_login(User.objects.get(email="coordinator@demo.example"))

    def baseline():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM listings_listingevent")
            cursor.fetchone()

    def page():
        response = client.get("/reports/")
        assert response.status_code == 200, response.status_code

    cases = {
        "baseline count(*)": baseline,
        "report, all departments": lambda: selectors.impact_report(filters=year),
        "report, one department": lambda: selectors.impact_report(filters=one_department),
        "report page (render)": page,
    }
    for function in cases.values():  # warm up caches and plans
        function()
    times = {name: [] for name in cases}
    queries = {}
    load_start = _summary.load_average()
    for _ in range(args.rounds):  # interleaved, so machine noise hits every case alike
        for name, function in cases.items():
            elapsed, count = _timed(function)
            times[name].append(elapsed)
            queries[name] = count
    base = statistics.median(times["baseline count(*)"])
    rows = {
        name: {
            "median_ms": round(statistics.median(values), 1),
            "max_ms": round(max(values), 1),
            "queries": queries[name],
            "ratio": round(statistics.median(values) / base, 2),
        }
        for name, values in times.items()
    }
    ratio = rows["report, all departments"]["ratio"]
    result = {
        "benchmark": "reports",
        "sizes": sizes,
        "period": [str(year.start), str(year.end)],
        "rounds": args.rounds,
        "results": rows,
        "load_average": {"start": load_start, "end": _summary.load_average()},
        "goals": [
            _summary.goal(
                "impact report / count(*) of events",
                ratio,
                GOAL_RATIO,
                at_most=True,
                note=f"{sizes['events']:,} events; report "
                f"{rows['report, all departments']['median_ms']} ms, count(*) "
                f"{rows['baseline count(*)']['median_ms']} ms (an earlier issue's goal)",
            )
        ],
    }
    _summary.emit(args, result, _print_table)
    return _summary.exit_status(result)


def _print_table(result: dict) -> None:
    sizes, rows = result["sizes"], result["results"]
    print(
        f"{sizes['listings']} listings, {sizes['events']} history events, "
        f"{sizes['collected_reservations']} collected of {sizes['reservations']} "
        f"reservations; period {result['period'][0]}–{result['period'][1]}; "
        f"{result['rounds']} rounds, medians; load {result['load_average']['start']}"
    )
    print(f"{'case':<26} {'median ms':>10} {'max ms':>9} {'queries':>8} {'vs count':>9}")
    for name, row in rows.items():
        print(
            f"{name:<26} {row['median_ms']:>10} {row['max_ms']:>9} {row['queries']:>8} "
            f"{row['ratio']:>9}"
        )
