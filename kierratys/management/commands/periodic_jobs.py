"""The periodic jobs: expire reservations, send reminders, ask owners about expired listings,
tell owners of any new reservation whose notification sweep was never queued, and queue
again any background task whose worker died while running it.

Schedule every few minutes in production (cron or a systemd timer), on one machine or on
several: on PostgreSQL one round runs at a time across all of them (an advisory lock), and
a round started while another runs is skipped. Idempotent. `--loop SECONDS` keeps it
running. `make run` runs the same round inside its server process instead
(`kierratys/management/jobs.py`).
"""

import time

from django.core.management.base import BaseCommand

from ..jobs import periodic_jobs_run


class Command(BaseCommand):
    help = "Expire overdue reservations, send collect-by reminders and listing-expiry questions."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, default=0, help="Repeat every N seconds.")

    def handle(self, *args, loop=0, **options):
        while True:
            done = periodic_jobs_run()
            if not done:
                if options["verbosity"] > 1:
                    self.stdout.write("Skipped: another process is running the periodic jobs.")
            elif options["verbosity"] > 1 or any(done.values()):
                self.stdout.write(", ".join(f"{name} {count}" for name, count in done.items()))
            if not loop:
                return
            time.sleep(loop)
