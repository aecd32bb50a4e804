"""32 threads reserving one hot listing: the service against the same decrement as one statement.

Needs PostgreSQL (DATABASE_URL). The baseline is the least any reservation must do: one
conditional `UPDATE ... SET quantity_available = quantity_available - 1 WHERE id = %s AND
quantity_available >= 1` in autocommit (one round trip). The earlier baseline, `SELECT ...
FOR UPDATE` and `UPDATE` in an explicit transaction (four round trips), is measured too. All
run in the same process on the same database, each until a 999-item listing is sold out,
interleaved for --rounds. Goals (issue 22): the service >= 0.6 of the one statement, 0
oversold. `--stress N` instead runs N races of 32 threads for the last 1-4 items and counts
oversells.
"""

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time

from . import _regions, _summary

THREADS = 32
STOCK = 999
GOAL = 0.6  # service / one statement


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kierratys.settings")
    # As in production: with DEBUG on, Django would also log every query in memory.
    os.environ.setdefault("DEBUG", "false")
    from ._server import BENCH_SECRET_KEY

    os.environ.setdefault("SECRET_KEY", BENCH_SECRET_KEY)
    import django

    django.setup()


def _people(count):
    from django.contrib.auth.models import Group

    from kierratys.accounts.models import Department, Organisation, Unit, User

    # Its own business ID: the demo's organisations (seeded by the reports bench in the same
    # database) must not collide with it. Earlier runs gave it Turku's; move it.
    business_id = _regions.business_id(900)
    organisation, _ = Organisation.objects.get_or_create(
        slug="bench",
        defaults={"name": "Bench", "kind": Organisation.Kind.OTHER, "business_id": business_id},
    )
    if organisation.business_id != business_id:
        Organisation.objects.filter(pk=organisation.pk).update(business_id=business_id)
    department, _ = Department.objects.get_or_create(
        code="BENCH", defaults={"name": "Bench", "organisation": organisation}
    )
    staff, _ = Group.objects.get_or_create(name="staff")
    users = []
    for n in range(count + 1):
        unit, _ = Unit.objects.get_or_create(
            department=department,
            name=f"Bench unit {n}",
            defaults={"street_address": "Benchinkatu 1", "postal_code": "20100", "city": "Turku"},
        )
        user, created = User.objects.get_or_create(
            email=f"bench{n}@demo.example",
            defaults={"full_name": f"Bench {n}", "unit": unit, "is_active": True},
        )
        if created:
            user.groups.add(staff)
        users.append(user)
    return users[0], users[1:]


def _listing(owner, stock):
    from listings.models import Category, Listing

    category = Category.objects.order_by("pk").first()
    return Listing.objects.create(
        title="Bench chair",
        category=category,
        condition="good",
        quantity=stock,
        quantity_available=stock,
        owner_unit=owner.unit,
        department_id=owner.unit.department_id,
        organisation_id=owner.unit.department.organisation_id,
        audience="organisation",
        created_by=owner,
        status="published",
        published_at=_now(),
    )


def _now():
    from django.utils import timezone

    return timezone.now()


def _run_threads(work, users):
    """Start all threads together; return elapsed seconds and the successes."""
    from django.db import connection

    barrier = threading.Barrier(len(users) + 1)
    successes = []
    errors = []

    def runner(user):
        try:
            barrier.wait()
            successes.extend(work(user))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - started, successes


def service_round(owner, users):
    from reservations import services

    listing = _listing(owner, STOCK)

    def work(user):
        won = []
        while True:
            try:
                services.reservation_create(
                    actor=user,
                    listing_id=listing.pk,
                    quantity=1,
                    contact_name="Bench",
                    contact_phone="1",
                )
                won.append(1)
            except services.NotEnoughAvailable:
                return won

    elapsed, won = _run_threads(work, users)
    return elapsed, len(won), _oversold(listing, len(won))


def statement_round(owner, users):
    """The baseline: the decrement as one conditional UPDATE in autocommit."""
    from django.db import connection

    listing = _listing(owner, STOCK)

    def work(user):
        won = []
        with connection.cursor() as cursor:
            while True:
                cursor.execute(
                    "UPDATE listings_listing SET quantity_available = quantity_available - %s"
                    " WHERE id = %s AND quantity_available >= %s",
                    [1, listing.pk, 1],
                )
                if cursor.rowcount == 0:
                    return won
                won.append(1)

    elapsed, won = _run_threads(work, users)
    return elapsed, len(won), _oversold(listing, len(won))


