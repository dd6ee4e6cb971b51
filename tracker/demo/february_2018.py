"""The Veiligheidsnetwerk Oost-Nederland as described in its progress report of February 2018.

Source: ``Voortgangsrapportage versie februari 2018`` (peildatum februari 2018), transcribed
from the text extracted from the PDF. Every string is the report's Dutch wording; only
PDF-extraction damage and obvious typing errors are repaired (broken line joins,
"ion de Eerste Kamer", "beschibaar", "Experteam", "burgmeester", "groepscan", doubled
words). ``#`` comments mark where the transcription had to interpret the text.

Plain constants only: the demo loader turns them into database rows. Municipalities are
not listed here; they come from ``data/gemeenten-oost-nederland-2018.csv``, whose district
names equal ``DISTRICTS[i]["name"]``. Derived figures (totals, differences, percentages)
are deliberately absent: the app computes them from the raw values below, and
``tests/unit/test_demo_figures.py`` checks that they reproduce the printed report.

Things added that are not in the report, all marked: the demo accounts (``"demo": True``),
the e-mail addresses, the placeholder date of the two spring 2018 events, the generic
GGZ organisation and the secretariat, and the nine bouwstenen (from an outside source,
see ``BUILDING_BLOCKS``).
"""

from datetime import date

# ---------------------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------------------

#: The five police districts, in the order of the report's burglary table.
#: ``report_label`` is the row label used in that table.
DISTRICTS = [
    {"slug": "ijsselland", "name": "IJsselland", "report_label": "IJsselland"},
    # The PDF text reads "Tw ente" (a split glyph run); the label is "Twente".
    {"slug": "twente", "name": "Twente", "report_label": "Twente"},
    {
        "slug": "noord-en-oost-gelderland",
        "name": "Noord- en Oost-Gelderland",
        "report_label": "NO-Gelderland",
    },
    {"slug": "gelderland-midden", "name": "Gelderland-Midden", "report_label": "Gelderland Midden"},
    {"slug": "gelderland-zuid", "name": "Gelderland-Zuid", "report_label": "Gelderland Zuid"},
]

#: Row label of the unit-wide totals in the burglary table.
UNIT_REPORT_LABEL = "Totaal Oost Nederland"

#: Non-municipal partners. Municipalities become organisations of kind "gemeente"
#: automatically (referenced below as "gemeente:<name as in the CSV>").
ORGANISATIONS = [
    {"slug": "politie-oost-nederland", "name": "Politie eenheid Oost-Nederland", "kind": "politie"},
    {
        "slug": "om-oost-nederland",
        "name": "Openbaar Ministerie, arrondissement Oost-Nederland",
        "kind": "om",
    },
    {"slug": "riec-oost-nederland", "name": "RIEC Oost-Nederland", "kind": "riec"},
    # The report speaks of "zorginstellingen GGZ" / "de GGZ instellingen" without naming one.
    {"slug": "ggz-oost-nederland", "name": "GGZ-instellingen Oost-Nederland", "kind": "ggz"},
    # "Er wordt nauw samengewerkt met onder meer de belastingdienst, het RIEC en beide
    # provincies" (platform Ondermijning).
    {"slug": "belastingdienst", "name": "Belastingdienst", "kind": "overig"},
    {"slug": "provincie-overijssel", "name": "Provincie Overijssel", "kind": "overig"},
    {"slug": "provincie-gelderland", "name": "Provincie Gelderland", "kind": "overig"},
    # Not named in the report; home of the beheerder demo account.
    {
        "slug": "secretariaat-vnon",
        "name": "Secretariaat Veiligheidsnetwerk Oost-Nederland",
        "kind": "overig",
    },
]

#: Everyone the report names, the two BBG members it names by title only, and one demo
#: account per role. Mayors are given by surname only and the report does not say which
#: municipality they lead: no first names, no organisation. E-mail addresses are invented
#: (example.org). Former mayor De Vries (informatievoorziening) has left and is not listed.
PEOPLE = [
    # --- BBG: the mayors, one per DVO, each holding a theme in portfolio -----------------
    {
        "key": "beenakker",
        "name": "Beenakker",
        "title": "burgemeester",
        "salutation": "Geachte burgemeester Beenakker,",
        "email": "beenakker@example.org",
        "organisation": None,
        "role": "bestuurder",
        "demo": False,
    },
    {
        "key": "bengevoord",
        "name": "Bengevoord",
        "title": "burgemeester",
        "salutation": "Geachte burgemeester Bengevoord,",
        "email": "bengevoord@example.org",
        "organisation": None,
        "role": "bestuurder",
        "demo": False,
    },
    {
        "key": "welten",
        "name": "Welten",
        "title": "burgemeester",
        "salutation": "Geachte burgemeester Welten,",
        "email": "welten@example.org",
        "organisation": None,
        "role": "bestuurder",
        "demo": False,
    },
    {
        "key": "heidema",
        "name": "Heidema",
        "title": "burgemeester",
        "salutation": "Geachte burgemeester Heidema,",
        "email": "heidema@example.org",
        "organisation": None,
        "role": "bestuurder",
        "demo": False,
    },
    {
        "key": "van-hout",
        "name": "Van Hout",
        "title": "burgemeester",
        "salutation": "Geachte burgemeester Van Hout,",
        "email": "vanhout@example.org",
        "organisation": None,
        "role": "bestuurder",
        "demo": False,
    },
    # --- BBG: named by title only ("de hoofdofficier van justitie en een lid van de
    # eenheidsleiding politie") ------------------------------------------------------------
    {
        "key": "hoofdofficier",
        "name": "Hoofdofficier van justitie",
        "title": "hoofdofficier van justitie",
        "email": "hoofdofficier@example.org",
        "organisation": "om-oost-nederland",
        "role": "bestuurder",
        "demo": False,
    },
    {
        "key": "eenheidsleiding",
        "name": "Lid eenheidsleiding politie",
        "title": "lid eenheidsleiding politie",
        "email": "eenheidsleiding@example.org",
        "organisation": "politie-oost-nederland",
        "role": "bestuurder",
        "demo": False,
    },
    # --- Trekkers, with the employer the report gives in brackets --------------------------
    {
        "key": "erik-van-keken",
        "name": "Erik van Keken",
        "title": None,
        "email": "erik.vankeken@example.org",
        "organisation": "gemeente:Tiel",
        "role": "coordinator",
        "demo": False,
    },
    {
        "key": "paul-wesseloo",
        "name": "Paul Wesseloo",
        "title": None,
        "email": "paul.wesseloo@example.org",
        "organisation": "gemeente:Enschede",
        "role": "coordinator",
        "demo": False,
    },
    {
        "key": "marjan-nekkers",
        "name": "Marjan Nekkers",
        "title": None,
        "email": "marjan.nekkers@example.org",
        # The report writes "gemeente Oost-Gelre"; the CSV (and CBS) name is "Oost Gelre".
        "organisation": "gemeente:Oost Gelre",
        "role": "coordinator",
        "demo": False,
    },
    {
        "key": "tom-liedenbaum",
        "name": "Tom Liedenbaum",
        "title": None,
        "email": "tom.liedenbaum@example.org",
        "organisation": "gemeente:Twenterand",
        "role": "coordinator",
        "demo": False,
    },
    {
        "key": "iwan-drupsteen",
        "name": "Iwan Drupsteen",
        "title": None,
        "email": "iwan.drupsteen@example.org",
        "organisation": "riec-oost-nederland",  # report: "(RIEC)"
        "role": "coordinator",
        "demo": False,
    },
    {
        "key": "marjolein-meijners",
        "name": "Marjolein Meijners",
        "title": None,
        "email": "marjolein.meijners@example.org",
        "organisation": "riec-oost-nederland",  # report: "(RIEC)"
        "role": "coordinator",
        "demo": False,
    },
    # --- Demo accounts, one per role (NOT in the report) -----------------------------------
    {
        "key": "demo-beheerder",
        "name": "Secretariaat VNON",
        "title": None,
        "email": "beheerder@example.org",
        "organisation": "secretariaat-vnon",
        "role": "beheerder",
        "demo": True,
    },
    {
        "key": "demo-coordinator",
        "name": "Demo Coördinator",
        "title": None,
        "email": "coordinator@example.org",
        "organisation": None,
        "role": "coordinator",  # coordinator of verwarde-personen (see TEAMS, "members")
        "demo": True,
    },
    {
        "key": "demo-bestuurder",
        "name": "Demo Bestuurder",
        "title": None,
        "email": "bestuurder@example.org",
        "organisation": None,
        "role": "bestuurder",
        "demo": True,
    },
    {
        "key": "demo-partner",
        "name": "Demo Partner",
        "title": None,
        "email": "partner@example.org",
        "organisation": "ggz-oost-nederland",
        "role": "partner",
        "demo": True,
        # Real partners usually have no password (they answer invitations through signed
        # links); the demo partner has one so that the partner's view can be tried out.
    },
    {
        "key": "demo-lezer",
        "name": "Demo Lezer",
        "title": None,
        "email": "lezer@example.org",
        "organisation": None,
        "role": "lezer",
        "demo": True,
    },
]

