"""Add an organisation to the running service: `manage.py organisation_add --name Kaarina
--slug kaarina --kind municipality --business-id 0133226-9 --domain kaarina.fi`."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kierratys.accounts.models import Organisation
from kierratys.accounts.organisation_services import organisation_create


class Command(BaseCommand):
    help = "Add an organisation (municipality, wellbeing services county, ...) and its domains."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="primary name, e.g. Turku")
        parser.add_argument("--name-sv", default="", help="Swedish name, e.g. Åbo")
        parser.add_argument("--name-en", default="")
        parser.add_argument("--slug", required=True, help="short name in addresses, e.g. turku")
        parser.add_argument("--kind", required=True, choices=Organisation.Kind.values)
        parser.add_argument("--business-id", required=True, help="Y-tunnus, e.g. 0204819-8")
        parser.add_argument(
            "--domain", action="append", default=[], help="sign-up email domain (repeatable)"
        )
        parser.add_argument("--support-email", default="")
        parser.add_argument("--support-phone", default="")
        parser.add_argument("--brand-colour", default=None, help="#rrggbb, dark enough")

    def handle(self, *args, **options):
        try:
            organisation = organisation_create(
                name=options["name"],
                name_sv=options["name_sv"],
                name_en=options["name_en"],
                slug=options["slug"],
                kind=options["kind"],
                business_id=options["business_id"],
                domains=options["domain"],
                support_email=options["support_email"],
                support_phone=options["support_phone"],
                brand_colour=options["brand_colour"],
            )
        except ValidationError as error:
            messages = (
                [f"{field}: {m}" for field, ms in error.message_dict.items() for m in ms]
                if hasattr(error, "error_dict")
                else error.messages
            )
            raise CommandError("\n".join(messages)) from error
        self.stdout.write(f"Added {organisation.name} ({organisation.business_id}).")
