"""Expire overdue reservations and send collect-by reminders.

Schedule it every few minutes in production (cron or a systemd timer); it is idempotent
and safe to run twice at once. `--loop SECONDS` keeps it running (used by `make run`).
"""

import time

from django.core.management.base import BaseCommand

from reservations import services


class Command(BaseCommand):
    help = "Expire overdue reservations (promoting waiting lists) and send reminders."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, default=0, help="Repeat every N seconds.")

    def handle(self, *args, loop=0, **options):
        while True:
            expired = services.reservations_expire()
            reminded = services.reservations_remind()
            if options["verbosity"] > 1 or expired or reminded:
                self.stdout.write(f"expired {expired}, reminders {reminded}")
            if not loop:
                return
            time.sleep(loop)
