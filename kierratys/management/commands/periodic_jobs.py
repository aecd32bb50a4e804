"""The periodic jobs: expire reservations, send reminders, ask owners about expired listings,
tell owners of any new reservation whose notification sweep was never queued, and queue
again any background task whose worker died while running it.

Schedule every few minutes in production (cron or a systemd timer). Idempotent and safe to
run twice at once. `--loop SECONDS` keeps it running (used by `make run`).
"""

import time

from django.core.management.base import BaseCommand

from inventory import services as inventory_services
from kierratys.common import tasks
from reservations import notify
from reservations import services as reservation_services


class Command(BaseCommand):
    help = "Expire overdue reservations, send collect-by reminders and listing-expiry questions."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, default=0, help="Repeat every N seconds.")

    def handle(self, *args, loop=0, **options):
        while True:
            expired = reservation_services.reservations_expire()
            reminded = reservation_services.reservations_remind()
            asked = inventory_services.listings_expiry_notify()
            # Normally swept within seconds of reserving; this catches any sweep never queued.
            owners = notify.notify_owners.call()
            requeued = tasks.tasks_requeue_stale()
            if options["verbosity"] > 1 or expired or reminded or asked or owners or requeued:
                self.stdout.write(
                    f"expired {expired}, reminders {reminded}, expiry questions {asked}, "
                    f"new reservations told {owners}, lost tasks queued again {requeued}"
                )
            if not loop:
                return
            time.sleep(loop)