# ---------------------------------------------------------------------------------------
# Teams, in the order of "Stand van zaken Expertteams"
# ---------------------------------------------------------------------------------------
# Action owners: the report never says who carries an action. Where the team itself does
# the work, the owner is the team's trekker (the one who leads the team day to day);
# where the text puts it elsewhere ("ligt bij districten") or the team has no trekker,
# the owner is None.
# Action status: "bezig" only where the wording says the work is already underway
# ("Ondersteunen pilots", "Verder inrichten ...", "Doorontwikkelen ..."); else "open".

TEAMS = [
    {
        "slug": "woninginbraken",
        "name": "Expertteam Woninginbraken",
        "short_name": "Woninginbraken",
        "report_heading": "Woninginbraak",
        "kind": "expertteam",
        "parent": None,
        # Aandachtspunt: "Expertteam heeft zijn taak volbracht en zal een eindrapportage
        # gaan opstellen ter afronding".
        "status": "afgerond",
        "introduction": (
            "Woninginbraak is in alle 78 gemeenten topprioriteit. Het Expertteam "
            "woninginbraak heeft door het verzamelen en delen van informatie goede en "
            "concrete resultaten behaald. Kern vormt een plan van aanpak via zes hoofdlijnen. "
            "Het voorziet in de behoefte om van elkaar te leren, specifieke kennis te delen en "
            "af te stemmen om het waterbed-effect te voorkomen. Interventies zijn beschikbaar "
            "op de website waar gemeenten direct mee aan de slag kunnen."
        ),
        "chairs": ["beenakker"],
        "chair_note": None,
        "trekker": "erik-van-keken",
        "members": [],
        "goals": [
            "Max. 8% (door burgers ingeschatte) kans op slachtofferschap (9% "
            "uitgangswaarde). Bron: Veiligheidsmonitor",
            "Daling aantal woninginbraken met 5% in 2015-2018 (gerekend vanaf 2013)",
            "Realisatie stijging verdachtenratio door politie",
            "Treffen duurzaam preventieve maatregelen PKVW",
            "Informatie gestuurd aanpakken van problemen",
        ],
        "results": [
            "Bovenlokale, effectieve interventiemaatregelen beschikbaar van gemeenten voor "
            "gemeenten per 2017",
            "Daling woninginbraken (trend meerjarig)",
            "Gedaalde kans op slachtofferschap, licht gestegen verdachtenratio",
            "Opname in APV verbod op vervoer inbrekerswerktuig",
            "Digitaal opkopers register in APV aangewezen als het opkopersregister",
        ],
        "attention_points": [
            "Expertteam heeft zijn taak volbracht en zal een eindrapportage gaan opstellen "
            "ter afronding",
        ],
        # The report heads this block "Lopende acties". ``report_text`` is the wording the
        # published report used for the action (its "Tekst in de rapportage"); the title is
        # a short form of it.
        "actions": [
            {
                "title": "Verantwoordelijkheid aanpak ligt bij districten",
                "report_text": "Verantwoordelijkheid aanpak ligt bij districten",
                "due_date": None,
                "due_precision": None,
                "owner": None,  # the districts, not the team
                "status": "open",
            },
            {
                "title": "Eindrapportage opstellen, door de BBG aan te bieden aan de DVO’s",
                "report_text": (
                    "Eerste helft 2018 wordt een eindrapportage opgesteld, die de BBG aan de "
                    "DVO’s zal aanbieden"
                ),
                "due_date": date(2018, 6, 30),
                "due_precision": "half",
                "owner": "erik-van-keken",
                "status": "open",
            },
        ],
    },
    {
        "slug": "verwarde-personen",
        "name": "Expertteam Verwarde personen",
        "short_name": "Verwarde personen",
        "report_heading": "Verwarde personen",
        "kind": "expertteam",
        "parent": None,
        "status": "actief",
        "introduction": (
            "Het aantal incidenten met overlast gevende personen met ernstig verward gedrag "
            "stijgt jaarlijks met gemiddeld 13%. Het is niet duidelijk of het aantal verwarde "
            "personen stijgt of dat er per persoon meer registraties zijn. Het Expertteam "
            "Verwarde personen heeft een rol om te faciliteren dat iedere gemeente voor "
            "1 oktober 2018 een sluitende aanpak heeft. In ieder district worden pilots "
            "gedraaid om een onderdeel van de sluitende aanpak te kunnen realiseren. In totaal "
            "ruim 20 pilots. De negen bouwstenen van de sluitende aanpak beogen een breder doel "
            "dan veiligheid alleen. De aanpak gaat dan ook verder dan de reikwijdte en "
            "doelstelling van het expertteam."
        ),
        "chairs": ["welten"],
        "chair_note": None,
        "trekker": "paul-wesseloo",
        "members": ["demo-coordinator"],  # demo account, not in the report
        # "In de expertgroep Verwarde personen zijn ook de GGZ instellingen deelnemer":
        # the demo partner (GGZ) is a member of this team.
        "partner_members": ["demo-partner"],
        "goals": [
            "Oorspronkelijke opdracht (aanpak overlast gevende personen) afgebakend tot: "
            "Terugdringen van overlast door ernstig verwarde personen",
            "Verbeteren van de samenwerking van gemeenten, politie en OM met "
            "gemeentegrensoverschrijdende (zorg)organisaties, zodat via een adequate triage "
            "direct de best passende opvang wordt gerealiseerd",
            "Ontwikkeling van Regionaal Forensisch Psychiatrisch Netwerk (RFPN) en borging per "
            "september 2019",
        ],
        # The report's "Resultaten" block is a paragraph on the national Schakelteam with
        # four sub-bullets, then "Het Expertteam richt zich specifiek op:" with four more.
        # Kept flat and in order: each lead-in sentence (ending in ":") is its own item,
        # followed by its sub-bullets.
        "results": [
            "Het Schakelteam Personen met Verward Gedrag bouwt voort op de resultaten van het "
            "aanjaagteam en richt zich op een sluitende aanpak in oktober 2018 in alle "
            "gemeenten van Nederland. De negen bouwstenen beogen een aanpak die breder is dan "
            "veiligheid alleen. De aanpak gaat ook verder dan de reikwijdte en doelstelling "
            "van het expertteam. Het Schakelteam stelt zich onder meer tot doel:",
            "De negen bouwstenen verdiepen en handvatten voor de uitvoering ontwikkelen",
            "Casuïstiek van mensen die tussen wal en schip dreigen te vallen met experts "
            "verdiepen om oplossingsrichtingen te formuleren en eventuele structurele "
            "knelpunten te achterhalen",
            "De realisatie stimuleren van meldpunten waar mensen dag en nacht signalen en "
            "zorgen kunnen melden.",
            "In beeld brengen hoe ver gemeenten en regio’s in Nederland zijn met het realiseren "
            "van een sluitende aanpak.",
            "Het Expertteam richt zich specifiek op:",
            "Borging RFPN per september 2019",
            "Per district meerdere pilots ten behoeve van de sluitende aanpak en borging van "
            "de resultaten;",
            "Delen van ervaringen en kennis uit deze pilot projecten",
            "Per 1 oktober 2018 kent iedere gemeente in Oost Nederland een sluitende aanpak",
        ],
        "attention_points": [
            "RFPN moet voor september 2019 structureel geborgd zijn door twee procescoördinatoren",
            "In de zomer 2017 is een nieuwe projectleider Verdiepingsregio van start gegaan",
            "Borgen diverse pilot’s in Oost Nederland",
            "Bestuurlijke verankering, zowel vanuit het domein zorg als veiligheid",
            "Nieuwe wet Verplichte GGZ is aangenomen in de Eerste Kamer en zal per 1-1-2020 in "
            "werking treden.",
        ],
        "actions": [
            {
                "title": "Ondersteunen pilots",
                "report_text": "Ondersteunen pilots",
                "due_date": None,
                "due_precision": None,
                "owner": "paul-wesseloo",
                "status": "bezig",
            },
            {
                "title": "Regionale bijeenkomst op 7 maart: ervaringen en kennis uit de "
                "pilotprojecten delen",
                "report_text": (
                    "Regionale bijeenkomst op 7 maart waar de ervaringen en kennis wordt gedeeld "
                    "met betrekking tot de pilot projecten"
                ),
                # "7 maart" without a year; the report is of February 2018.
                "due_date": date(2018, 3, 7),
                "due_precision": "day",
                "owner": "paul-wesseloo",
                "status": "open",
            },
            {
                "title": "Onderzoek naar het gebruik van beoordelingslokaties in Oost-Nederland",
                "report_text": (
                    "Onderzoek naar het gebruik van beoordelingslokaties in Oost-Nederland"
                ),
                "due_date": None,
                "due_precision": None,
                "owner": "paul-wesseloo",
                "status": "open",
            },
            {
                "title": "Uitwerken consequenties Wet Verplichte GGZ",
                "report_text": "Uitwerken consequenties Wet Verplichte GGZ",
                # The action itself has no date; the law takes effect on 1-1-2020 (see the
                # MILESTONES entry "wet-verplichte-ggz").
                "due_date": None,
                "due_precision": None,
                "owner": "paul-wesseloo",
                "status": "open",
            },
        ],
    },
    {
        "slug": "ondermijning",
        "name": "Platform Ondermijning",
        "short_name": "Ondermijning",
        "report_heading": "Ondermijning",
        "kind": "platform",
        "parent": None,
        "status": "actief",
        "introduction": (
            "Het platform Ondermijning richt zich op het versterken van bewustwording, "
            "strategische afstemming in Oost-Nederland en op het bieden van "
            "handelingsperspectieven. Er wordt nauw samengewerkt met onder meer de "
            "belastingdienst, het RIEC en beide provincies."
        ),
        "chairs": ["heidema", "van-hout"],  # "burgemeesters Heidema en Van Hout"
        "chair_note": None,
        "trekker": "marjan-nekkers",
        "members": [],
        "goals": [
            "Ondermijning op de kaart als een serieus veiligheidsprobleem waarin alle partners "
            "een bijdrage hebben te vervullen",
            "Bevorderen dat lokale integrale veiligheidsbeelden eenduidig tot stand komen, "
            "zodat waar nodig naast een lokale aanpak ook een districtelijke of regionale "
            "aanpak ontwikkeld kan worden",
            "Kennis bevorderen, ervaringen helpen uitwisselen en innovatieve mogelijkheden "
            "benutten",
        ],
        "results": [
            "Opdracht platform is goedgekeurd door de BBG",
            "Vergroot bewustzijn bij gemeenten en andere partners van ondermijning en een "
            "weerbaarder overheid",
        ],
        "attention_points": [
            "Verbinding naar de DVO’s en ambtelijke netwerken in alle districten",
        ],
        "actions": [
            {
                "title": "Uitwerken opdracht aan het platform in een concreet plan van aanpak",
                "report_text": (
                    "Uitwerken opdracht aan het platform in een concreet plan van aanpak"
                ),
                "due_date": None,
                "due_precision": None,
                "owner": "marjan-nekkers",
                "status": "open",
            },
            {
                "title": "Verder inrichten toolkit/kennisdatabank Ondermijning op de website",
                "report_text": (
                    "Verder inrichten toolkit/kennisdatabank Ondermijning op de website van het "
                    "veiligheidsnetwerk"
                ),
                "due_date": None,
                "due_precision": None,
                "owner": "marjan-nekkers",
                "status": "bezig",  # "Verder inrichten": the toolkit is being built
            },
            {
                "title": "Bijeenkomst voorjaar 2018 voor gemeentesecretarissen, gericht op "
                "bewustwording",
                "report_text": (
                    "Bijeenkomst in het voorjaar 2018 voor gemeentesecretarissen in Oost "
                    "Nederland gericht op bewustwording"
                ),
                "due_date": date(2018, 6, 20),  # end of spring 2018
                "due_precision": "season",
                "owner": "marjan-nekkers",
                "status": "open",
            },
        ],
    },
    {
        "slug": "hennep",
        # The section is headed "Hennep > Ondermijning" and speaks of "Het expertteam
        # Hennep"; the list of chairs calls it "Onderdeel van het platform: thema Hennep".
        "name": "Expertteam Hennep",
        "short_name": "Hennep",
        "report_heading": "Hennep > Ondermijning",
        "kind": "expertteam",
        "parent": "ondermijning",
        "status": "actief",
        "introduction": (
            "Het expertteam Hennep heeft bijgedragen aan de doorvoering van het regionale "
            "hennepconvenant en toepassing van een uitvoeringsprotocol in elk district. De "
            "toegevoegde waarde zit in de integrale districtelijke werkgroepen die de "
            "afgesproken aanpak uitvoeren. Dit expertteam gaat onderdeel uitmaken van het "
            "Platform Ondermijning.\n"
            "Jaarlijks wordt de uitvoering geëvalueerd, zoals dat is in de periode mei "
            "2015-mei 2016 is gebeurd in Gelderland Zuid in de vorm van een evaluatie op "
            "districtniveau."
        ),
        "chairs": [],
        "chair_note": "onderdeel van het platform Ondermijning",
        "trekker": None,  # the report names no trekker for Hennep
        "members": [],
        "goals": [
            "Opstellen integrale aanpak hennepteelt, zowel preventief als repressief",
            "Crimineel verworven financieel voordeel ontnemen",
        ],
        "results": [
            "Regionaal integraal hennep-convenant en protocol",
            "Ondermijningsbeeld Hennep opgeleverd in april 2017",
            "Jaarlijkse bespreking in de DVO’s van de jaarrapportages Hennep",
        ],
        "attention_points": [
            "Naleving afspraken en aanbevelingen evaluatie hennep convenant per district",
            "Aantal ruimingen hennepkwekerijen neemt af",
        ],
        "actions": [
            {
                "title": "Afstemmen wenselijke vorm en inhoud van de jaarrapportages Hennep",
                "report_text": (
                    "In 2018 wordt afgestemd wat de wenselijke vorm en inhoud van de "
                    "jaarrapportages moet zijn"
                ),
                "due_date": date(2018, 12, 31),
                "due_precision": "year",
                "owner": None,
                "status": "open",
            },
        ],
    },
    {
        "slug": "jeugd",
        "name": "Expertteam Jeugd",
        "short_name": "Jeugd",
        "report_heading": "Jeugd",
        "kind": "expertteam",
        "parent": None,
        # Aandachtspunt: "Expertteam heeft zijn taak volbracht en zal een eindrapportage
        # gaan opstellen ter afronding".
        "status": "afgerond",
        "introduction": (
            "Jeugdoverlast is in driekwart van de gemeenten een lokale prioriteit. Het "
            "Expertteam Jeugd heeft bijgedragen aan de overgang van de shortlistmethode naar "
            "de groepsscan.\n"
            "Deze groepsscan kan gebruikt worden bij de aanpak van problematische "
            "jeugdgroepen."
        ),
        "chairs": ["bengevoord"],
        "chair_note": None,
        "trekker": "tom-liedenbaum",
        "members": [],
        "goals": [
            "Inzicht in ontwikkeling jeugdgroepen Oost-Nederland",
            "Inzicht in behoeften gemeenten aan ondersteuning",
            "Groepsscan vervangt Shortlistmethode",
            "Verbetering aanpak jeugdproblematiek – sluitende ketenaanpak",
            "Geen Oost-Nederland gemeente in landelijke Top 10",
        ],
        "results": [
            "Afgerond afstudeeronderzoek Netwerken jeugdgroepen, gericht op het achterhalen "
            "hoe het bestuur in verschillende gemeenten zich organiseert rondom problematische "
            "jeugdgroepen.",
            "In 2016 zijn enkele pilots met de nieuwe groepsscan uitgevoerd in Kampen, "
            "Montferland, Nijmegen en Hengelo.",
            "Enquête ONL over informatiebehoefte en tevredenheid nieuwe werkwijze bij "
            "gemeente. (bijna 100% respons).",
            "Afgerond onderzoek naar de wijze waarop het werkproces m.b.t. de aanpak van "
            "overlast gevende jeugdgroepen in gemeenten is georganiseerd.",
            "Groepsscan en werkproces (grip op jeugdgroep in 7 stappen) geïmplementeerd.",
            "Koepelconvenant voor het delen van informatie bij de aanpak problematische "
            "jeugdgroepen (privacy) is beschikbaar gesteld aan gemeenten op de website.",
        ],
        "attention_points": [
            "Daling van jeugdgroepen en –overlast, wat nog onvoldoende geduid kan worden",
            "Wisselend gebruik van de groepsscan",
            "Expertteam heeft zijn taak volbracht en zal een eindrapportage gaan opstellen "
            "ter afronding",
        ],
        "actions": [
            {
                "title": "Onderzoek aanpak problematische jeugdgroepen met aanbevelingen "
                "aanbieden aan de districtelijke veiligheidsoverleggen",
                "report_text": (
                    "Het onderzoek naar de aanpak problematische jeugdgroepen met aanbevelingen "
                    "aanbieden aan de districtelijke veiligheidsoverleggen"
                ),
                "due_date": None,
                "due_precision": None,
                "owner": "tom-liedenbaum",
                "status": "open",
            },
            {
                "title": "Eindrapportage met aanbevelingen opstellen, via de BBG aan te bieden "
                "aan de vijf DVO’s",
                "report_text": (
                    "In de tweede helft van 2018 wordt een eindrapportage met aanbevelingen "
                    "opgesteld door het expertteam en via de BBG aangeboden aan de vijf DVO’s"
                ),
                "due_date": date(2018, 12, 31),
                "due_precision": "half",
                "owner": "tom-liedenbaum",
                "status": "open",
            },
        ],
    },
    {
        "slug": "omg",
        "name": "Expertteam OMG",
        "short_name": "OMG",
        "report_heading": "Outlaw Motorcycle Gangs",
        "kind": "expertteam",
        # "zelfstandig expertteam ... maar valt onder het platform Ondermijning"
        "parent": "ondermijning",
        "status": "actief",
        "introduction": (
            "Sinds 2012 voert de overheid een zero-tolerance beleid tegen Outlaw Motorcycle "
            "Gangs (OMG). Het Expertteam OMG richt zich op het bieden van faciliteiten voor "
            "bestrijding en beëindiging van norm overschrijdende en criminele activiteiten van "
            "OMG’s en hun leden. Gemeenten zijn door enorme toename aantal OMG’s en "
            "activiteiten gebaat bij een hulpmiddel om te kunnen bepalen of een motorclub "
            "aangepakt moet worden of niet."
        ),
        "chairs": ["heidema"],
        "chair_note": None,
        "trekker": "iwan-drupsteen",
        "members": [],
        "goals": [
            "Bieden van faciliteiten voor bestrijden en beëindigen van norm overschrijdende "
            "criminele activiteiten van OMG’s en hun supportgroepen",
            "Ontwikkelen van een risico-classificatie instrument",
            "Bepalen van indicatoren",
            "In kaart brengen ondermijningsbeeld OMG",
            "Awareness en alertheid creëren bij medewerkers gemeenten",
        ],
        "results": [
            "Gegevens gemeenten zijn beschikbaar",
            "Ondermijningsbeeld OMG gereed (deze is aangeboden op 22 juni 2017 aan het RVO)",
        ],
        "attention_points": [
            "Er zijn veel supportclubs, daardoor is beeld op OMG erg versnipperd",
            "Supportclubs en brotherhoods vallen veelal niet onder landelijke definitie OMG, "
            "heeft inmiddels aandacht op nationaal niveau.",
            "Behoefte gemeenten bestuurlijk en ambtelijk aan meer informatie over "
            "ontwikkelingen, achtergronden en mogelijke aanpak van de problematiek rondom "
            "OMG’s",
        ],
        "actions": [
            {
                "title": (
                    "Verdiepingsbijeenkomst OMG voorjaar 2018: risicoclassificatie-instrument "
                    "uitleggen, ervaringen uitwisselen"
                ),
                "report_text": (
                    "Voorjaar 2018 wordt een verdiepingsbijeenkomst georganiseerd om de aandacht "
                    "voor het thema scherp te houden, het gebruik van het "
                    "risicoclassificatieinstrument uit te leggen, en om ervaringen uit te "
                    "wisselen."
                ),
                "due_date": date(2018, 6, 20),  # end of spring 2018
                "due_precision": "season",
                "owner": "iwan-drupsteen",
                "status": "open",
            },
            {
                "title": "Opleveren van het risicoclassificatie-instrument",
                "report_text": (
                    "Opleveren van het risicoclassificatie-instrument: een instrument dat de "
                    "driehoek een handelingsperspectief biedt hoe op te treden en welke "
                    "instrumenten in te zetten bij confrontatie met OMG problematiek"
                ),
                "due_date": None,
                "due_precision": None,
                "owner": "iwan-drupsteen",
                "status": "open",
            },
        ],
    },
    {
        "slug": "informatievoorziening",
        "name": "Expertteam Informatievoorziening",
        "short_name": "Informatievoorziening",
        "report_heading": "Informatievoorziening",
        "kind": "expertteam",
        "parent": None,
        "status": "actief",
        # The report's last sentence reads "Intelligence is een nadrukkelijk onderdeel van dit
        # Expertteam, dat wordt getrokken door Marjolein Meijners (RIEC)."; only the trekker
        # clause is dropped.
        "introduction": (
            "De kracht van het Veiligheidsnetwerk Oost-Nederland zit in de gezamenlijke aanpak "
            "van regionale thema’s. Het delen van ervaringen en uitwisselen van documenten en "
            "voorbeelden is de basis voor deze gezamenlijke aanpak. Het Expertteam "
            "Informatievoorziening ondersteunt in deze functie van het netwerk. Intelligence "
            "is een nadrukkelijk onderdeel van dit Expertteam."
        ),
        "chairs": [],
        "chair_note": "vacant (door vertrek van burgemeester De Vries)",
        "trekker": "marjolein-meijners",
        "members": [],
        "goals": [
            # The report has "zodanig dat dat de doelstellingen" (doubled word).
            "Verbeteren informatievoorziening ten behoeve van gekozen thema’s zodanig dat de "
            "doelstellingen ten aanzien van deze thema’s kunnen worden bereikt",
            "Ontwikkelen eenduidige informatieproducten zodat gemeenten allen op eenzelfde "
            "wijze informatie ontvangen van de politie en op die manier kunnen sturen",
            "Ontwikkelen visie op slimmer informatiedelen (langere termijn)",
        ],
        "results": [
            "Website / kennisbank (door)ontwikkeld",
            "Inzicht in aantal gebruikers en downloads van de website",
            "Midtermreview 2015-2016 opgeleverd",
            "Periodieke digitale nieuwsbrief van het netwerk",
        ],
        "attention_points": [
            "Naamsbekendheid en stimuleren gebruik Veiligheidsnetwerk",
        ],
        "actions": [
            {
                "title": "Doorontwikkelen website",
                "report_text": "Doorontwikkelen website",
                "due_date": None,
                "due_precision": None,
                "owner": "marjolein-meijners",
                # Continues work reported as a result ("Website / kennisbank (door)ontwikkeld").
                "status": "bezig",
            },
            {
                "title": "Landelijke kennisdatabanken koppelen via de websites",
                "report_text": "Landelijke kennisdatabanken koppelen via de websites",
                "due_date": None,
                "due_precision": None,
                "owner": "marjolein-meijners",
                "status": "open",
            },
            {
                "title": "Regionale bijeenkomst organiseren over de pilotprojecten Intelligence "
                "van Nijmegen en Enschede",
                "report_text": (
                    "Organiseren regionale bijeenkomst waar ervaringen van pilot projecten "
                    "Intelligence van Nijmegen en Enschede gedeeld worden"
                ),
                "due_date": None,
                "due_precision": None,
                "owner": "marjolein-meijners",
                "status": "open",
            },
            {
                "title": "Onderzoek naar maandelijks beschikbaar stellen van VNG-cijfers via de "
                "website",
                "report_text": (
                    "Onderzoek naar mogelijkheid om VNG-cijfers maandelijks via de website aan "
                    "gemeenten beschikbaar te stellen."
                ),
                "due_date": None,
                "due_precision": None,
                "owner": "marjolein-meijners",
                "status": "open",
            },
            {
                "title": "Endterm review eind 2018",
                "report_text": "Endterm review eind 2018",
                "due_date": date(2018, 12, 31),
                "due_precision": "year",
                "owner": "marjolein-meijners",
                "status": "open",
            },
        ],
    },
]

