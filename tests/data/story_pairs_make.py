"""Writes tests/data/story_pairs.json: labelled pairs of entries, same story or different.

Run from the repository root: ``python tests/data/story_pairs_make.py``. The texts are written
here by hand (#15 item 5): ten templated reports (five English, five French) with four fillings
each that differ in a number, a place or a name, and six stories told in both languages. The
pairs are made from them: copies of one report by another source with small edits, with a
dateline, re-headlined; republications under the same link; translations (the same story,
which grouping is not expected to find); and distinct stories: other fillings of a template,
of one source or another (edited), items of one source sharing a feed's URL as their link,
items sharing a home page link. ``label`` is the truth ("same" or "different"), ``kind`` says
how the pair was made. Deterministic: the same file every run.
"""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

TEMPLATES = [
    {
        "lang": "en",
        "title": "Attack in {place} kills {n} soldiers",
        "retitle": "{n} troops dead after assault on {place} army post",
        "text": "An attack on a military post in {place} on {day} killed {n} soldiers and "
        "wounded {m} others, the army said in a statement. Reinforcements were sent to the "
        "area, which was being searched on {day} evening, the statement added. No group has "
        "claimed the attack so far.",
        "fill": [
            {"place": "Ménaka", "n": "12", "m": "4", "day": "Sunday"},
            {"place": "Gao", "n": "7", "m": "3", "day": "Sunday"},
            {"place": "Gao", "n": "9", "m": "3", "day": "Monday"},
            {"place": "Tillabéri", "n": "12", "m": "5", "day": "Tuesday"},
        ],
    },
    {
        "lang": "en",
        "title": "Rice prices in {place}: {n} CFA francs a kilo",
        "retitle": "Imported rice costs {n} CFA francs in {place} markets",
        "text": "The price of a kilo of imported rice in the markets of {place} stood at {n} "
        "CFA francs this week, against {m} CFA francs a week earlier, according to the market "
        "information service. Millet sold at {k} CFA francs a kilo. Traders blame higher "
        "transport costs on the roads to the capital.",
        "fill": [
            {"place": "Bamako", "n": "450", "m": "440", "k": "300"},
            {"place": "Bamako", "n": "475", "m": "450", "k": "310"},
            {"place": "Ségou", "n": "450", "m": "440", "k": "290"},
            {"place": "Mopti", "n": "500", "m": "480", "k": "300"},
        ],
    },
    {
        "lang": "en",
        "title": "{name} appointed governor of {place}",
        "retitle": "Former colonel {name} to run the {place} region",
        "text": "The transitional government on {day} appointed {name}, a former army colonel, "
        "as governor of the {place} region, replacing an official who had held the post since "
        "2021. {name} takes office next week, the ministry of territorial administration said "
        "in a statement read on national television.",
        "fill": [
            {"name": "Abdoulaye Maïga", "place": "Kidal", "day": "Thursday"},
            {"name": "Moussa Traoré", "place": "Kidal", "day": "Thursday"},
            {"name": "Abdoulaye Maïga", "place": "Tombouctou", "day": "Thursday"},
            {"name": "Fatoumata Keïta", "place": "Ségou", "day": "Friday"},
        ],
    },
    {
        "lang": "en",
        "title": "Sahel weather bulletin for {day} {n} March",
        "retitle": "Dust haze and {m} degrees expected in {place} on {day}",
        "text": "Temperatures will reach {m} degrees in {place} on {day}, with dust haze "
        "reducing visibility to {k} kilometres in the morning. Winds from the north-east will "
        "blow at 20 to 30 kilometres an hour. No rain is expected over the region before the "
        "end of the week, the national weather service said.",
        "fill": [
            {"day": "Monday", "n": "3", "m": "41", "place": "Niamey", "k": "5"},
            {"day": "Tuesday", "n": "4", "m": "42", "place": "Niamey", "k": "5"},
            {"day": "Monday", "n": "3", "m": "41", "place": "Agadez", "k": "3"},
            {"day": "Wednesday", "n": "5", "m": "39", "place": "Niamey", "k": "8"},
        ],
    },
    {
        "lang": "en",
        "title": "{team} beat {other} {n}-{m} in Bamako",
        "retitle": "Football: {team} win {n}-{m} against {other}",
        "text": "{team} beat {other} {n}-{m} on Saturday at the March 26 stadium in Bamako, in "
        "the third round of the national championship. The winning goal came in the second "
        "half after a long spell of pressure. {team} now lead the table by two points ahead of "
        "the next round, while {other} drop to fifth place.",
        "fill": [
            {"team": "Stade Malien", "other": "Djoliba", "n": "2", "m": "1"},
            {"team": "Djoliba", "other": "Stade Malien", "n": "2", "m": "1"},
            {"team": "Real Bamako", "other": "Djoliba", "n": "2", "m": "1"},
            {"team": "Stade Malien", "other": "Onze Créateurs", "n": "3", "m": "0"},
        ],
    },
    {
        "lang": "fr",
        "title": "Attaque à {place} : {n} soldats tués",
        "retitle": "{n} militaires tués dans l’attaque d’un poste à {place}",
        "text": "Une attaque contre un poste militaire à {place} a fait {n} morts et {m} "
        "blessés parmi les soldats {day}, a indiqué l’armée dans un communiqué. Des renforts "
        "ont été dépêchés dans la zone, où des opérations de ratissage sont en cours. "
        "L’attaque n’a pas encore été revendiquée.",
        "fill": [
            {"place": "Ménaka", "n": "12", "m": "4", "day": "dimanche"},
            {"place": "Gao", "n": "7", "m": "3", "day": "dimanche"},
            {"place": "Gao", "n": "9", "m": "3", "day": "lundi"},
            {"place": "Djibo", "n": "12", "m": "5", "day": "mardi"},
        ],
    },
    {
        "lang": "fr",
        "title": "Marché de {place} : le mil à {n} FCFA le kilo",
        "retitle": "Le kilo de mil s’échange à {n} francs CFA à {place}",
        "text": "Sur le marché de {place}, le kilo de mil s’échangeait cette semaine à {n} "
        "francs CFA, contre {m} francs CFA la semaine précédente, selon le système "
        "d’information sur les marchés agricoles. Le sorgho se vendait à {k} francs CFA. Les "
        "commerçants évoquent la hausse du coût du transport.",
        "fill": [
            {"place": "Dosso", "n": "325", "m": "310", "k": "290"},
            {"place": "Dosso", "n": "340", "m": "325", "k": "295"},
            {"place": "Maradi", "n": "325", "m": "310", "k": "280"},
            {"place": "Zinder", "n": "350", "m": "330", "k": "290"},
        ],
    },
    {
        "lang": "fr",
        "title": "Bulletin hydrologique du {n} septembre",
        "retitle": "Le fleuve Niger à {m} centimètres à {place}",
        "text": "Le niveau du fleuve Niger à {place} était de {m} centimètres le {n} septembre, "
        "en hausse de {k} centimètres sur vingt-quatre heures, selon l’Autorité du bassin du "
        "Niger. La décrue n’est pas attendue avant la fin du mois. Les riverains sont invités "
        "à la prudence et à suivre les consignes des autorités.",
        "fill": [
            {"place": "Niamey", "n": "12", "m": "615", "k": "4"},
            {"place": "Niamey", "n": "13", "m": "619", "k": "4"},
            {"place": "Koulikoro", "n": "12", "m": "615", "k": "6"},
            {"place": "Niamey", "n": "14", "m": "622", "k": "3"},
        ],
    },
    {
        "lang": "fr",
        "title": "{name} nommé ministre de {portfolio}",
        "retitle": "Remaniement : {name} hérite du portefeuille de {portfolio}",
        "text": "Par décret lu à la télévision nationale {day} soir, {name} a été nommé "
        "ministre de {portfolio} du gouvernement de transition. Il remplace à ce poste un "
        "ministre limogé la semaine dernière. La passation de service est prévue dans les "
        "prochains jours, selon un communiqué de la présidence.",
        "fill": [
            {"name": "Ibrahim Ouédraogo", "portfolio": "la Défense", "day": "jeudi"},
            {"name": "Ibrahim Ouédraogo", "portfolio": "l’Énergie", "day": "jeudi"},
            {"name": "Adama Sawadogo", "portfolio": "la Défense", "day": "jeudi"},
            {"name": "Issa Kaboré", "portfolio": "la Santé", "day": "vendredi"},
        ],
    },
    {
        "lang": "fr",
        "title": "Baccalauréat : {n} % d’admis à {place}",
        "retitle": "Bac {place} : un taux de réussite de {n} %",
        "text": "Le taux de réussite au baccalauréat s’établit à {n} % dans la région de "
        "{place} cette année, contre {m} % l’an dernier, selon les résultats publiés {day} par "
        "l’Office du bac. Les autorités saluent une session sans incident majeur. Les "
        "candidats ajournés pourront se présenter à la session de remplacement.",
        "fill": [
            {"place": "Thiès", "n": "48,5", "m": "45,2", "day": "mercredi"},
            {"place": "Thiès", "n": "51,3", "m": "45,2", "day": "mercredi"},
            {"place": "Kaolack", "n": "48,5", "m": "45,2", "day": "mercredi"},
            {"place": "Ziguinchor", "n": "55", "m": "50,1", "day": "jeudi"},
        ],
    },
]

