"""The demo organisations' accessibility statements and privacy notices, in Finnish,
Swedish and English. Idempotent: a statement or notice that exists is left as it is (the
coordinators may have edited it)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kierratys.accounts.models import Organisation

from .models import AccessibilityStatement, PrivacyNotice

# What the service itself gets wrong today, with the other way to get the same done. The
# same code serves every organisation, so its shortcomings are theirs all alike.
SHORTCOMINGS = {
    "fi": (
        "QR-tarrojen lukeminen kameralla (WCAG 1.3.1, 2.5.1). Luovutuksessa ja varaston "
        "tehtävissä kalusteen tarra voidaan lukea puhelimen kameralla. Lukeminen vaatii "
        "kameran, luvan sen käyttöön ja kameran suuntaamista tarraan, eikä lukija kerro "
        "ruudunlukijalle, missä kohdassa tarra on kuvassa. Vaihtoehto: kirjoita QR-koodin "
        "alle painettu koodi (esimerkiksi K-000123) samalla sivulla olevaan Tavaran koodi "
        "-kenttään. "
        "Palvelu tarkistaa sen samalla tavalla kuin kameralla luetun koodin.\n\n"
        "Kuvien tekstivastineet (WCAG 1.1.1). Ilmoituksen kuvan tekstivastineena on "
        "kalusteen nimi, ellei ilmoittaja kirjoita kuvalle omaa kuvausta. Kuvasta näkyvät "
        "tiedot, kuten kulumat tai tahrat, eivät silloin välity ruudunlukijan käyttäjälle. "
        "Vaihtoehto: ilmoituksen kuvauksessa, kunnossa, väreissä ja mitoissa kerrotaan "
        "samat tiedot tekstinä, ja ilmoittajan yksikön puhelinnumero on ilmoituksella.\n\n"
        "Ylläpitosivut (WCAG 2.1.1, 4.1.2). Koordinaattoreiden ylläpitosivuja (yksiköt, "
        "käyttäjät, tämä seloste) ei ole vielä arvioitu. Osa niiden valintalistoista ja "
        "päivämäärävalitsimista on hankala käyttää näppäimistöllä ja ruudunlukijalla. "
        "Vaihtoehto: päivämäärän voi kirjoittaa kenttään muodossa 1.12.2026, ja tuki tekee "
        "muutoksen pyynnöstä.\n\n"
        "Elävät päivitykset (WCAG 4.1.3). Sivut päivittyvät itsestään, kun joku varaa "
        "kalusteen tai tehtävä etenee. Kaikki ruudunlukijat eivät lue näitä ilmoituksia "
        "heti. Vaihtoehto: sivun lataaminen uudelleen näyttää aina ajantasaisen tilanteen."
    ),
    "sv": (
        "Läsa QR-etiketter med kameran (WCAG 1.3.1, 2.5.1). Vid överlämning och i lagrets "
        "uppgifter kan möbelns etikett läsas med mobilens kamera. Det kräver en kamera, "
        "tillstånd att använda den och att man riktar kameran mot etiketten, och läsaren "
        "berättar inte för skärmläsaren var i bilden etiketten finns. Alternativ: skriv "
        "koden som är tryckt under QR-koden (till exempel K-000123) i fältet Föremålets kod "
        "på samma "
        "sida. Tjänsten kontrollerar den på samma sätt som en kod som lästs med kameran.\n\n"
        "Textalternativ till bilder (WCAG 1.1.1). Textalternativet till en bild i en "
        "annons är möbelns namn, om inte annonsören skriver en egen beskrivning av bilden. "
        "Det som syns på bilden, till exempel slitage eller fläckar, når då inte den som "
        "använder skärmläsare. Alternativ: annonsens beskrivning, skick, färger och mått "
        "ger samma uppgifter i text, och annonsörens enhet har sitt telefonnummer i "
        "annonsen.\n\n"
        "Administrationssidor (WCAG 2.1.1, 4.1.2). Koordinatorernas administrationssidor "
        "(enheter, användare, denna redogörelse) har ännu inte bedömts. En del av deras "
        "vallistor och datumväljare är svåra att använda med tangentbord och skärmläsare. "
        "Alternativ: ett datum kan skrivas i fältet i formen 1.12.2026, och supporten gör "
        "ändringen på begäran.\n\n"
        "Uppdateringar i realtid (WCAG 4.1.3). Sidorna uppdateras av sig själva när någon "
        "reserverar en möbel eller en uppgift framskrider. Alla skärmläsare läser inte upp "
        "meddelandena genast. Alternativ: när du laddar om sidan ser du alltid läget just nu."
    ),
    "en": (
        "Reading QR labels with the camera (WCAG 1.3.1, 2.5.1). At a handover and in the "
        "warehouse's tasks, an item's label can be read with the phone's camera. This needs "
        "a camera, permission to use it and aiming it at the label, and the scanner does not "
        "tell a screen reader where in the picture the label is. Alternative: type the code "
        "printed under the QR code (for example K-000123) in the Item code field on the same "
        "page. "
        "The service checks it just as it checks a scanned code.\n\n"
        "Text alternatives for photos (WCAG 1.1.1). A listing's photo has the item's name as "
        "its text alternative unless the lister describes the photo. What the photo shows, "
        "such as wear or stains, then does not reach someone using a screen reader. "
        "Alternative: the listing's description, condition, colours and dimensions give "
        "the same facts in text, and the listing shows the phone number of the lister's "
        "unit.\n\n"
        "Administration pages (WCAG 2.1.1, 4.1.2). The coordinators' administration pages "
        "(units, users, this statement) have not been assessed yet. Some of their selection "
        "lists and date pickers are hard to use with a keyboard and a screen reader. "
        "Alternative: a date can be typed in the field as 1.12.2026, and support makes the "
        "change on request.\n\n"
        "Live updates (WCAG 4.1.3). Pages update by themselves when someone reserves an item "
        "or a task moves on. Not every screen reader reads these announcements out at once. "
        "Alternative: reloading the page always shows the situation as it is now."
    ),
}

# Per organisation: the names and contacts the notice and statement give.
CONTACTS = {
    "turku": {
        "feedback_email": "saavutettavuus@demo.example",
        "controller": {
            "fi": "Turun kaupunki, kaupunkiympäristölautakunta",
            "sv": "Åbo stad, stadsmiljönämnden",
            "en": "City of Turku, City Environment Committee",
        },
        "address": "Puolalankatu 5, 20100 Turku",
        "business_id": "0204819-8",
        "contact": {
            "fi": "Kierrätyspalvelun pääkäyttäjä, kaupunkiympäristön toimiala",
            "sv": "Huvudanvändaren för återbrukstjänsten, stadsmiljösektorn",
            "en": "The reuse service's main administrator, City Environment Division",
        },
        "contact_email": "kierratys-tuki@demo.example",
        "dpo_email": "tietosuoja@demo.example",
        "law": {
            "fi": "kuntalaki (410/2015)",
            "sv": "kommunallagen (410/2015)",
            "en": "the Local Government Act (410/2015)",
        },
    },
    "kaarina": {
        "feedback_email": "saavutettavuus@kaarina.demo.example",
        "controller": {
            "fi": "Kaarinan kaupunki, kaupunginhallitus",
            "sv": "S:t Karins stad, stadsstyrelsen",
            "en": "City of Kaarina, City Board",
        },
        "address": "Lautakunnankatu 4, 20780 Kaarina",
        "business_id": "0133226-9",
        "contact": {
            "fi": "Konsernipalvelujen hankinta- ja tilapalvelut",
            "sv": "Koncerntjänsternas upphandlings- och lokaltjänster",
            "en": "Procurement and Facilities, Group Services",
        },
        "contact_email": "kierratys@kaarina.demo.example",
        "dpo_email": "tietosuoja@kaarina.demo.example",
        "law": {
            "fi": "kuntalaki (410/2015)",
            "sv": "kommunallagen (410/2015)",
            "en": "the Local Government Act (410/2015)",
        },
    },
    "varha": {
        "feedback_email": "saavutettavuus@varha.demo.example",
        "controller": {
            "fi": "Varsinais-Suomen hyvinvointialue, aluehallitus",
            "sv": "Egentliga Finlands välfärdsområde, välfärdsområdesstyrelsen",
            "en": "Wellbeing services county of Southwest Finland, County Executive Board",
        },
        "address": "Ajurinkatu 20, 20360 Turku",
        "business_id": "3221065-1",
        "contact": {
            "fi": "Tukipalvelut, kalustopalvelut",
            "sv": "Stödtjänster, möbeltjänster",
            "en": "Support Services, Furniture Services",
        },
        "contact_email": "kalustopalvelut@varha.demo.example",
        "dpo_email": "tietosuoja@varha.demo.example",
        "law": {
            "fi": "laki hyvinvointialueesta (611/2021)",
            "sv": "lagen om välfärdsområden (611/2021)",
            "en": "the Act on Wellbeing Services Counties (611/2021)",
        },
    },
}

# The notice's sections; {names} come from CONTACTS (in the section's language) and the
# retention settings, so each organisation's notice is its own.
NOTICE = {
    "controller": {
        "fi": "{controller}\n{address}\nY-tunnus {business_id}",
        "sv": "{controller}\n{address}\nFO-nummer {business_id}",
        "en": "{controller}\n{address}\nBusiness ID {business_id}",
    },
    "contact": {
        "fi": "{contact}\n{contact_email}",
        "sv": "{contact}\n{contact_email}",
        "en": "{contact}\n{contact_email}",
    },
    "dpo": {
        "fi": "Tietosuojavastaava\n{dpo_email}",
        "sv": "Dataskyddsombud\n{dpo_email}",
        "en": "Data protection officer\n{dpo_email}",
    },
    "purposes": {
        "fi": (
            "Käsittelemme henkilötietoja, jotta yksiköt voivat kierrättää kalusteita "
            "keskenään: tunnusten luomiseen ja kirjautumiseen, ilmoitusten, varausten, "
            "toimitusten ja luovutusten hoitamiseen, palvelun viesteihin sekä palvelun "
            "tietoturvan ja saavutettavuuspalautteen käsittelyyn.\n\n"
            "Käsiteltäviä tietoja ovat nimi, työsähköpostiosoite, puhelinnumero, yksikkö ja "
            "kieli, varausten yhteyshenkilöt, puhelinnumerot ja lisätiedot, kirjautumisajat "
            "sekä tietoturvalokit. Raportit lasketaan yksiköittäin, eikä niissä ole "
            "henkilötietoja. Kalusteiden kuvissa ei saa näkyä ihmisiä."
        ),
        "sv": (
            "Vi behandlar personuppgifter för att enheterna ska kunna återbruka möbler "
            "sinsemellan: för att skapa konton och logga in, sköta annonser, reservationer, "
            "leveranser och överlämningar, skicka tjänstens meddelanden samt för tjänstens "
            "informationssäkerhet och behandlingen av respons om tillgänglighet.\n\n"
            "Uppgifterna är namn, e-postadress i arbetet, telefonnummer, enhet och språk, "
            "reservationernas kontaktpersoner, telefonnummer och tilläggsuppgifter, "
            "inloggningstider och säkerhetsloggar. Rapporterna räknas per enhet och "
            "innehåller inga personuppgifter. Möblernas bilder får inte visa personer."
        ),
        "en": (
            "We process personal data so that units can reuse furniture among themselves: to "
            "create accounts and sign in, to handle listings, reservations, deliveries and "
            "handovers, to send the service's messages, and for the service's security and "
            "the handling of accessibility feedback.\n\n"
            "The data are name, work email address, phone number, unit and language, the "
            "contact people, phone numbers and notes of reservations, sign-in times and "
            "security logs. Reports are counted per unit and hold no personal data. Photos "
            "of furniture must not show people."
        ),
    },
    "legal_basis": {
        "fi": (
            "Käsittely on tarpeen yleisen edun mukaisen tehtävän suorittamiseksi (EU:n "
            "yleinen tietosuoja-asetus, 6 artiklan 1 kohdan e alakohta): {controller_base} "
            "hoitaa omaisuuttaan ja hankintojaan, ja {law} velvoittaa toimimaan "
            "taloudellisesti. Työntekijöiden tietoja käsitellään työsuhteen vuoksi "
            "(laki yksityisyyden suojasta työelämässä 759/2004).\n\n"
            "Saavutettavuuspalautteen käsittely on lakisääteinen velvoite (6 artiklan 1 "
            "kohdan c alakohta; laki digitaalisten palvelujen tarjoamisesta 306/2019)."
        ),
        "sv": (
            "Behandlingen behövs för att utföra en uppgift av allmänt intresse (EU:s "
            "allmänna dataskyddsförordning, artikel 6.1 e): {controller_base} förvaltar sin "
            "egendom och sina upphandlingar, och {law} förpliktar till en ekonomisk "
            "verksamhet. Uppgifter om anställda behandlas på grund av anställningen (lagen "
            "om integritetsskydd i arbetslivet 759/2004).\n\n"
            "Behandlingen av respons om tillgänglighet är en rättslig förpliktelse (artikel "
            "6.1 c; lagen om tillhandahållande av digitala tjänster 306/2019)."
        ),
        "en": (
            "Processing is necessary for a task carried out in the public interest (EU "
            "General Data Protection Regulation, Article 6(1)(e)): {controller_base} manages "
            "its property and purchases, and {law} requires it to do so economically. "
            "Employees' data are processed because of their employment (Act on the "
            "Protection of Privacy in Working Life 759/2004).\n\n"
            "Handling accessibility feedback is a legal obligation (Article 6(1)(c); Act on "
            "the Provision of Digital Services 306/2019)."
        ),
    },
    "recipients": {
        "fi": (
            "Tietoja ei luovuteta palvelun ulkopuolelle. Palvelussa ilmoituksen ja varauksen "
            "yhteyshenkilö ja puhelinnumero näkyvät niille yksiköille, jotka näkevät "
            "ilmoituksen, myös kumppaniorganisaatioiden yksiköille, kun ilmoitus on "
            "kumppanivaiheessa.\n\n"
            "Palvelun ylläpitäjä ja palvelinten tarjoaja käsittelevät tietoja "
            "henkilötietojen käsittelijöinä sopimuksen mukaan. Tietoja ei siirretä EU:n tai "
            "Euroopan talousalueen ulkopuolelle."
        ),
        "sv": (
            "Uppgifterna lämnas inte ut utanför tjänsten. I tjänsten syns kontaktpersonen "
            "och telefonnumret för en annons och en reservation för de enheter som ser "
            "annonsen, också för partnerorganisationernas enheter när annonsen är i "
            "partnerskedet.\n\n"
            "Tjänstens förvaltare och serverleverantören behandlar uppgifterna som "
            "personuppgiftsbiträden enligt avtal. Uppgifterna överförs inte utanför EU "
            "eller Europeiska ekonomiska samarbetsområdet."
        ),
        "en": (
            "The data are not disclosed outside the service. In the service, the contact "
            "person and phone number of a listing or reservation are shown to the units "
            "that see the listing, including partner organisations' units once the listing "
            "reaches the partner stage.\n\n"
            "The service's maintainer and its hosting provider process the data as "
            "processors under contract. The data are not transferred outside the EU or the "
            "European Economic Area."
        ),
    },
    "retention": {
        "fi": (
            "Tunnuksen tiedot säilytetään niin kauan kuin henkilö käyttää palvelua työssään. "
            "Kun hän lähtee, koordinaattori poistaa tunnuksen käytöstä ja anonymisoi sen: "
            "nimi, sähköposti ja puhelinnumero korvataan, mutta ilmoitukset, varaukset ja "
            "raportit säilyvät.\n\n"
            "Varausten yhteyshenkilöt, puhelinnumerot ja lisätiedot tyhjennetään "
            "{retention_months} kuukauden kuluttua varauksen päättymisestä. Loki siitä, kuka "
            "on katsonut toisen yhteystietoja, säilytetään {log_months} kuukautta."
        ),
        "sv": (
            "Kontots uppgifter sparas så länge personen använder tjänsten i sitt arbete. När "
            "hen slutar stänger koordinatorn kontot och anonymiserar det: namn, e-post och "
            "telefonnummer ersätts, men annonser, reservationer och rapporter finns kvar.\n\n"
            "Reservationernas kontaktpersoner, telefonnummer och tilläggsuppgifter töms "
            "{retention_months} månader efter att reservationen avslutats. Loggen över vem "
            "som har sett någon annans kontaktuppgifter sparas i {log_months} månader."
        ),
        "en": (
            "Account data are kept as long as the person uses the service in their work. "
            "When they leave, a coordinator deactivates and anonymises the account: name, "
            "email and phone number are replaced, but listings, reservations and reports "
            "remain.\n\n"
            "Reservations' contact people, phone numbers and notes are cleared "
            "{retention_months} months after the reservation closes. The log of who viewed "
            "someone else's contact details is kept for {log_months} months."
        ),
    },
    "rights": {
        "fi": (
            "Sinulla on oikeus saada tietää, mitä tietoja sinusta käsitellään, ja saada ne: "
            "Omat tiedot -sivulta voit ladata tietosi koneluettavana tiedostona. Voit "
            "korjata nimesi ja puhelinnumerosi itse; yksikön vaihtaa koordinaattori.\n\n"
            "Voit vastustaa käsittelyä tai pyytää sen rajoittamista. Poisto-oikeutta ei ole, "
            "koska käsittely perustuu yleisen edun mukaiseen tehtävään, mutta lähtiessäsi "
            "tunnuksesi anonymisoidaan. Automaattisia päätöksiä ei tehdä.\n\n"
            "Pyynnöt: {contact_email}. Jos katsot, että tietojasi käsitellään lainvastaisesti, "
            "voit tehdä valituksen tietosuojavaltuutetun toimistolle (tietosuoja.fi)."
        ),
        "sv": (
            "Du har rätt att få veta vilka uppgifter om dig som behandlas och att få dem: på "
            "sidan Dina uppgifter kan du ladda ner dem som en maskinläsbar fil. Ditt namn "
            "och telefonnummer kan du rätta själv; enheten byts av koordinatorn.\n\n"
            "Du kan invända mot behandlingen eller begära att den begränsas. Rätt till "
            "radering finns inte, eftersom behandlingen grundar sig på en uppgift av allmänt "
            "intresse, men när du slutar anonymiseras ditt konto. Inga automatiserade beslut "
            "fattas.\n\n"
            "Begäran: {contact_email}. Om du anser att dina uppgifter behandlas i strid med "
            "lagen kan du lämna klagomål till dataombudsmannens byrå (tietosuoja.fi/sv)."
        ),
        "en": (
            "You have the right to know which data about you are processed and to get them: "
            "on the Your details page you can download them as a machine-readable file. You "
            "can correct your name and phone number yourself; a coordinator changes your "
            "unit.\n\n"
            "You can object to the processing or ask for it to be restricted. There is no "
            "right to erasure, as processing is based on a task in the public interest, but "
            "your account is anonymised when you leave. No automated decisions are made.\n\n"
            "Requests: {contact_email}. If you consider that your data are processed "
            "unlawfully, you can lodge a complaint with the Office of the Data Protection "
            "Ombudsman (tietosuoja.fi/en)."
        ),
    },
}

# "the City of Turku" where the legal basis speaks of the controller itself.
CONTROLLER_BASE = {
    "turku": {"fi": "Turun kaupunki", "sv": "Åbo stad", "en": "the City of Turku"},
    "kaarina": {"fi": "Kaarinan kaupunki", "sv": "S:t Karins stad", "en": "the City of Kaarina"},
    "varha": {
        "fi": "hyvinvointialue",
        "sv": "välfärdsområdet",
        "en": "the wellbeing services county",
    },
}


def _values(slug: str, language: str) -> dict:
    contacts = CONTACTS[slug]
    return {
        "controller": contacts["controller"][language],
        "controller_base": CONTROLLER_BASE[slug][language],
        "contact": contacts["contact"][language],
        "law": contacts["law"][language],
        "address": contacts["address"],
        "business_id": contacts["business_id"],
        "contact_email": contacts["contact_email"],
        "dpo_email": contacts["dpo_email"],
        "retention_months": settings.RESERVATION_CONTACT_RETENTION_MONTHS,
        "log_months": settings.ACCESS_LOG_MONTHS,
    }


def notice_fields(slug: str) -> dict:
    fields = {}
    for language in ("fi", "sv", "en"):
        values = _values(slug, language)
        for section, texts in NOTICE.items():
            fields[f"{section}_{language}"] = texts[language].format(**values)
    return fields


@transaction.atomic
def seed_legal() -> int:
    """A statement and a notice for each demo organisation that has none; how many made."""
    today = timezone.localdate()
    made = 0
    for organisation in Organisation.objects.filter(slug__in=CONTACTS):
        slug = organisation.slug
        _statement, created = AccessibilityStatement.objects.get_or_create(
            organisation=organisation,
            defaults={
                "conformance": AccessibilityStatement.Conformance.PARTIAL,
                "assessment": AccessibilityStatement.Assessment.SELF,
                "last_checked_on": today - timedelta(days=14),
                "prepared_on": today - timedelta(days=90),
                "updated_on": today - timedelta(days=14),
                "feedback_email": CONTACTS[slug]["feedback_email"],
                **{f"shortcomings_{code}": text for code, text in SHORTCOMINGS.items()},
            },
        )
        made += created
        _notice, created = PrivacyNotice.objects.get_or_create(
            organisation=organisation,
            defaults={"updated_on": today - timedelta(days=14), **notice_fields(slug)},
        )
        made += created
    return made