# ---------------------------------------------------------------------------------------
# Network level
# ---------------------------------------------------------------------------------------

#: "Doelstelling VNONL voor 2018-2019": "De BBG stelt de volgende doelen voor de komende
#: twee jaar:" (punctuation at the end of each bullet as in the report).
NETWORK_GOALS = [
    "Concrete resultaten per expertteam en platform. De wens is er om de resultaten concreet "
    "te beschrijven en te kunnen monitoren;",
    "Een endterm review, conform de eerder gehanteerde methodiek;",
    "Aanvang van de Veiligheidsstrategie 2019-2022, op basis van onder meer de uitkomsten van "
    "de Endterm review;",
    "In ieder district een vorm van een ambtelijk netwerk waardoor een logisch en goed werkend "
    "veiligheidsnetwerk ontstaat;",
    "Voorstel tot continuering van de organisatie van het veiligheidsnetwerk.",
]

REPORT_META = {
    "title": "Voortgangsrapportage",
    "subtitle": "Veiligheidsnetwerk Oost-Nederland",
    "version_label": "versie februari 2018",
    # The report says "peildatum februari 2018"; the first of the month stands for it.
    "peildatum": date(2018, 2, 1),
    # The bullets on the title page.
    "key_facts": [
        "Gestart in 2013",
        "Bestuurlijke Nota Veiligheidsstrategie 2015-2018",
        "78 gemeenten, 1 arrondissement OM en 1 politie-eenheid (5 districten met 27 "
        "basisteams / 4 diensten)",
        "Krachtenbundeling op 6 thema’s, te weten: woninginbraken, jeugd, verwarde personen, "
        "ondermijning/hennep, OMG en Informatievoorziening",
        "Toegevoegde waarde voor lokale driehoeken en lokale aanpak",
    ],
    # Leeswijzer (first item) and Organisatiestructuur (the rest), one paragraph each.
    # "{maand}" is filled from the edition when the report is built (the source reads
    # "peildatum februari 2018").
    "intro": [
        "Deze voortgangsrapportage geeft de stand van zaken weer van de resultaten van de vijf "
        "expertteams en het platform, peildatum {maand}. Maar voordat alle thema’s "
        "afzonderlijk aan bod komen, wordt de organisatiestructuur van het veiligheidsnetwerk "
        "Oost Nederland toegelicht.",
        # Footnote 1 after "78 gemeenten": see "footnotes".
        "Het Veiligheidsnetwerk Oost-Nederland is gestart met het vaststellen van de "
        "bestuurlijke Nota Veiligheidsstrategie 2015-2018. Daarin zijn door de 78 gemeenten, "
        "politie en justitie in Oost-Nederland thema’s benoemd waarop partners gezamenlijk "
        "extra willen investeren. De partijen die participeren zijn onder andere politie, OM, "
        "RIEC Oost-Nederland, gemeenten en zorginstellingen GGZ.",
        "De organisatie bestaat uit een Bestuurlijke Begeleidingsgroep (BBG) en ambtelijke "
        "expertteams en een platform voor de zes thema’s die hierboven benoemd staat. De BBG "
        "bestaat uit een burgemeester uit elk DVO, de hoofdofficier van justitie en een lid "
        "van de eenheidsleiding politie. Iedere burgemeester in de BBG heeft één van de "
        "thema’s in portefeuille en wordt daarbij ondersteund door een expertteam of platform. "
        "Deze expertteams en platform bestaan uit ambtenaren uit gemeenten binnen de vijf "
        "districten, politie, justitie en RIEC-ON. In de expertgroep Verwarde personen zijn "
        "ook de GGZ instellingen deelnemer. Desgewenst kunnen andere partners aansluiten of "
        "worden deze geconsulteerd.",
        # The report has "op basis van van een financiële bijdrage" (doubled word).
        "Het netwerk bestaat op basis de bereidheid tot leveren van personele inzet van "
        "overige gemeenten, politie, OM, RIEC en GGZ, en op basis van een financiële bijdrage "
        "van de 100.000+ gemeenten voor de laatste twee jaren. In de komende periode "
        "(2017-2018) zal ook gekeken gaan worden hoe de netwerkaanpak op de langere termijn "
        "verstevigd kan worden waarbij zowel de grote als kleine gemeenten ondersteund kunnen "
        "worden.",
        # "Hiernaast" refers to a diagram in the PDF that the text extraction does not keep.
        "Hiernaast is in beeld gebracht hoe de expertteams zich tot elkaar verhouden. "
        "Opgemerkt wordt dat het expertteam Informatievoorziening een proces is dat "
        "raakvlakken heeft met alle expertteams. Het platform Ondermijning is een afstemmend "
        "gremium dat zorgt voor afstemming met de verschillende, reeds lopende trajecten en "
        "interventiemogelijkheden. Het expertteam Hennep is opgegaan in het platform "
        "Ondermijning. Het expertteam OMG is een zelfstandig expertteam vanwege de specifieke "
        "aard en verschijningsvorm maar valt onder het platform Ondermijning.",
    ],
    "footnotes": [
        # Footnote 1, attached to "78 gemeenten" in the Organisatiestructuur paragraph.
        "Dit aantal is in de loop der jaren teruggelopen door gemeentelijke samenvoegingen",
    ],
    # Where each footnote stands: right after the first occurrence of these words.
    "footnote_anchors": ["78 gemeenten"],
    # The report's table titles: the burglary table shows three indicators side by side
    # under one title (one combined table, as in the source).
    "indicator_tables": [
        {
            "title": "Diefstal/inbraak woning",
            "subtitle": "Januari tot en met december",
            "indicators": ["woninginbraken-misdrijven", "afgehandelde-verdachten",
                           "opheldering"],
        },
    ],
    "chairs_intro": (
        "De vijf expertteams en het platform hebben de volgende bestuurlijke voorzitters:"
    ),
    "network_goals_title": "Doelstelling VNONL voor 2018-2019",
    "network_goals_intro": "De BBG stelt de volgende doelen voor de komende twee jaar:",
    "teams_heading": "Stand van zaken Expertteams",
}