#: Six stories, each in English and in French (the same story: a translation).
STORIES = [
    {
        "city": "NIAMEY",
        "en": (
            "Niger orders French ambassador to leave within 48 hours",
            "Niamey gives Paris envoy two days to go",
            "Niger's military rulers said on Friday they had ordered the French ambassador to "
            "leave the country within 48 hours, accusing him of ignoring an invitation to a "
            "meeting at the foreign ministry. France said it did not recognise the authority "
            "of the junta and that its ambassador would stay. The standoff has grown since the "
            "coup in July.",
        ),
        "fr": (
            "Le Niger donne 48 heures à l’ambassadeur de France pour quitter le pays",
            "Niamey expulse l’ambassadeur de France",
            "Les militaires au pouvoir au Niger ont annoncé vendredi avoir donné 48 heures à "
            "l’ambassadeur de France pour quitter le pays, lui reprochant d’avoir ignoré une "
            "invitation au ministère des Affaires étrangères. Paris a répondu ne pas "
            "reconnaître l’autorité de la junte et maintenir son ambassadeur. La crise "
            "s’aggrave depuis le coup d’État de juillet.",
        ),
    },
    {
        "city": "NIAMEY",
        "en": (
            "Floods in Niamey force thousands from their homes",
            "Heavy rain submerges districts of the Nigerien capital",
            "Days of heavy rain have flooded several districts of Niamey along the Niger river, "
            "forcing thousands of families to shelter in schools and mosques, the civil "
            "protection agency said. Dozens of mud-brick houses collapsed overnight. The "
            "government has opened relief sites and asked residents of low-lying areas to "
            "move to higher ground.",
        ),
        "fr": (
            "Inondations à Niamey : des milliers de sinistrés",
            "Les pluies diluviennes submergent des quartiers de la capitale nigérienne",
            "Plusieurs jours de pluies diluviennes ont inondé des quartiers de Niamey le long "
            "du fleuve Niger, contraignant des milliers de familles à se réfugier dans des "
            "écoles et des mosquées, selon la protection civile. Des dizaines de maisons en "
            "banco se sont effondrées dans la nuit. Le gouvernement a ouvert des sites "
            "d’accueil.",
        ),
    },
    {
        "city": "ABUJA",
        "en": (
            "ECOWAS leaders lift sanctions on Niger at Abuja summit",
            "West African bloc eases pressure on Niamey",
            "West African leaders meeting in Abuja on Saturday lifted most of the economic "
            "sanctions imposed on Niger after the coup, including the closure of borders and "
            "the freeze of financial transactions, the bloc's commission said. Individual "
            "sanctions on members of the junta remain. The decision was presented as a "
            "humanitarian gesture.",
        ),
        "fr": (
            "La Cédéao lève les sanctions contre le Niger au sommet d’Abuja",
            "L’organisation ouest-africaine allège la pression sur Niamey",
            "Réunis samedi à Abuja, les dirigeants ouest-africains ont levé l’essentiel des "
            "sanctions économiques imposées au Niger après le coup d’État, dont la fermeture "
            "des frontières et le gel des transactions financières, a indiqué la commission de "
            "l’organisation. Les sanctions individuelles visant la junte sont maintenues.",
        ),
    },
    {
        "city": "OUAGADOUGOU",
        "en": (
            "Cholera outbreak spreads in eastern Burkina Faso",
            "Health ministry reports new cholera cases near Fada N'Gourma",
            "A cholera outbreak first detected last month in eastern Burkina Faso has spread "
            "to three more districts around Fada N'Gourma, the health ministry said on "
            "Wednesday, urging people to boil drinking water. Aid groups say displacement "
            "camps with little sanitation are most at risk. A vaccination campaign is due to "
            "start next week.",
        ),
        "fr": (
            "L’épidémie de choléra s’étend dans l’est du Burkina Faso",
            "Nouveaux cas de choléra autour de Fada N’Gourma",
            "Détectée le mois dernier dans l’est du Burkina Faso, l’épidémie de choléra "
            "s’est étendue à trois nouveaux districts autour de Fada N’Gourma, a annoncé "
            "mercredi le ministère de la Santé, qui appelle à faire bouillir l’eau de boisson. "
            "Les camps de déplacés sont les plus exposés. Une campagne de vaccination doit "
            "débuter la semaine prochaine.",
        ),
    },
    {
        "city": "N'DJAMENA",
        "en": (
            "Chad sets presidential election for May",
            "N'Djamena announces date of vote ending transition",
            "Chad's electoral agency said on Tuesday that the presidential election meant to "
            "end the military transition will be held in May, with a possible run-off in June. "
            "Candidates have until the end of March to file their papers with the "
            "constitutional council. Opposition parties say the timetable leaves them too "
            "little time to campaign.",
        ),
        "fr": (
            "Le Tchad fixe l’élection présidentielle au mois de mai",
            "N’Djamena annonce la date du scrutin qui doit clore la transition",
            "L’agence électorale tchadienne a annoncé mardi que l’élection présidentielle "
            "censée mettre fin à la transition militaire se tiendra en mai, avec un éventuel "
            "second tour en juin. Les candidats ont jusqu’à fin mars pour déposer leur dossier "
            "au Conseil constitutionnel. L’opposition juge le calendrier trop serré.",
        ),
    },
    {
        "city": "BAMAKO",
        "en": (
            "Collapse at artisanal gold mine in Mali kills dozens",
            "Dozens dead as tunnels cave in at Malian gold site",
            "Dozens of people were killed when tunnels collapsed at an artisanal gold mine in "
            "the south-west of Mali, the mines ministry said, as rescuers searched for "
            "survivors under the rubble. Unregulated mining has boomed in the region, "
            "drawing workers from across West Africa. The ministry said it would close "
            "unsafe sites during the rainy season.",
        ),
        "fr": (
            "Des dizaines de morts dans l’effondrement d’une mine d’or au Mali",
            "Éboulement meurtrier sur un site d’orpaillage malien",
            "Des dizaines de personnes ont été tuées dans l’effondrement de galeries d’une mine "
            "d’or artisanale dans le sud-ouest du Mali, a indiqué le ministère des Mines, "
            "alors que les secours cherchaient des survivants sous les décombres. "
            "L’orpaillage non réglementé attire des travailleurs de toute l’Afrique de "
            "l’Ouest.",
        ),
    },
]

