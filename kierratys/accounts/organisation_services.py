"""Adding an organisation: by the service's administrators (the admin, or the
`organisation_add` command), with no code change or restart. And what its coordinator
decides for the whole organisation (open data)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import AccountError as Code
from .models import EmailDomain, Organisation
from .organisations import business_id_normalise, domain_normalise
from .roles import coordinators_organisation_id


def organisation_create(
    *,
    name: str,
    slug: str,
    kind: str,
    business_id: str,
    domains: list[str],
    name_sv: str = "",
    name_en: str = "",
    support_email: str = "",
    support_phone: str = "",
    brand_colour: str | None = None,
) -> Organisation:
    """A new organisation and its sign-up domains, all or nothing. A domain another
    organisation has is refused by name (and by the database if two arrive at once)."""
    domains = sorted({domain_normalise(d) for d in domains if domain_normalise(d)})
    organisation = Organisation(
        name=name.strip(),
        name_sv=name_sv.strip(),
        name_en=name_en.strip(),
        slug=slug,
        kind=kind,
        business_id=business_id_normalise(business_id),
        support_email=support_email,
        support_phone=support_phone,
    )
    if brand_colour:
        organisation.brand_colour = brand_colour
    organisation.full_clean()
    taken = list(EmailDomain.objects.filter(domain__in=domains).values_list("domain", flat=True))
    if taken:
        raise _domain_taken(taken[0])
    try:
        with transaction.atomic():
            organisation.save()
            EmailDomain.objects.bulk_create(
                [EmailDomain(organisation=organisation, domain=d) for d in domains]
            )
    except IntegrityError as error:  # the same domain given to another at the same moment
        raise _domain_taken(", ".join(domains)) from error
    return organisation


def _domain_taken(domain: str) -> ValidationError:
    return ValidationError(
        {
            "domains": ValidationError(
                _("The email domain %(domain)s already belongs to another organisation.")
                % {"domain": domain},
                code=Code.DOMAIN_TAKEN,
            )
        }
    )


def organisation_open_data_set(*, actor, publish: bool) -> Organisation:
    """The coordinator publishes the organisation's monthly impact figures as open data
    (CC BY 4.0, no sign-in), or stops. Publishing again keeps the first date."""
    organisation_id = coordinators_organisation_id(actor)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
        if publish and organisation.open_data_since is None:
            organisation.open_data_since = timezone.now()
        elif not publish:
            organisation.open_data_since = None
        organisation.save(update_fields=["open_data_since"])
    return organisation