# ---------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------

MILESTONES = [
    {
        "key": "sluitende-aanpak-2018-10-01",
        "team": "verwarde-personen",
        "title": "Iedere gemeente in Oost-Nederland heeft een sluitende aanpak",
        "due_date": date(2018, 10, 1),
        "due_precision": "day",
        "kind": "deadline",
        "per_municipality": True,  # one tick per municipality, 78 in all
        "description": (
            "Per 1 oktober 2018 kent iedere gemeente in Oost Nederland een sluitende aanpak"
        ),
    },
    {
        "key": "rfpn-geborgd-2019-09",
        "team": "verwarde-personen",
        "title": "RFPN structureel geborgd",
        # "voor september 2019" / "per september 2019": month precision, end of the month.
        "due_date": date(2019, 9, 30),
        "due_precision": "month",
        "kind": "deadline",
        "per_municipality": False,
        "description": (
            "RFPN moet voor september 2019 structureel geborgd zijn door twee procescoördinatoren"
        ),
    },
    {
        "key": "wet-verplichte-ggz",
        "team": "verwarde-personen",
        "title": "Wet verplichte GGZ in werking",
        "due_date": date(2020, 1, 1),
        "due_precision": "day",
        "kind": "wet",
        "per_municipality": False,
        "description": (
            "Nieuwe wet Verplichte GGZ is aangenomen in de Eerste Kamer en zal per 1-1-2020 in "
            "werking treden."
        ),
    },
    {
        "key": "eindrapportage-woninginbraken",
        "team": "woninginbraken",
        "title": "Eindrapportage Expertteam Woninginbraken",
        "due_date": date(2018, 6, 30),
        "due_precision": "half",
        "kind": "eindrapportage",
        "per_municipality": False,
        "description": (
            "Eerste helft 2018 wordt een eindrapportage opgesteld, die de BBG aan de DVO’s zal "
            "aanbieden"
        ),
    },
    {
        "key": "eindrapportage-jeugd",
        "team": "jeugd",
        "title": "Eindrapportage Expertteam Jeugd",
        "due_date": date(2018, 12, 31),
        "due_precision": "half",
        "kind": "eindrapportage",
        "per_municipality": False,
        "description": (
            "In de tweede helft van 2018 wordt een eindrapportage met aanbevelingen opgesteld "
            "door het expertteam en via de BBG aangeboden aan de vijf DVO’s"
        ),
    },
    {
        "key": "endterm-review-2018",
        # Action of informatievoorziening ("Endterm review eind 2018") and a BBG goal.
        "team": "informatievoorziening",
        "title": "Endterm review",
        "due_date": date(2018, 12, 31),
        "due_precision": "year",
        "kind": "review",
        "per_municipality": False,
        # The BBG goal adds: "Een endterm review, conform de eerder gehanteerde methodiek;".
        "description": "Endterm review eind 2018",
    },
    {
        "key": "start-veiligheidsstrategie-2019-2022",
        "team": None,  # network-wide (BBG goal)
        "title": "Aanvang Veiligheidsstrategie 2019-2022",
        "due_date": date(2019, 1, 1),
        "due_precision": "year",
        "kind": "mijlpaal",
        "per_municipality": False,
        "description": (
            "Aanvang van de Veiligheidsstrategie 2019-2022, op basis van onder meer de "
            "uitkomsten van de Endterm review;"
        ),
    },
]