#: Pairs written one by one: (kind, label, lang, (title, text), (title, text)), a by "wire",
#: b by "desk".
HANDWRITTEN = [
    ("a number in place of words", "different", "en",
     ("No incident reported in Gao overnight, police say",
      "Police in Gao said on Monday that no incident had been reported in the city overnight, "
      "after a week of tension between rival groups. Patrols will continue in the markets and "
      "around the bus station until the end of the month, the regional police chief said."),
     ("Three incidents reported in Gao overnight, police say",
      "Police in Gao said on Monday that 3 incidents had been reported in the city overnight, "
      "after a week of tension between rival groups. Patrols will continue in the markets and "
      "around the bus station until the end of the month, the regional police chief said.")),
    ("another person, same place", "different", "en",
     ("Mayor of Gao shot dead",
      "Gunmen shot dead the mayor of Gao, Ali Touré, outside his home on Tuesday evening, a "
      "local official said. The attackers fled on motorbikes. Mr Touré had received threats "
      "after speaking out against the kidnapping of traders on the road to Ansongo."),
     ("Mayor of Gao shot dead",
      "Gunmen shot dead the mayor of Gao, Ibrahim Cissé, outside his home on Tuesday evening, a "
      "local official said. The attackers fled on motorbikes. Mr Cissé had received threats "
      "after speaking out against the kidnapping of traders on the road to Ansongo.")),
    ("another day, same bulletin", "different", "fr",
     ("Coupures d’électricité à Bamako",
      "La société d’énergie annonce des coupures d’électricité mardi de 8 heures à 14 heures "
      "dans les quartiers de Badalabougou et de Torokorobougou, pour des travaux sur le réseau. "
      "Les clients sont invités à prendre leurs dispositions."),
     ("Coupures d’électricité à Bamako",
      "La société d’énergie annonce des coupures d’électricité jeudi de 8 heures à 14 heures "
      "dans les quartiers de Badalabougou et de Torokorobougou, pour des travaux sur le réseau. "
      "Les clients sont invités à prendre leurs dispositions.")),
    ("another district, same bulletin", "different", "fr",
     ("Coupures d’électricité à Bamako",
      "La société d’énergie annonce des coupures d’électricité mardi de 8 heures à 14 heures "
      "dans les quartiers de Badalabougou et de Torokorobougou, pour des travaux sur le réseau. "
      "Les clients sont invités à prendre leurs dispositions."),
     ("Coupures d’électricité à Bamako",
      "La société d’énergie annonce des coupures d’électricité mardi de 8 heures à 14 heures "
      "dans les quartiers de Hamdallaye et de Lafiabougou, pour des travaux sur le réseau. "
      "Les clients sont invités à prendre leurs dispositions.")),
    ("paraphrase, same language", "same", "en",
     ("Niger orders French ambassador to leave within 48 hours",
      "Niger's military rulers said on Friday they had ordered the French ambassador to leave "
      "the country within 48 hours, accusing him of ignoring an invitation to a meeting at the "
      "foreign ministry."),
     ("Junta gives French envoy 48 hours to quit Niger",
      "The French ambassador has been told to leave Niger within 48 hours, the country's "
      "military government announced on Friday, saying he had failed to attend a meeting he "
      "was invited to at the foreign ministry.")),
    ("paraphrase, same language", "same", "fr",
     ("Inondations à Niamey : des milliers de sinistrés",
      "Plusieurs jours de pluies diluviennes ont inondé des quartiers de Niamey le long du "
      "fleuve Niger, contraignant des milliers de familles à se réfugier dans des écoles et des "
      "mosquées, selon la protection civile."),
     ("Niamey sous les eaux après des pluies diluviennes",
      "Des milliers de familles ont dû trouver refuge dans des écoles et des mosquées de Niamey, "
      "dont plusieurs quartiers riverains du fleuve Niger ont été inondés par des jours de "
      "fortes pluies, indique la protection civile.")),
]  # fmt: skip

