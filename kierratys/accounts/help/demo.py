"""The demo's help page and FAQ for Turku, so `make run` shows what a coordinator can write."""

from kierratys.accounts.models import Organisation

from .models import HelpText

HELP = {
    "fi": "## Näin Kierrätys toimii\n\n1. Etsi kaluste **Tarjolla**-sivulta.\n"
    "2. Varaa tarvitsemasi määrä.\n3. Nouda se varastolta tai tilaa toimitus.\n",
    "sv": "## Så fungerar Kierrätys\n\n1. Sök möbeln under **Utbud**.\n"
    "2. Reservera det antal du behöver.\n3. Hämta den på lagret eller beställ leverans.\n",
    "en": "## How Kierrätys works\n\n1. Find the furniture in the **Catalogue**.\n"
    "2. Reserve the quantity you need.\n3. Collect it from the warehouse or book a delivery.\n",
}
FAQ = {
    "fi": "### Maksaako kierrätyskaluste?\n\nEi. Toimituksesta voidaan veloittaa sisäinen hinta.\n",
    "sv": "### Kostar återbrukade möbler något?\n\n"
    "Nej. För leveransen kan ett internt pris debiteras.\n",
    "en": "### Does reused furniture cost anything?\n\nNo. Delivery may carry an internal price.\n",
}


def seed_help() -> None:
    organisation = Organisation.objects.filter(slug="turku").first()
    if organisation is None:
        return
    for kind, texts in ((HelpText.Kind.HELP, HELP), (HelpText.Kind.FAQ, FAQ)):
        HelpText.objects.get_or_create(
            organisation=organisation,
            kind=kind,
            defaults={f"text_{code}": text for code, text in texts.items()},
        )