EVENTS = [
    {
        "key": "pilots-verwarde-personen-2018-03-07",
        "team": "verwarde-personen",
        "title": "Regionale bijeenkomst: ervaringen en kennis uit de pilotprojecten",
        "starts_on": date(2018, 3, 7),  # "7 maart", year taken from the report's date
        "precision": "day",
        "description": (
            "Regionale bijeenkomst op 7 maart waar de ervaringen en kennis wordt gedeeld met "
            "betrekking tot de pilot projecten"
        ),
    },
    {
        "key": "gemeentesecretarissen-ondermijning-voorjaar-2018",
        "team": "ondermijning",
        "title": "Bijeenkomst voor gemeentesecretarissen in Oost-Nederland over bewustwording "
        "van ondermijning",
        # PLACEHOLDER: the report only says "voorjaar 2018"; 1 May 2018 stands in until a
        # date is set (precision "season" keeps it displayed as "voorjaar 2018").
        "starts_on": date(2018, 5, 1),
        "precision": "season",
        "description": (
            "Bijeenkomst in het voorjaar 2018 voor gemeentesecretarissen in Oost Nederland "
            "gericht op bewustwording"
        ),
    },
    {
        "key": "verdiepingsbijeenkomst-omg-voorjaar-2018",
        "team": "omg",
        "title": "Verdiepingsbijeenkomst OMG en het risicoclassificatie-instrument",
        # PLACEHOLDER: "Voorjaar 2018"; 1 May 2018 stands in, as above.
        "starts_on": date(2018, 5, 1),
        "precision": "season",
        "description": (
            "Voorjaar 2018 wordt een verdiepingsbijeenkomst georganiseerd om de aandacht voor "
            "het thema scherp te houden, het gebruik van het risicoclassificatieinstrument uit "
            "te leggen, en om ervaringen uit te wisselen."
        ),
    },
    {
        "key": "intelligence-pilots-bijeenkomst",
        "team": "informatievoorziening",
        "title": "Regionale bijeenkomst: ervaringen uit de pilotprojecten Intelligence van "
        "Nijmegen en Enschede",
        "starts_on": None,  # the report gives no date
        "precision": None,
        "description": (
            "Organiseren regionale bijeenkomst waar ervaringen van pilot projecten "
            "Intelligence van Nijmegen en Enschede gedeeld worden"
        ),
    },
]