#: The small edits another source makes to a copy (applied where they occur, three at most).
EDITS = {
    "en": [
        (" said", " says"),
        ("the army", "the military"),
        (" area", " zone"),
        ("according to", "citing"),
        ("statement", "communique"),
        ("on Saturday", "on Saturday,"),
        ("thousands", "thousands"),
        ("meant to", "intended to"),
        ("said on", "announced on"),
    ],
    "fr": [
        ("a indiqué", "a précisé"),
        ("dans un communiqué", "par communiqué"),
        ("selon", "d’après"),
        ("cette semaine", "ces derniers jours"),
        ("sont en cours", "se poursuivent"),
        ("a annoncé", "a fait savoir"),
        ("ont annoncé", "ont fait savoir"),
    ],
}
SITE = "https://{source}.example/{path}"


def edit(text: str, lang: str) -> str:
    done = 0
    for old, new in EDITS[lang]:
        if old in text and done < 3:
            text, done = text.replace(old, new, 1), done + 1
    return text


def dateline(text: str, city: str, lang: str) -> str:
    return f"{city} (Reuters) - {text}" if lang == "en" else f"{city} (AFP) - {text}"


def item(source: str, title: str, text: str, link: str | None = None) -> dict[str, str | None]:
    return {"source": source, "title": title, "text": text, "link": link}


