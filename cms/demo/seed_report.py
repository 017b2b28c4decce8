"""The seed report, as structured content.

Source: the municipality's news item “Norisinājās miniforums tiešsaistē “Sociālā uzņēmējdarbība Rēzeknes
novadā”” (published 02.11.2020). Only what the article states is recorded here: it names no question texts,
outcomes, moderators, phone numbers or e-mail addresses, so none are filled in; nor does it name the project
whose activities it mentions, the platform, or whether taking part cost anything.
"""

import datetime

CONTACTS_PAGE_URL = "http://horse.rezeknesnovads.lv/novada-pasvaldiba/kontakti-2/"

ORGANISATIONS = [
    {
        "key": "rnp",
        "name": "Rēzeknes novada pašvaldība",
        "acronym": "",
        "aliases": "Rēzeknes novada dome",
    },
    {
        "key": "lsua",
        "name": "Latvijas Sociālās uzņēmējdarbības asociācija",
        "acronym": "LSUA",
        "aliases": "",
    },
    {
        "key": "ogre",
        "name": "Ogres novada pašvaldība",
        "acronym": "",
        "aliases": "Ogres novada dome",
    },
    {
        "key": "luznava",
        "name": "Lūznavas muiža",
        "acronym": "",
        "aliases": "",
    },
]

# Current job titles are the latest the source states (2020); the role *at the event* is set per block below.
PEOPLE = [
    {"key": "ludborza", "name": "Anita Ludborža", "job_title": "Rēzeknes novada domes deputāte", "org": "rnp"},
    {"key": "ulande", "name": "Madara Ūlande", "job_title": "Direktore", "org": "lsua"},
    {"key": "zeila", "name": "Regita Zeiļa", "job_title": "Projektu vadītāja", "org": "lsua"},
    {
        "key": "barbale",
        "name": "Dana Bārbale",
        "job_title": "Ogres novada domes izpilddirektora vietniece",
        "org": "ogre",
    },
    {
        "key": "balcune",
        "name": "Iveta Balčūne",
        "job_title": "Lūznavas muižas pārvaldniece, sociālās uzņēmējdarbības vēstniece",
        "org": "luznava",
    },
]

CONTACT_CARDS = [
    {"key": "hartmane", "name": "Maija Hartmane"},
    {"key": "vjakse", "name": "Sanita Vjakse"},
]
CONTACT_DEFAULTS = {
    "position": "Komercdarbības speciāliste",
    "unit": "IUK",
    "org": "rnp",
    "web_page": CONTACTS_PAGE_URL,
}

TOPICS = [
    {"key": "social", "name": "Sociālā uzņēmējdarbība", "slug": "sociala-uznemejdarbiba"},
    {"key": "support", "name": "Uzņēmējdarbības atbalsts", "slug": "uznemejdarbibas-atbalsts"},
]

INDEX_PAGE = {
    "title": "Pasākumi",
    "slug": "pasakumi",
    "intro": "Pārskati par novada forumiem, semināriem un publiskajām diskusijām.",
}

OPENING_OVERVIEW = (
    "Sniedza īsu pārskatu par sociālo uzņēmējdarbību un tās aktualitātēm, tehnisku informāciju un pasākuma "
    "norises gaitu."
)