# ---------------------------------------------------------------------------------------
# DEMO ADDITIONS (not report facts): the invitations to the 7 March 2018 meeting
# ---------------------------------------------------------------------------------------
# The report only says that the meeting takes place on 7 March. Its location, capacity,
# RSVP deadline and every invitee below are invented so that the organiser's view, the
# RSVP links and the reminders can be tried out. Partners without an account get a
# partner account without a password (as real invitees do). Addresses are example.org.

DEMO_MEETING = {
    "event": "pilots-verwarde-personen-2018-03-07",
    "location": "Provinciehuis Overijssel, Luttenbergstraat 2, Zwolle (demo)",
    "capacity": 40,
    "rsvp_deadline": (date(2018, 3, 5), "12:00"),
}

#: ``person`` refers to PEOPLE by key; otherwise a new partner is created.
#: ``response``: "ja", "nee", "misschien" or None (not answered yet).
DEMO_INVITATIONS = [
    {"person": "demo-partner", "response": None},
    {"person": "marjan-nekkers", "response": "ja", "remark": ""},
    {"person": "tom-liedenbaum", "response": "ja",
     "remark": "Ik neem een collega mee van het wijkteam."},
    {"person": "iwan-drupsteen", "response": "nee", "remark": "Die dag in Den Haag."},
    {"person": "welten", "response": "misschien", "remark": "Afhankelijk van de raadsvergadering."},
    {"email": "a.kuipers@example.org", "name": "Anke Kuipers", "organisation": "ggz-oost-nederland",
     "response": "ja", "remark": "Vegetarische lunch graag."},
    {"email": "r.bosman@example.org", "name": "Rob Bosman", "organisation": "politie-oost-nederland",
     "response": "ja", "remark": ""},
    {"email": "s.demir@example.org", "name": "Sevgi Demir", "organisation": "om-oost-nederland",
     "response": "misschien", "remark": ""},
    {"email": "j.hendriks@example.org", "name": "Joost Hendriks", "organisation": "gemeente:Deventer",
     "response": "nee", "remark": "Collega Van Dijk komt in mijn plaats."},
    {"email": "m.vandijk@example.org", "name": "Mirjam van Dijk", "organisation": "gemeente:Deventer",
     "response": None},
    {"email": "l.wolters@example.org", "name": "Lotte Wolters", "organisation": "gemeente:Apeldoorn",
     "response": None},
    {"email": "h.olde.monnikhof@example.org", "name": "Henk Olde Monnikhof",
     "organisation": "gemeente:Hengelo", "response": None},
    {"email": "f.elbouzidi@example.org", "name": "Fatima el Bouzidi", "organisation": "gemeente:Nijmegen",
     "response": None},
    {"email": "p.vanderveen@example.org", "name": "Pieter van der Veen", "organisation": "gemeente:Arnhem",
     "response": "ja", "remark": ""},
]

