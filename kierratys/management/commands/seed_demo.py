from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from kierratys.demo import ACCOUNTS, DEMO_PASSWORD

# Each app that has demo data adds its seeder here; each must be idempotent.
SEEDERS = [
    "kierratys.demo.seed_organisation",
    "kierratys.demo.seed_identity_provider",
    "kierratys.legal.demo.seed_legal",  # accessibility statements and privacy notices
    "kierratys.accounts.help.demo.seed_help",
    "kierratys.demo.seed_warehouse",
    "listings.demo.seed_listings",
    "kierratys.demo.seed_activity",  # reservations, tasks, saved searches: after the listings
]


class Command(BaseCommand):
    help = (
        "Create the demo departments, units, accounts, listings, reservations, warehouse "
        "tasks and saved searches (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even when DEBUG is off (never in production).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to seed demo data with DEBUG off. Use --force if this really is a demo."
            )
        for seeder in SEEDERS:
            import_string(seeder)()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data is ready. Accounts (password: {DEMO_PASSWORD}):")
        )
        for email, _name, unit, roles in ACCOUNTS:
            role_text = ", ".join(["staff", *roles])
            self.stdout.write(f"  {email:<34} {role_text:<20} {unit}")