def locked_round(owner, users):
    """The earlier baseline: BEGIN, SELECT ... FOR UPDATE, UPDATE, COMMIT."""
    from django.db import connection, transaction

    listing = _listing(owner, STOCK)

    def work(user):
        won = []
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT quantity_available FROM listings_listing WHERE id = %s FOR UPDATE",
                    [listing.pk],
                )
                (available,) = cursor.fetchone()
                if available < 1:
                    return won
                cursor.execute(
                    "UPDATE listings_listing SET quantity_available = quantity_available - 1"
                    " WHERE id = %s",
                    [listing.pk],
                )
                won.append(1)

    elapsed, won = _run_threads(work, users)
    return elapsed, len(won), _oversold(listing, len(won))


raw_round = locked_round  # its earlier name


def _oversold(listing, won):
    from reservations.models import Reservation

    listing.refresh_from_db()
    reserved = sum(Reservation.objects.filter(listing=listing).values_list("quantity", flat=True))
    return max(0, max(won, reserved) - listing.quantity) + (
        1 if listing.quantity_available < 0 else 0
    )


def stress(owner, users, races):
    from reservations import services

    rng = random.Random(1)
    oversold = 0
    started = time.perf_counter()
    for n in range(races):
        stock = rng.randint(1, 4)
        listing = _listing(owner, stock)

        def work(user, listing_id=listing.pk):
            try:
                services.reservation_create(
                    actor=user,
                    listing_id=listing_id,
                    quantity=1,
                    contact_name="B",
                    contact_phone="1",
                )
                return [1]
            except services.NotEnoughAvailable:
                return []

        _elapsed, won = _run_threads(work, users)
        oversold += max(0, len(won) - stock) + _oversold(listing, len(won))
        if (n + 1) % 500 == 0:
            print(
                f"{n + 1}/{races} races, oversold {oversold}, "
                f"{time.perf_counter() - started:.0f} s",
                flush=True,
            )
    return oversold


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench reservations", description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--stress", type=int, default=0, metavar="RACES")
    _summary.add_output_arguments(parser)
    args = parser.parse_args(argv)
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    if not settings.USES_POSTGRES:
        print("The reservations benchmark needs PostgreSQL: set DATABASE_URL.", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    owner, users = _people(THREADS)
    if args.stress:
        oversold = stress(owner, users, args.stress)
        print(json.dumps({"races": args.stress, "threads": THREADS, "oversold": oversold}))
        return 1 if oversold else 0

    rounds = {"statement": statement_round, "locked": locked_round, "service": service_round}
    rates = {name: [] for name in rounds}
    oversold = 0
    load_start = _summary.load_average()
    for _ in range(args.rounds):  # interleaved, so machine noise hits all alike
        for name, run in rounds.items():
            elapsed, won, over = run(owner, users)
            rates[name].append(won / elapsed)
            oversold += over
    statement, locked, service = (round(statistics.median(rates[n]), 1) for n in rounds)
    result = {
        "benchmark": "reservations",
        "threads": THREADS,
        "stock_per_round": STOCK,
        "rounds": args.rounds,
        "load_average": {"start": load_start, "end": _summary.load_average()},
        "one_statement_per_s": statement,
        "locked_transaction_per_s": locked,
        "service_per_s": service,
        "vs_one_statement": _summary.ratio(service, statement),
        "vs_locked_transaction": _summary.ratio(service, locked),
        "oversold": oversold,
        "channel_layer": settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1],
    }
    result["goals"] = [
        _summary.goal(
            "reservations / one-statement UPDATE",
            result["vs_one_statement"],
            GOAL,
            note=f"{THREADS} threads, one hot listing; service {service}/s, statement "
            f"{statement}/s; vs locked transaction {result['vs_locked_transaction']}",
        ),
        _summary.goal("oversold", oversold, 0, at_most=True, note="every round, every kind"),
    ]
    _summary.emit(args, result, _print_table)
    return _summary.exit_status(result)


def _print_table(result: dict) -> None:
    print(
        f"{THREADS} threads, one hot listing of {STOCK}, {result['rounds']} rounds (medians), "
        f"{result['channel_layer']}; load {result['load_average']['start']} -> "
        f"{result['load_average']['end']}"
    )
    print(f"{'':<44}{'/s':>9}{'service vs':>12}")
    rows = (
        ("one conditional UPDATE, autocommit", "one_statement_per_s", "vs_one_statement"),
        (
            "SELECT FOR UPDATE + UPDATE, transaction",
            "locked_transaction_per_s",
            "vs_locked_transaction",
        ),
    )
    for label, rate, versus in rows:
        print(f"{label:<44}{result[rate]:>9}{result[versus]:>12}")
    print(f"{'reservation service':<44}{result['service_per_s']:>9}")
    print(f"oversold: {result['oversold']} (must be 0)")