# ---------------------------------------------------------------------------------------
# Pilots and building blocks
# ---------------------------------------------------------------------------------------
# Verwarde personen runs "ruim 20 pilots", several per district, but the report names none
# of them, so none are listed here.

# One pilot per municipality. Municipality names as in the CSV ("Hengelo" is officially
# "Hengelo (O.)"); districts taken from the CSV.
# Groepsscan (jeugd): status "geevalueerd" because the pilots were carried out in 2016 and
# the groepsscan has since been implemented ("Groepsscan en werkproces ...
# geïmplementeerd"). The report gives the year only: start_date is 1 January 2016 and
# start_year carries the real precision.
# Intelligence (informatievoorziening): status "lopend"; the report does not say the pilots
# have ended, nor when they started.
PILOTS = [
    {
        "team": "jeugd",
        "title": "Pilot groepsscan Kampen",
        "description": (
            "In 2016 zijn enkele pilots met de nieuwe groepsscan uitgevoerd in Kampen, "
            "Montferland, Nijmegen en Hengelo."
        ),
        "municipalities": ["Kampen"],
        "district": "ijsselland",
        "building_block": None,
        "status": "geevalueerd",
        "start_year": 2016,
        "start_date": date(2016, 1, 1),  # year only in the report, see above
        "end_date": None,
        "lessons": "",
        "results": "",
    },
    {
        "team": "jeugd",
        "title": "Pilot groepsscan Montferland",
        "description": (
            "In 2016 zijn enkele pilots met de nieuwe groepsscan uitgevoerd in Kampen, "
            "Montferland, Nijmegen en Hengelo."
        ),
        "municipalities": ["Montferland"],
        "district": "noord-en-oost-gelderland",
        "building_block": None,
        "status": "geevalueerd",
        "start_year": 2016,
        "start_date": date(2016, 1, 1),  # year only in the report, see above
        "end_date": None,
        "lessons": "",
        "results": "",
    },
    {
        "team": "jeugd",
        "title": "Pilot groepsscan Nijmegen",
        "description": (
            "In 2016 zijn enkele pilots met de nieuwe groepsscan uitgevoerd in Kampen, "
            "Montferland, Nijmegen en Hengelo."
        ),
        "municipalities": ["Nijmegen"],
        "district": "gelderland-zuid",
        "building_block": None,
        "status": "geevalueerd",
        "start_year": 2016,
        "start_date": date(2016, 1, 1),  # year only in the report, see above
        "end_date": None,
        "lessons": "",
        "results": "",
    },
    {
        "team": "jeugd",
        "title": "Pilot groepsscan Hengelo",
        "description": (
            "In 2016 zijn enkele pilots met de nieuwe groepsscan uitgevoerd in Kampen, "
            "Montferland, Nijmegen en Hengelo."
        ),
        "municipalities": ["Hengelo"],
        "district": "twente",
        "building_block": None,
        "status": "geevalueerd",
        "start_year": 2016,
        "start_date": date(2016, 1, 1),  # year only in the report, see above
        "end_date": None,
        "lessons": "",
        "results": "",
    },
    {
        "team": "informatievoorziening",
        "title": "Pilot Intelligence Nijmegen",
        "description": (
            "Organiseren regionale bijeenkomst waar ervaringen van pilot projecten "
            "Intelligence van Nijmegen en Enschede gedeeld worden"
        ),
        "municipalities": ["Nijmegen"],
        "district": "gelderland-zuid",
        "building_block": None,
        "status": "lopend",
        "start_year": None,
        "start_date": None,
        "end_date": None,
        "lessons": "",
        "results": "",
    },
    {
        "team": "informatievoorziening",
        "title": "Pilot Intelligence Enschede",
        "description": (
            "Organiseren regionale bijeenkomst waar ervaringen van pilot projecten "
            "Intelligence van Nijmegen en Enschede gedeeld worden"
        ),
        "municipalities": ["Enschede"],
        "district": "twente",
        "building_block": None,
        "status": "lopend",
        "start_year": None,
        "start_date": None,
        "end_date": None,
        "lessons": "",
        "results": "",
    },
]

#: The nine bouwstenen of the sluitende aanpak. NOT in the report, which only mentions
#: "de negen bouwstenen". Source: GGD IJsselland (Esther Wisse), "Onderzoek naar de aanpak
#: van verwarde personen in Zwolle", versie 2.0, 14 september 2016 (table of contents,
#: chapter 3, which follows the Aanjaagteam Verwarde Personen's bouwstenen); found as a
#: public copy at 5dok.net. VNG pages of the Aanjaagteam confirm bouwsteen 5 ("Beoordeling
#: en risicotaxatie") and 7 ("Passend vervoer") by number, and name bouwsteen 1 "Inbreng
#: personen met verward gedrag en familie". The wording of 2 and 4 (and 8) could not be
#: checked against an Aanjaagteam/Schakelteam publication itself.
BUILDING_BLOCKS = {
    "verwarde-personen": [
        "1 Inbreng van mensen met verward gedrag en hun directe omgeving",
        "2 Preventie en levensstructuur",
        "3 Vroegtijdige signalering",
        "4 Meldkamer",
        "5 Beoordeling en risicotaxatie",
        "6 Toeleiding",
        "7 Passend vervoer",
        "8 Passende ondersteuning, zorg en straf",
        "9 Informatievoorziening",
    ],
}

# ---------------------------------------------------------------------------------------
# Indicators: raw values only
# ---------------------------------------------------------------------------------------
# The burglary table ("Diefstal/inbraak woning", januari tot en met december) reconstructed
# from the scrambled PDF text. Each row reads:
#   district | misdrijven 2013-2016 gem. | 2016 | 2017 | verschil # | verschil % |
#   afgehandelde verdachten 2013-2016 gem. | 2016 | 2017 | verschil # | verschil % |
#   opheldering 2016 | 2017
# Only the raw columns are kept; differences, percentages, totals and the verdachtenratio
# are computed. What the report gives without the figures it follows from is stored as a
# *source figure* with a note: the 2013-2016 averages (the yearly figures 2013-2015 are not
# in the report; with them the tracker would compute the average, see ``period_averages``),
# the clearance percentages (the number of cleared cases is not in the report) and the
# victim rates. The district averages of afgehandelde verdachten sum to 1.120 while the
# report prints a total of 1.119 (it averaged the unrounded figures): that total is stored
# as the source's own figure and the report notes the difference.

_TABLE_PERIODS = ["2013-2016", "2016", "2017"]
_TABLE_LABELS = {"2013-2016": "2013-2016 gemiddeld"}
_TABLE_AVERAGES = {"2013-2016": ["2013", "2014", "2015", "2016"]}
_AVERAGE_NOTE = (
    "Gemiddelde 2013-2016 zoals de bron het geeft; de jaarcijfers 2013 tot en met 2015 "
    "zijn niet vastgelegd."
)

