"""English translation of the seed report, keyed by the Latvian source text of each translatable segment.

Loaded through wagtail-localize itself (as translators' work would be), so the demo shows the translation
workflow's result rather than a hand-made copy. A faithful translation: nothing is added to the article.
"""

from .seed_report import OPENING_OVERVIEW

STRINGS = {
    # Index page
    "Pasākumi": "Events",
    "pasakumi": "events",
    "Pārskati par novada forumiem, semināriem un publiskajām diskusijām.": (
        "Reports on the municipality's forums, seminars and public discussions."
    ),
    # Report page
    "Norisinājās miniforums tiešsaistē “Sociālā uzņēmējdarbība Rēzeknes novadā”": (
        "Online mini-forum “Social Entrepreneurship in Rēzekne Municipality” held"
    ),
    "miniforums-sociala-uznemejdarbiba-rezeknes-novada": "mini-forum-social-entrepreneurship-rezekne-municipality",
    "28. oktobra pēcpusdienā norisinājās tiešsaistes miniforums “Sociālā uzņēmējdarbība Rēzeknes novadā”, "
    "kurā piedalījās vairāk nekā 20 dalībnieku.": (
        "On the afternoon of 28 October the online mini-forum “Social Entrepreneurship in Rēzekne Municipality” "
        "took place, with more than 20 participants."
    ),
    "Sociālā uzņēmējdarbība Rēzeknes novadā": "Social Entrepreneurship in Rēzekne Municipality",
    "miniforums": "mini-forum",
    "IUK komercdarbības speciāliste": "Business Specialist, IUK",
    "28. oktobra pēcpusdienā norisinājās tiešsaistes miniforums “Sociālā uzņēmējdarbība Rēzeknes novadā”, "
    "kurā piedalījās vairāk nekā 20 dalībnieku – tai skaitā uzņēmēji no dažādām nozarēm, pašvaldības "
    "darbinieki, NVO pārstāvji un interesenti, kas vēlas uzzināt vairāk par sociālās uzņēmējdarbības iespējām "
    "Rēzeknes novadā.": (
        "On the afternoon of 28 October the online mini-forum “Social Entrepreneurship in Rēzekne Municipality” "
        "took place, with more than 20 participants – among them entrepreneurs from various sectors, municipal "
        "staff, NGO representatives and others who want to learn more about the opportunities for social "
        "entrepreneurship in Rēzekne Municipality."
    ),
    "Pasākuma atklāšana": "Opening of the event",
    "Rēzeknes novada domes deputāte": "Member of Rēzekne Municipality Council",
    "Novēlēja dalībniekiem jēgpilnu un veiksmīgu dalību pasākumā.": (
        "Wished the participants a meaningful and successful event."
    ),
    "LSUA direktore": "Director of LSUA",
    OPENING_OVERVIEW: (
        "Gave a short overview of social entrepreneurship and its current issues, technical information and the "
        "course of the event."
    ),
    "LSUA projektu vadītāja": "Project Manager at LSUA",
    "Pieredze un situācija novadā": "Experience and the situation in the municipality",
    "Ogres novada domes izpilddirektora vietniece": "Deputy Executive Director of Ogre Municipality Council",
    "Ogres novada pašvaldības pieredze sadarbībā ar sociālajiem uzņēmumiem": (
        "Ogre Municipality's experience of working with social enterprises"
    ),
    "Dana Bārbale stāstīja par Ogres novada pašvaldības pieredzi sadarbībā ar sociālajiem uzņēmumiem – par to, "
    "kāds bija pats sākums pašvaldības ceļā uz atbalsta sniegšanu sociālajiem uzņēmējiem, kāpēc tas vispār tika "
    "uzsākts. Dana arī minēja dažādus likumus, jeb pašvaldības lomu sociālās uzņēmējdarbības darbībā, tai skaitā "
    "to, ka pašvaldībai ir aizliegts nodot publiskas personas mantu bezatlīdzības lietošanā, izņemot, ja mantu "
    "nodod bezatlīdzības lietošanā sociālajam uzņēmumam. Dana arī rosināja diskusiju par to, vai tas ir "
    "pietiekami, un kādas vēl varētu būt pašvaldības atbalsta formas sociālajiem uzņēmējiem sadarbībā ar LSUA.": (
        "Dana Bārbale spoke about Ogre Municipality's experience of working with social enterprises – how the "
        "municipality first set out to support social entrepreneurs, and why it started at all. Dana also "
        "mentioned various laws, or the municipality's role in social entrepreneurship, including that a "
        "municipality may not hand over public property for use free of charge, except to a social enterprise. "
        "Dana also opened a discussion on whether this is enough, and what other forms of municipal support for "
        "social entrepreneurs there could be in cooperation with LSUA."
    ),
    "Dana informēja par Ogres pašvaldības līdzšinējo veikumu šai jomā, atspoguļojot pašvaldības atbalsta "
    "piedāvājumu sociālajiem uzņēmējiem, un novēlēja Rēzeknes novada pašvaldībai attīstīt savas idejas un "
    "ieceres saistībā ar atbalstu sociālajiem uzņēmējiem.": (
        "Dana described what Ogre Municipality has done in this field so far, outlining the municipality's support "
        "for social entrepreneurs, and wished Rēzekne Municipality success in developing its own ideas and plans "
        "for supporting social entrepreneurs."
    ),
    "Rēzeknes novada Lūznavas muižas pārvaldniece, sociālās uzņēmējdarbības vēstniece": (
        "Manager of Lūznava Manor, Rēzekne Municipality; social entrepreneurship ambassador"
    ),
    "Prezentācija par jau esošo pašvaldības sadarbību ar sociālajiem uzņēmumiem, pašvaldības vajadzībām sociālo "
    "problēmu risināšanā un atbalsta piedāvājumu sociālajiem uzņēmējiem, šī brīža sociālās uzņēmējdarbības "
    "situāciju Rēzeknes novadā pēc kartēšanas rezultātiem, kā arī par esošo un potenciālo sociālo uzņēmumu "
    "piedāvājumu un vajadzībām.": (
        "A presentation on the municipality's existing cooperation with social enterprises, the municipality's "
        "needs in solving social problems and its support for social entrepreneurs, the current state of social "
        "entrepreneurship in Rēzekne Municipality according to the mapping results, and the offer and needs of "
        "existing and potential social enterprises."
    ),
    "Diskusijas grupās": "Group discussions",
    "Pēc Ivetas uzrunas visi dalībnieki tika sadalīti četrās grupās, kurās kopīgi ar moderatoriem visiem "
    "interesentiem bija iespēja aktīvi piedalīties diskusijās par trim dažādiem aktuāliem jautājumiem saistībā "
    "ar sociālo uzņēmējdarbību Rēzeknes novadā. Savukārt kopējā diskusijā katra grupa prezentēja savas atziņas "
    "par katru jautājumu, pēc tam tika veikts diskusiju kopsavilkums un izdarīti secinājumi.": (
        "After Iveta's talk all participants were divided into four groups where, together with moderators, "
        "everyone could take an active part in discussing three current questions about social entrepreneurship "
        "in Rēzekne Municipality. In the joint discussion each group then presented its findings on each "
        "question, after which the discussions were summarised and conclusions drawn."
    ),
    "Informēja dalībniekus par turpmākajām projekta aktivitātēm – vebināriem un bezmaksas konsultācijām rudenī.": (
        "Informed the participants about the project's next activities – webinars and free consultations in the autumn."
    ),
    "Kopumā, šis pasākums deva iespēju visiem interesentiem uzzināt vairāk par sociālās uzņēmējdarbības iespējām "
    "Rēzeknes novadā, kā arī pašvaldībai gūt priekšstatu par nākamajiem soļiem, kas ir jāveic, lai veiksmīgi "
    "atbalstītu jaunos sociālos uzņēmējus novadā.": (
        "Overall, the event gave everyone interested a chance to learn more about the opportunities for social "
        "entrepreneurship in Rēzekne Municipality, and gave the municipality an idea of the next steps needed to "
        "support new social entrepreneurs in the municipality successfully."
    ),
    "Rēzeknes novada pašvaldība aicina esošos un topošos sociālos uzņēmējus sazināties ar Rēzeknes novada "
    "pašvaldības Izglītības – uzņēmējdarbības (IUK) komercdarbības speciālistēm par dažādiem jautājumiem, kas "
    "saistīti ar sociālo uzņēmējdarbību Rēzeknes novadā.": (
        "Rēzekne Municipality invites existing and aspiring social entrepreneurs to contact the business "
        "specialists of the municipality's Education – Entrepreneurship unit (IUK) with any questions about "
        "social entrepreneurship in Rēzekne Municipality."
    ),
    "Projekta vebināri": "Project webinars",
    "Turpmākās LSUA projekta aktivitātes.": "Upcoming activities of the LSUA project.",
    "2020. gada rudenī": "Autumn 2020",
    "Bezmaksas konsultācijas": "Free consultations",
    "Uzņēmēji no dažādām nozarēm": "Entrepreneurs from various sectors",
    "Pašvaldības darbinieki": "Municipal staff",
    "NVO pārstāvji": "NGO representatives",
    "Interesenti, kas vēlas uzzināt vairāk par sociālās uzņēmējdarbības iespējām Rēzeknes novadā": (
        "Others who want to learn more about the opportunities for social entrepreneurship in Rēzekne Municipality"
    ),
    # People, organisations, contacts, topics
    "Direktore": "Director",
    "Projektu vadītāja": "Project Manager",
    "Lūznavas muižas pārvaldniece, sociālās uzņēmējdarbības vēstniece": (
        "Manager of Lūznava Manor, social entrepreneurship ambassador"
    ),
    "Rēzeknes novada pašvaldība": "Rēzekne Municipality",
    "Rēzeknes novada dome": "Rēzekne Municipality Council",
    "Latvijas Sociālās uzņēmējdarbības asociācija": "Social Entrepreneurship Association of Latvia",
    "Ogres novada pašvaldība": "Ogre Municipality",
    "Ogres novada dome": "Ogre Municipality Council",
    "Lūznavas muiža": "Lūznava Manor",
    "Komercdarbības speciāliste": "Business Specialist",
    "IUK": "IUK",
    "Sociālā uzņēmējdarbība": "Social entrepreneurship",
    "Uzņēmējdarbības atbalsts": "Business support",
}