REPORT = {
    "title": "Norisinājās miniforums tiešsaistē “Sociālā uzņēmējdarbība Rēzeknes novadā”",
    "slug": "miniforums-sociala-uznemejdarbiba-rezeknes-novada",
    "lead": (
        "28. oktobra pēcpusdienā norisinājās tiešsaistes miniforums “Sociālā uzņēmējdarbība Rēzeknes novadā”, "
        "kurā piedalījās vairāk nekā 20 dalībnieku."
    ),
    "event_name": "Sociālā uzņēmējdarbība Rēzeknes novadā",
    # “tiešsaistes miniforums”: a forum, in the article's own word a mini-forum.
    "event_kind": "forum",
    "event_kind_text": "miniforums",
    "publication_date": datetime.date(2020, 11, 2),
    "publication_date_precision": "day",
    # The signature under the article; IUK is the municipality's unit (named in the last paragraph).
    "author_name": "Maija Hartmane",
    "author_position": "IUK komercdarbības speciāliste",
    "author_organisation": "rnp",
    # “28. oktobra”: a full day (the year is the publication's); one afternoon session.
    "date_precision": "day",
    "start_date": datetime.date(2020, 10, 28),
    "event_format": "online",
    # Not stated in the article: the platform, a stream address, whether taking part was free (only the
    # consultations are said to be free of charge, see follow_ups). No source_url: first published here.
    "free_of_charge": None,
    "participant_count": 20,
    "participant_count_qualifier": "more_than",
    "sessions": [{"date_precision": "day", "date": datetime.date(2020, 10, 28), "part_of_day": "afternoon"}],
    "audience_groups": [
        "Uzņēmēji no dažādām nozarēm",
        "Pašvaldības darbinieki",
        "NVO pārstāvji",
        "Interesenti, kas vēlas uzzināt vairāk par sociālās uzņēmējdarbības iespējām Rēzeknes novadā",
    ],
    "organisers": [("rnp", "organiser"), ("lsua", "organiser")],
    "topics": ["social", "support"],
    "contacts_intro": (
        "Rēzeknes novada pašvaldība aicina esošos un topošos sociālos uzņēmējus sazināties ar Rēzeknes novada "
        "pašvaldības Izglītības – uzņēmējdarbības (IUK) komercdarbības speciālistēm par dažādiem jautājumiem, "
        "kas saistīti ar sociālo uzņēmējdarbību Rēzeknes novadā."
    ),
    "contacts": ["hartmane", "vjakse"],
    # Stream content: ("type", value), the children a block factory takes (cms.factories.blocks); what is not
    # given takes the factory's value. Snippet references are keys resolved by the loader.
    "body": [
        (
            "paragraph",
            "<p>28. oktobra pēcpusdienā norisinājās tiešsaistes miniforums “Sociālā uzņēmējdarbība Rēzeknes "
            "novadā”, kurā piedalījās vairāk nekā 20 dalībnieku – tai skaitā uzņēmēji no dažādām nozarēm, "
            "pašvaldības darbinieki, NVO pārstāvji un interesenti, kas vēlas uzzināt vairāk par sociālās "
            "uzņēmējdarbības iespējām Rēzeknes novadā.</p>",
        ),
        ("heading", {"text": "Pasākuma atklāšana", "level": "h2"}),
        (
            "speaker",
            {
                "person": "ludborza",
                "parts": ("opening",),
                "role": "Rēzeknes novada domes deputāte",
                "organisation": "rnp",
                "contribution": "Novēlēja dalībniekiem jēgpilnu un veiksmīgu dalību pasākumā.",
            },
        ),
        (
            "speaker",
            {
                "person": "ulande",
                "parts": ("opening",),
                "role": "LSUA direktore",
                "organisation": "lsua",
                "contribution": OPENING_OVERVIEW,
            },
        ),
        (
            "speaker",
            {
                "person": "zeila",
                "parts": ("opening",),
                "role": "LSUA projektu vadītāja",
                "organisation": "lsua",
                "contribution": OPENING_OVERVIEW,
            },
        ),
        ("heading", {"text": "Pieredze un situācija novadā", "level": "h2"}),
        (
            "talk",
            {
                "kind": "talk",
                "speakers": [
                    {
                        "person": "barbale",
                        "parts": ("speaker",),
                        "role": "Ogres novada domes izpilddirektora vietniece",
                        "organisation": "ogre",
                        "contribution": "",
                    }
                ],
                "title": "Ogres novada pašvaldības pieredze sadarbībā ar sociālajiem uzņēmumiem",
                "summary": (
                    "<p>Dana Bārbale stāstīja par Ogres novada pašvaldības pieredzi sadarbībā ar sociālajiem "
                    "uzņēmumiem – par to, kāds bija pats sākums pašvaldības ceļā uz atbalsta sniegšanu "
                    "sociālajiem uzņēmējiem, kāpēc tas vispār tika uzsākts. Dana arī minēja dažādus likumus, "
                    "jeb pašvaldības lomu sociālās uzņēmējdarbības darbībā, tai skaitā to, ka pašvaldībai ir "
                    "aizliegts nodot publiskas personas mantu bezatlīdzības lietošanā, izņemot, ja mantu nodod "
                    "bezatlīdzības lietošanā sociālajam uzņēmumam. Dana arī rosināja diskusiju par to, vai tas "
                    "ir pietiekami, un kādas vēl varētu būt pašvaldības atbalsta formas sociālajiem uzņēmējiem "
                    "sadarbībā ar LSUA.</p>"
                    "<p>Dana informēja par Ogres pašvaldības līdzšinējo veikumu šai jomā, atspoguļojot "
                    "pašvaldības atbalsta piedāvājumu sociālajiem uzņēmējiem, un novēlēja Rēzeknes novada "
                    "pašvaldībai attīstīt savas idejas un ieceres saistībā ar atbalstu sociālajiem "
                    "uzņēmējiem.</p>"
                ),
            },
        ),
        (
            "talk",
            {
                "kind": "presentation",
                "speakers": [
                    {
                        "person": "balcune",
                        "parts": ("speaker",),
                        "role": "Rēzeknes novada Lūznavas muižas pārvaldniece, sociālās uzņēmējdarbības vēstniece",
                        "organisation": "luznava",
                        "contribution": "",
                    }
                ],
                "title": "",
                "summary": (
                    "<p>Prezentācija par jau esošo pašvaldības sadarbību ar sociālajiem uzņēmumiem, "
                    "pašvaldības vajadzībām sociālo problēmu risināšanā un atbalsta piedāvājumu sociālajiem "
                    "uzņēmējiem, šī brīža sociālās uzņēmējdarbības situāciju Rēzeknes novadā pēc kartēšanas "
                    "rezultātiem, kā arī par esošo un potenciālo sociālo uzņēmumu piedāvājumu un "
                    "vajadzībām.</p>"
                ),
            },
        ),
        (
            "discussion",
            {
                "title": "Diskusijas grupās",
                "method": "breakout_groups",
                "group_count": 4,
                "question_count": 3,
                "description": (
                    "<p>Pēc Ivetas uzrunas visi dalībnieki tika sadalīti četrās grupās, kurās kopīgi ar "
                    "moderatoriem visiem interesentiem bija iespēja aktīvi piedalīties diskusijās par trim "
                    "dažādiem aktuāliem jautājumiem saistībā ar sociālo uzņēmējdarbību Rēzeknes novadā. "
                    "Savukārt kopējā diskusijā katra grupa prezentēja savas atziņas par katru jautājumu, pēc "
                    "tam tika veikts diskusiju kopsavilkums un izdarīti secinājumi.</p>"
                ),
            },
        ),
        (
            "speaker",
            {
                "person": "zeila",
                "parts": ("closing",),
                "role": "LSUA projektu vadītāja",
                "organisation": "lsua",
                "contribution": (
                    "Informēja dalībniekus par turpmākajām projekta aktivitātēm – vebināriem un bezmaksas "
                    "konsultācijām rudenī."
                ),
            },
        ),
        (
            "paragraph",
            "<p>Kopumā, šis pasākums deva iespēju visiem interesentiem uzzināt vairāk par sociālās "
            "uzņēmējdarbības iespējām Rēzeknes novadā, kā arī pašvaldībai gūt priekšstatu par nākamajiem soļiem, "
            "kas ir jāveic, lai veiksmīgi atbalstītu jaunos sociālos uzņēmējus novadā.</p>",
        ),
    ],
    # The article gives no registration link. Stored as null, not the admin's empty "": the demo was first
    # written without the key, and the reviewed API snapshots show null.
    "follow_ups": [
        {
            "kind": "webinar",
            "title": "Projekta vebināri",
            "description": "Turpmākās LSUA projekta aktivitātes.",
            "period": "2020. gada rudenī",
            "free_of_charge": False,
            "registration_url": None,
        },
        {
            "kind": "consultation",
            "title": "Bezmaksas konsultācijas",
            "description": "Turpmākās LSUA projekta aktivitātes.",
            "period": "2020. gada rudenī",
            "free_of_charge": True,
            "registration_url": None,
        },
    ],
}