def pair(kind: str, label: str, lang: str, a: dict, b: dict) -> dict:
    return {"kind": kind, "label": label, "lang": lang, "a": a, "b": b}


def template_pairs() -> list[dict]:
    pairs = []
    for t in TEMPLATES:
        lang = t["lang"]
        filled = [(t["title"].format(**f), t["text"].format(**f), f) for f in t["fill"]]
        for title, text, f in filled:
            a = item("wire", title, text)
            city = f.get("place", "BAMAKO").upper()
            pairs.append(pair("copy, small edits", "same", lang, a,
                              item("desk", title, edit(text, lang))))  # fmt: skip
            pairs.append(pair("copy with a dateline", "same", lang, a,
                              item("radio", title, dateline(edit(text, lang), city, lang))))  # fmt: skip
        for title, text, f in filled[:2]:
            b = item("desk", t["retitle"].format(**f), text)
            pairs.append(pair("re-headlined copy", "same", lang, item("wire", title, text), b))
        pairs += one_detail_pairs(t)
        for (ta, xa, _), (tb, xb, _) in combinations(filled, 2):
            a = item("wire", ta, xa)
            pairs.append(pair("templated, one source", "different", lang, a,
                              item("wire", tb, xb)))  # fmt: skip
            pairs.append(pair("templated, another source", "different", lang, a,
                              item("desk", tb, edit(xb, lang))))  # fmt: skip
    return pairs