INDICATORS = [
    {
        "key": "woninginbraken-misdrijven",
        "team": "woninginbraken",
        "name": "Woninginbraken (misdrijven)",
        "description": (
            "Het aantal inbraken is de laatste jaren aanzienlijk gedaald. Het aantal "
            "afgehandelde verdachten is eveneens afgenomen."
        ),
        "unit": "aantal",
        "source": "Politie",
        "direction": "down",
        "periods": _TABLE_PERIODS,
        "period_labels": _TABLE_LABELS,
        "unit_label": UNIT_REPORT_LABEL,
        "measurements": {
            "ijsselland": {"2013-2016": 1525, "2016": 1306, "2017": 867},
            "twente": {"2013-2016": 2083, "2016": 1875, "2017": 1408},
            "noord-en-oost-gelderland": {"2013-2016": 2578, "2016": 2194, "2017": 1830},
            "gelderland-midden": {"2013-2016": 2723, "2016": 2447, "2017": 1923},
            "gelderland-zuid": {"2013-2016": 2285, "2016": 1715, "2017": 1363},
        },
        "unit_measurements": {},  # the unit total is the sum of the districts
        "period_averages": _TABLE_AVERAGES,
        "source_figures": {"2013-2016": _AVERAGE_NOTE},
        "unit_total": None,
        "baseline": None,  # the 2013 base figure is not in the report
        # Goal: "Daling aantal woninginbraken met 5% in 2015-2018 (gerekend vanaf 2013)".
        "target": -5,
        "target_kind": "change_pct",
        "target_base_period": "2013",
        "target_period": "2015-2018",
        "notes": "Januari tot en met december",
    },
    {
        "key": "afgehandelde-verdachten",
        "team": "woninginbraken",
        "name": "Afgehandelde verdachten",
        "description": "",
        "unit": "aantal",
        "source": "Politie",
        # The report sets no direction for this count; "up" follows the goal "Realisatie
        # stijging verdachtenratio door politie" (more suspects per burglary).
        "direction": "up",
        "periods": _TABLE_PERIODS,
        "period_labels": _TABLE_LABELS,
        "unit_label": UNIT_REPORT_LABEL,
        "measurements": {
            "ijsselland": {"2013-2016": 166, "2016": 125, "2017": 124},
            "twente": {"2013-2016": 234, "2016": 158, "2017": 145},
            "noord-en-oost-gelderland": {"2013-2016": 273, "2016": 271, "2017": 231},
            "gelderland-midden": {"2013-2016": 261, "2016": 236, "2017": 184},
            "gelderland-zuid": {"2013-2016": 186, "2016": 136, "2017": 104},
        },
        # The source's own total of the averages (the districts' rounded averages sum to 1.120).
        "unit_measurements": {"2013-2016": 1119},
        "period_averages": _TABLE_AVERAGES,
        "source_figures": {"2013-2016": _AVERAGE_NOTE},
        "unit_source_notes": {
            "2013-2016": "Totaal 2013-2016 zoals de bron het geeft, berekend uit niet-afgeronde "
                         "cijfers die niet zijn vastgelegd.",
        },
        "unit_total": None,
        "baseline": None,
        "target": None,
        "target_kind": None,
        "target_base_period": None,
        "target_period": None,
        "notes": "Januari tot en met december",
    },
    {
        # "Realisatie stijging verdachtenratio door politie"; the report says "licht gestegen
        # verdachtenratio" without showing it: it follows from the two tables above.
        "key": "verdachtenratio",
        "team": "woninginbraken",
        "name": "Verdachtenratio",
        "description": "Afgehandelde verdachten per 100 woninginbraken (misdrijven).",
        "unit": "procent",
        "source": "Politie",
        "direction": "up",
        "periods": _TABLE_PERIODS,
        "period_labels": _TABLE_LABELS,
        "unit_label": UNIT_REPORT_LABEL,
        "ratio_of": ("afgehandelde-verdachten", "woninginbraken-misdrijven"),
        "measurements": {},
        "unit_measurements": {},
        "unit_total": None,
        "baseline": None,
        "target": None,
        "target_kind": None,
        "target_base_period": None,
        "target_period": None,
        "notes": "Januari tot en met december",
    },
    {
        "key": "opheldering",
        "team": "woninginbraken",
        "name": "Opheldering",
        "description": "",
        "unit": "procent",
        "source": "Politie",
        "direction": "up",
        "periods": ["2016", "2017"],
        "period_labels": {},
        "unit_label": UNIT_REPORT_LABEL,
        "measurements": {
            "ijsselland": {"2016": 10, "2017": 14},
            "twente": {"2016": 9, "2017": 11},
            "noord-en-oost-gelderland": {"2016": 11, "2017": 11},
            "gelderland-midden": {"2016": 9, "2017": 10},
            "gelderland-zuid": {"2016": 8, "2017": 10},
        },
        # A percentage cannot be summed over districts: the unit figure is raw data too.
        "unit_measurements": {"2016": 10, "2017": 11},
        # Opheldering is not afgehandelde verdachten / misdrijven (125 / 1.306 = 9,6% where
        # the report gives 10% for IJsselland 2016): the cleared cases are not in the report.
        "source_figures": {"*": "Ophelderingspercentage zoals de bron het geeft; het aantal "
                                "opgehelderde misdrijven is niet vastgelegd."},
        "unit_total": None,
        "baseline": None,
        "target": None,
        "target_kind": None,
        "target_base_period": None,
        "target_period": None,
        "notes": "Januari tot en met december",
    },
    {
        "key": "slachtofferkans-aangifte",
        "team": "woninginbraken",
        "name": "Slachtofferkans o.b.v. slachtoffers",
        "description": (
            "De kans op slachtofferschap kan bij nader inzien beter getoetst worden op het "
            "aantal slachtoffers dat aangifte heeft gedaan."
        ),
        "unit": "procent",
        "source": "",  # not named in the report (victims who reported to the police)
        "direction": "down",
        "periods": ["2012", "2013", "2014", "2015", "2016"],
        "period_labels": {},
        "unit_label": "Eenheid Oost-Nederland",
        "measurements": {},
        "unit_measurements": {"2012": 4.0, "2013": 3.9, "2014": 3.5, "2015": 3.2, "2016": 3.1},
        "source_figures": {"*": "Slachtofferkans zoals de bron het geeft; het aantal slachtoffers "
                                "en het aantal huishoudens zijn niet vastgelegd."},
        "unit_total": None,
        "baseline": None,
        "target": None,
        "target_kind": None,
        "target_base_period": None,
        "target_period": None,
        "notes": "",
    },
    {
        "key": "slachtofferkans-veiligheidsmonitor",
        "team": "woninginbraken",
        "name": "Door burgers ingeschatte kans op slachtofferschap",
        "description": (
            "Max. 8% (door burgers ingeschatte) kans op slachtofferschap (9% "
            "uitgangswaarde). Bron: Veiligheidsmonitor"
        ),
        "unit": "procent",
        "source": "Veiligheidsmonitor",
        "direction": "down",
        "periods": [],  # the report gives no measurements
        "period_labels": {},
        "unit_label": "Eenheid Oost-Nederland",
        "measurements": {},
        "unit_measurements": {},
        "unit_total": None,
        "baseline": 9,
        "target": 8,
        "target_kind": "max",
        "target_base_period": None,
        "target_period": None,
        "notes": "",
    },
    {
        "key": "incidenten-verwarde-personen",
        "team": "verwarde-personen",
        "name": "Incidenten met overlast gevende personen met ernstig verward gedrag",
        "description": (
            "Het aantal incidenten met overlast gevende personen met ernstig verward gedrag "
            "stijgt jaarlijks met gemiddeld 13%. Het is niet duidelijk of het aantal verwarde "
            "personen stijgt of dat er per persoon meer registraties zijn."
        ),
        "unit": "aantal",
        "source": "",  # not named in the report
        # Goal: "Terugdringen van overlast door ernstig verwarde personen".
        "direction": "down",
        "periods": [],  # described only; the report gives no counts
        "period_labels": {},
        "unit_label": "Eenheid Oost-Nederland",
        "measurements": {},
        "unit_measurements": {},
        "unit_total": None,
        "baseline": None,
        "target": None,
        "target_kind": None,
        "target_base_period": None,
        "target_period": None,
        "notes": "Stijgt jaarlijks met gemiddeld 13%",
    },
]