def one_detail_pairs(t: dict) -> list[dict]:
    """The first filling, and the same with one detail changed (to the value another filling
    has): by the same source, and by another source with small edits."""
    pairs = []
    first = t["fill"][0]
    for slot in first:
        other = next((f[slot] for f in t["fill"] if f[slot] != first[slot]), None)
        if other is None:
            continue
        changed = {**first, slot: other}
        a = item("wire", t["title"].format(**first), t["text"].format(**first))
        title, text = t["title"].format(**changed), t["text"].format(**changed)
        pairs.append(pair(f"templated, only the {slot} differs", "different", t["lang"], a,
                          item("desk", title, edit(text, t["lang"]))))  # fmt: skip
    return pairs


def story_pairs() -> list[dict]:
    pairs = []
    for n, story in enumerate(STORIES):
        for lang in ("en", "fr"):
            title, retitle, text = story[lang]
            a = item("wire", title, text)
            pairs += [
                pair("copy, small edits", "same", lang, a, item("desk", title, edit(text, lang))),
                pair("copy with a dateline", "same", lang, a,
                     item("radio", title, dateline(edit(text, lang), story["city"], lang))),
                pair("re-headlined copy", "same", lang, a, item("desk", retitle, text)),
                pair("republished under the same link", "same", lang,
                     item("wire", title, text, SITE.format(source="wire", path=f"s{n}{lang}")),
                     item("wire", title, edit(text, lang),
                          SITE.format(source="wire", path=f"s{n}{lang}/"))),
                pair("another source's summary, same link", "same", lang,
                     item("wire", title, text, SITE.format(source="wire", path=f"t{n}{lang}")),
                     item("desk", retitle, text.split(". ")[0] + ".",
                          SITE.format(source="wire", path=f"t{n}{lang}"))),
            ]  # fmt: skip
            other_title, _, other_text = STORIES[(n + 1) % len(STORIES)][lang]
            feed = SITE.format(source="wire", path="feed.xml")
            pairs += [
                pair("another story, another source", "different", lang, a,
                     item("desk", other_title, other_text)),
                pair("one source, items sharing the feed's URL", "different", lang,
                     item("wire", title, text, feed), item("wire", other_title, other_text, feed)),
            ]  # fmt: skip
            if lang == "en":
                home = "http://127.0.0.1:8080/"
                pairs.append(pair("two sources, a home page link", "different", lang,
                                  item("wire", title, text, home),
                                  item("desk", other_title, other_text, home)))  # fmt: skip
        en, fr = story["en"], story["fr"]
        pairs.append(pair("translation", "same", "en+fr", item("wire", en[0], en[2]),
                          item("desk", fr[0], fr[2])))  # fmt: skip
    return pairs


def main() -> None:
    pairs = template_pairs() + story_pairs()
    for kind, label, lang, (ta, xa), (tb, xb) in HANDWRITTEN:
        pairs.append(pair(kind, label, lang, item("wire", ta, xa), item("desk", tb, xb)))
    out = Path(__file__).with_name("story_pairs.json")
    out.write_text(json.dumps(pairs, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{out}: {len(pairs)} pairs")


if __name__ == "__main__":
    main()
