"""The bodies of the labelled article pages (tests/data/fulltext/make.py lays each out in a
page among navigation, related links, comments and footers). Written for these tests; the
places and people are invented. Each block: ("p", text), ("h2", text), ("quote", text) or
("ul", [items])."""

from __future__ import annotations

Block = tuple[str, object]

BODIES: list[dict[str, object]] = [
    {
        "slug": "niamey-water",
        "lang": "en",
        "title": "Niamey opens its third water treatment plant after two years of works",
        "blocks": [
            ("p", "The city of Niamey opened its third water treatment plant on Tuesday, "
             "adding forty thousand cubic metres a day to a network that has struggled to keep "
             "up with the capital's growth since the last dry season."),
            ("p", "Engineers from the national water company said the plant draws from the "
             "Niger river upstream of the city and filters the water through sand beds before "
             "it is pumped to four new reservoirs on the eastern plateau."),
            ("h2", "Shortages in the new districts"),
            ("p", "Residents of the districts built in the last decade have often waited for "
             "hours at public standpipes during the hottest weeks of the year. The company "
             "expects the new plant to end the rotating cuts in most of them by March."),
            ("p", "The works cost about seventy million euros, shared between the state and "
             "two development banks, and took two years instead of the eighteen months first "
             "announced, because of delays in the delivery of pumps."),
            ("quote", "We will not solve everything with one plant, but the families of "
             "Koira Tegui will no longer queue at dawn for a bucket of water."),
            ("p", "The minister of water said a fourth plant was being studied further "
             "downstream, and that the network itself, which loses almost a third of its "
             "water to leaks, would be repaired district by district over the next five years."),
        ],
    },
    {
        "slug": "bamako-solar",
        "lang": "fr",
        "title": "À Bamako, les toits solaires gagnent les marchés couverts",
        "blocks": [
            ("p", "Depuis le début de l’année, une trentaine de marchés couverts de Bamako "
             "ont équipé leurs toits de panneaux solaires, une réponse des commerçants aux "
             "coupures d’électricité qui se sont multipliées pendant la saison chaude."),
            ("p", "Au marché de Médine, les vendeurs de poisson congelé ont été les premiers à "
             "se cotiser. « Une journée sans courant, c’était toute la marchandise perdue », "
             "raconte Aminata Traoré, qui tient un étal depuis vingt ans."),
            ("h2", "Des batteries encore trop chères"),
            ("p", "Les installations fonctionnent surtout le jour. Les batteries qui "
             "permettraient de tenir la nuit coûtent encore trois fois le prix des panneaux, "
             "et peu d’associations de commerçants peuvent se les offrir sans crédit."),
            ("p", "Une banque locale propose désormais des prêts sur cinq ans remboursés par "
             "les économies réalisées sur les groupes électrogènes, dont le gazole représente "
             "jusqu’à la moitié des charges d’un commerce de froid."),
            ("p", "La mairie, de son côté, étudie un programme pour équiper les écoles et les "
             "centres de santé des quartiers périphériques d’ici à la fin de l’année prochaine."),
        ],
    },
    {
        "slug": "rail-strike",
        "lang": "en",
        "title": "Rail workers extend their strike into a second week",
        "blocks": [
            ("p", "Train drivers and signal staff voted on Monday to extend their strike for "
             "another seven days, after talks with the rail operator broke down over the "
             "length of night shifts and the hiring of new drivers."),
            ("p", "Only one train in five ran on the main lines during the first week. Freight "
             "traffic to the port has almost stopped, and exporters say containers of cotton "
             "and sesame are piling up at the inland terminal."),
            ("p", "The union wants the operator to hire two hundred drivers before the end of "
             "the year and to cap night shifts at ten hours. The operator says it has offered "
             "to hire one hundred and twenty and cannot afford more without state support."),
            ("h2", "Commuters turn to buses"),
            ("p", "In the suburbs, commuters have crowded onto buses and shared taxis, whose "
             "fares rose by a third in some places. The transport ministry said it had asked "
             "private bus companies to add extra services at peak hours."),
            ("p", "A mediator appointed by the labour court is expected to meet both sides on "
             "Thursday. Until then, the union said, pickets will stay outside the two main "
             "depots."),
        ],
    },
    {
        "slug": "secheresse-tchad",
        "lang": "fr",
        "title": "Au Tchad, la sécheresse pousse les éleveurs vers le sud plus tôt que prévu",
        "blocks": [
            ("p", "Les premiers troupeaux sont arrivés dans la région du Moyen-Chari avec près "
             "d’un mois d’avance cette année. Les pluies ont été si faibles dans le Sahel "
             "tchadien que les pâturages du nord étaient épuisés dès la fin octobre."),
            ("p", "Les autorités locales craignent une répétition des tensions de l’an dernier "
             "entre éleveurs et agriculteurs, dont les récoltes de sorgho ne sont pas encore "
             "rentrées. Des comités mixtes ont été réunis dans une dizaine de cantons."),
            ("ul", ["ouvrir trois couloirs de transhumance balisés",
                    "fixer des dates de passage dans chaque canton",
                    "indemniser rapidement les champs endommagés"]),
            ("p", "Les éleveurs rencontrés au marché de bétail de Sarh disent vendre plus tôt "
             "que d’habitude, faute de fourrage, ce qui fait baisser les prix. Une vache "
             "adulte se négocie un quart de moins qu’il y a un an."),
            ("p", "L’organisation régionale de suivi des cultures estime que près de deux "
             "millions de personnes pourraient avoir besoin d’une aide alimentaire pendant la "
             "soudure, entre juin et août."),
        ],
    },
    {
        "slug": "satellite-launch",
        "lang": "en",
        "title": "First weather satellite built in the region reaches orbit",
        "blocks": [
            ("p", "A small weather satellite designed by engineers from three West African "
             "universities reached orbit on Saturday aboard a commercial rocket, and sent its "
             "first signal to the ground station in Dakar a few hours later."),
            ("p", "The satellite, about the size of a shoebox, carries a camera and a "
             "radiometer meant to follow the formation of storms over the Atlantic coast and "
             "the dust plumes that cross the Sahara in winter."),
            ("p", "Its builders say the data will be free for national weather services, which "
             "today depend on images bought from European and American operators, often hours "
             "late."),
            ("h2", "A second satellite next year"),
            ("p", "The consortium plans a second, slightly larger satellite next year, with a "
             "receiver for the signals of river gauges. Funding has been promised by two "
             "governments and a private foundation."),
            ("p", "The team will spend the next three weeks testing the instruments before "
             "the first images are published."),
        ],
    },
    {
        "slug": "hopital-ouaga",
        "lang": "fr",
        "title": "Ouagadougou : le nouvel hôpital pédiatrique accueille ses premiers patients",
        "blocks": [
            ("p", "Le nouvel hôpital pédiatrique de Ouagadougou a reçu ses premiers patients "
             "lundi matin, après plusieurs reports liés à la livraison des équipements de "
             "réanimation néonatale."),
            ("p", "L’établissement compte cent vingt lits, deux blocs opératoires et un service "
             "d’urgences ouvert jour et nuit. Il doit soulager le centre hospitalier "
             "universitaire, où les enfants étaient parfois soignés à deux par lit."),
            ("quote", "Nous avions des mères qui dormaient dans les couloirs. Ici, chaque "
             "chambre a un lit pour l’accompagnant."),
            ("p", "Le recrutement du personnel reste le principal défi. Une partie des "
             "infirmières vient d’autres hôpitaux de la capitale, qui craignent à leur tour de "
             "manquer de bras."),
            ("h2", "Des consultations gratuites"),
            ("p", "Les consultations des enfants de moins de cinq ans y sont gratuites, comme "
             "dans les centres de santé publics. Les familles paient en revanche une partie "
             "des examens et des médicaments qui ne figurent pas sur la liste nationale."),
        ],
    },
    {
        "slug": "inflation-cfa",
        "lang": "en",
        "title": "Inflation slows for a third month as food prices ease",
        "blocks": [
            ("p", "Consumer prices rose by 3.1 percent over a year in October, down from 3.8 "
             "percent in September, the statistics institute said on Wednesday, the third "
             "month in a row that inflation has slowed."),
            ("p", "Food prices, which weigh most in the index, were flat over the month as the "
             "new harvest of millet and maize reached markets. The price of imported rice "
             "fell slightly after the government lifted a temporary export ban."),
            ("p", "Transport costs, on the other hand, kept rising, pushed up by the price of "
             "fuel and by the repairs of a road network damaged by the floods of August."),
            ("p", "Economists at the central bank expect inflation to end the year close to "
             "three percent, within the target shared by the countries of the monetary union, "
             "and see no need for a new rise in interest rates."),
            ("p", "Traders in the central market said customers were still buying smaller "
             "quantities than a year ago, and that the slowdown in prices had not yet reached "
             "cooking oil and soap."),
        ],
    },
    {
        "slug": "festival-cinema",
        "lang": "fr",
        "title": "Le festival de cinéma de Niamey mise sur les courts métrages",
        "blocks": [
            ("p", "Pour sa douzième édition, le festival de cinéma de Niamey a choisi de "
             "consacrer l’essentiel de sa sélection aux courts métrages, un format que les "
             "jeunes réalisateurs peuvent produire avec des budgets modestes."),
            ("p", "Quarante films venus de quinze pays seront projetés pendant une semaine, "
             "dans deux salles du centre-ville mais aussi sur des écrans installés en plein "
             "air dans cinq quartiers."),
            ("p", "Les organisateurs ont reçu plus de trois cents candidatures, un record. "
             "Beaucoup de films ont été tournés au téléphone et montés sur un ordinateur "
             "portable, explique la directrice artistique du festival."),
            ("h2", "Un atelier d’écriture"),
            ("p", "Un atelier d’écriture de scénario réunira vingt participants sélectionnés "
             "sur dossier. Les trois meilleurs projets recevront une aide à la production et "
             "seront présentés l’an prochain."),
        ],
    },
    {
        "slug": "port-dredging",
        "lang": "en",
        "title": "Port begins dredging to welcome larger container ships",
        "blocks": [
            ("p", "Dredgers started work this week on the access channel of the port, which "
             "will be deepened from twelve to sixteen metres so that the largest container "
             "ships calling on the coast can berth without waiting for the tide."),
            ("p", "The project, due to last eighteen months, also includes a new quay of six "
             "hundred metres and a yard for empty containers, which today are stacked along "
             "the road to the city and block traffic."),
            ("ul", ["channel depth: from 12 to 16 metres",
                    "new quay: 600 metres",
                    "expected capacity: 1.5 million containers a year"]),
            ("p", "Fishermen from the nearby villages have protested against the dumping of "
             "dredged sand offshore, which they say will drive fish away from their grounds. "
             "The port authority has promised a study of the currents before the dumping "
             "starts."),
            ("p", "Shipping lines welcomed the works, saying ships now often wait two days at "
             "anchor before they can unload."),
        ],
    },
    {
        "slug": "elections-locales",
        "lang": "fr",
        "title": "Élections locales : la commission électorale publie le calendrier",
        "blocks": [
            ("p", "La commission électorale nationale a publié jeudi le calendrier des "
             "élections municipales et régionales, qui se tiendront le même jour au début de "
             "la saison sèche prochaine."),
            ("p", "Les listes électorales seront révisées pendant deux mois à partir de "
             "janvier. Les électeurs qui ont déménagé devront se présenter à la mairie de leur "
             "nouvelle commune avec une pièce d’identité."),
            ("p", "Les partis d’opposition ont salué la publication d’un calendrier précis, "
             "mais demandent un audit du fichier électoral, qui compterait encore des "
             "centaines de milliers d’électeurs décédés."),
            ("h2", "Des candidatures indépendantes"),
            ("p", "Pour la première fois, des listes indépendantes pourront se présenter dans "
             "les communes rurales, à condition de réunir les signatures de deux pour cent des "
             "électeurs inscrits."),
            ("p", "La commission a annoncé qu’elle formerait dix mille assesseurs et que les "
             "résultats de chaque bureau de vote seraient publiés en ligne."),
        ],
    },
    {
        "slug": "football-league",
        "lang": "en",
        "title": "League clubs agree on a salary cap after a season of unpaid wages",
        "blocks": [
            ("p", "The sixteen clubs of the national football league agreed on Friday to cap "
             "the wages they pay at sixty percent of their income, after a season in which "
             "players at five clubs went months without being paid."),
            ("p", "The league will check each club's accounts twice a year. A club that "
             "breaks the cap will lose points, and one that fails to pay its players for two "
             "months in a row will be barred from signing new ones."),
            ("p", "The players' union, which had threatened to boycott the opening round, said "
             "the deal was a first step but asked for a guarantee fund that would pay players "
             "when a club cannot."),
            ("p", "The new season starts in three weeks. Broadcasting rights, sold this summer "
             "to a regional television group, should bring each club twice what it earned "
             "from them last year."),
        ],
    },
    {
        "slug": "tribunal-foncier",
        "lang": "fr",
        "title": "Litiges fonciers : un tribunal spécialisé ouvre ses portes à Dakar",
        "blocks": [
            ("p", "Un tribunal spécialisé dans les litiges fonciers a ouvert ses portes à "
             "Dakar, où les conflits autour de terrains représentent près d’un tiers des "
             "affaires civiles en attente de jugement."),
            ("p", "Ses six juges ont reçu une formation au cadastre et à l’urbanisme. Ils "
             "pourront ordonner des visites sur place et s’appuyer sur des géomètres "
             "assermentés pour trancher les contestations de limites."),
            ("quote", "Un même terrain vendu trois fois, ce n’est pas rare. Il fallait des "
             "juges qui connaissent ces dossiers."),
            ("p", "Le ministère de la Justice espère ramener à moins d’un an la durée moyenne "
             "des procédures, qui dépasse aujourd’hui quatre ans. Les premières audiences "
             "sont prévues dès le mois prochain."),
            ("p", "Les notaires ont salué la création du tribunal, tout en rappelant que la "
             "numérisation du cadastre, promise depuis dix ans, reste inachevée."),
        ],
    },
    {
        "slug": "locust-warning",
        "lang": "en",
        "title": "Locust swarms spotted near the border, experts warn of spring outbreak",
        "blocks": [
            ("p", "Survey teams have spotted small swarms of desert locusts in the valleys "
             "near the northern border, the plant protection service said, after rains in "
             "October turned the desert green for a few weeks."),
            ("p", "The swarms are still small and scattered, but the insects are breeding, and "
             "experts fear that a second generation could form larger swarms in the spring if "
             "nothing is done."),
            ("p", "Teams equipped with sprayers mounted on pick-up trucks have treated about "
             "four thousand hectares so far. The service says it has enough pesticide for "
             "twice that area, and has asked for help to hire a spraying aircraft."),
            ("h2", "Farmers asked to report sightings"),
            ("p", "Farmers and herders are asked to report any sighting to the nearest "
             "agricultural office, or by text message to a free number set up for the "
             "campaign."),
        ],
    },
    {
        "slug": "universite-rentree",
        "lang": "fr",
        "title": "Rentrée universitaire : les amphithéâtres débordent",
        "blocks": [
            ("p", "La rentrée à l’université publique s’est faite dans des amphithéâtres "
             "bondés cette semaine. Près de quinze mille nouveaux bacheliers se sont inscrits "
             "en première année, deux mille de plus que l’an dernier."),
            ("p", "Dans certaines filières, des étudiants suivent les cours debout ou depuis "
             "le couloir. La présidence de l’université a annoncé que des cours seraient "
             "filmés et diffusés sur la plateforme en ligne de l’établissement."),
            ("p", "Les syndicats d’enseignants réclament le recrutement de trois cents "
             "enseignants-chercheurs et l’achèvement des deux bâtiments dont les travaux sont "
             "arrêtés depuis trois ans."),
            ("ul", ["quinze mille inscrits en première année",
                    "un enseignant pour quatre-vingts étudiants",
                    "deux bâtiments inachevés"]),
            ("p", "Le ministre de l’Enseignement supérieur a promis l’ouverture d’un nouveau "
             "campus en périphérie à la rentrée prochaine."),
        ],
    },
    {
        "slug": "mobile-money",
        "lang": "en",
        "title": "Mobile money transfers across borders get cheaper",
        "blocks": [
            ("p", "Sending money by phone to a neighbouring country will cost half as much "
             "from next month, after the main mobile operators agreed with the central bank to "
             "cap the fees on cross-border transfers."),
            ("p", "Migrants working in the coastal cities send a large part of their wages "
             "home this way, and the fees, up to five percent of the amount, have long been "
             "criticised by associations of the diaspora."),
            ("p", "The central bank said the cap would apply to transfers of up to five "
             "hundred thousand francs, and that the operators would have to show the fee "
             "before the sender confirms the payment."),
            ("p", "Operators warned that the lower fees could slow their investment in rural "
             "networks, where many villages still have no reliable signal."),
        ],
    },
    {
        "slug": "crue-niger",
        "lang": "fr",
        "title": "Crue du fleuve Niger : des quartiers de Niamey évacués",
        "blocks": [
            ("p", "Plusieurs centaines de familles ont été évacuées de quartiers riverains du "
             "fleuve Niger à Niamey, où le niveau de l’eau a atteint la cote d’alerte rouge "
             "dans la nuit de dimanche à lundi."),
            ("p", "Les digues de protection ont cédé à deux endroits, inondant des rizières et "
             "une partie d’un quartier construit en zone inondable. Les sinistrés ont été "
             "relogés dans des écoles, fermées pour l’occasion."),
            ("h2", "Une crue précoce"),
            ("p", "Selon les hydrologues, la crue dite locale, alimentée par les pluies "
             "tombées sur les affluents de la rive droite, est arrivée plus tôt et plus haut "
             "que la moyenne des vingt dernières années."),
            ("p", "La protection civile appelle les habitants des zones basses à ne pas "
             "regagner leurs maisons avant la décrue, attendue dans une dizaine de jours, et "
             "rappelle que la baignade dans le fleuve est interdite."),
        ],
    },
    {
        "slug": "telescope-namibia",
        "lang": "en",
        "title": "Astronomers choose the site of a new radio telescope",
        "blocks": [
            ("p", "An international group of astronomers has chosen a high plateau in the "
             "desert as the site of a new radio telescope, citing its dry air and the absence "
             "of radio noise from towns and mobile networks."),
            ("p", "The telescope, an array of sixty dishes spread over ten kilometres, will "
             "study the gas between galaxies and the bursts of radio waves whose origin is "
             "still debated."),
            ("p", "Construction should begin in two years and employ about three hundred "
             "people. The host country will train twenty of its students as engineers and "
             "astronomers to run the array once it is built."),
            ("quote", "Quiet skies are becoming rare. This plateau is one of the last places "
             "where we can still listen."),
            ("p", "Herders who use the plateau in the rainy season will keep their access to "
             "it, the project's managers said."),
        ],
    },
    {
        "slug": "vaccination-rougeole",
        "lang": "fr",
        "title": "Rougeole : une campagne de vaccination dans les camps de déplacés",
        "blocks": [
            ("p", "Une campagne de vaccination contre la rougeole a débuté dans les camps de "
             "déplacés de l’est du pays, où une soixantaine de cas ont été confirmés depuis le "
             "début du mois."),
            ("p", "Les équipes mobiles doivent vacciner en dix jours plus de cent mille enfants "
             "âgés de six mois à quinze ans. Elles profitent de leur passage pour distribuer "
             "de la vitamine A et vérifier les carnets de vaccination."),
            ("p", "Les agents de santé communautaires vont de tente en tente pour convaincre "
             "les parents, parfois méfiants après des rumeurs diffusées sur les réseaux "
             "sociaux."),
            ("p", "Le ministère de la Santé rappelle que deux doses sont nécessaires pour "
             "protéger durablement un enfant, et que la seconde sera proposée dans les centres "
             "de santé d’ici trois mois."),
        ],
    },
    {
        "slug": "wind-farm",
        "lang": "en",
        "title": "Coastal wind farm starts feeding the grid",
        "blocks": [
            ("p", "The first turbines of a wind farm on the northern coast started feeding the "
             "national grid this week. Once its forty-six turbines are running, the farm will "
             "supply about a seventh of the country's electricity."),
            ("p", "The trade winds that blow along this stretch of coast from November to June "
             "make it one of the best sites for wind power on the continent, according to the "
             "developer."),
            ("p", "The grid operator has built a new high-voltage line to carry the power to "
             "the capital, and says the farm will let it run its diesel power stations less "
             "often during the dry season."),
            ("h2", "Farmers compensated"),
            ("p", "The farmers whose fields host the turbines receive a yearly rent, and the "
             "developer has paved the track to the nearest market town, a demand of the "
             "villages during the consultations."),
        ],
    },
    {
        "slug": "marche-betail",
        "lang": "fr",
        "title": "Tabaski : les prix des moutons s’envolent sur les marchés",
        "blocks": [
            ("p", "À deux semaines de la Tabaski, les prix des moutons ont fortement augmenté "
             "sur les marchés de la capitale, où les vendeurs affirment que l’offre est plus "
             "faible que l’an dernier."),
            ("p", "Un bélier de taille moyenne se vend autour de cent cinquante mille francs, "
             "contre cent vingt mille l’an passé. Les éleveurs mettent en avant le prix de "
             "l’aliment pour bétail et les difficultés de transport depuis l’intérieur du pays."),
            ("p", "Le gouvernement a suspendu les taxes sur les camions de bétail jusqu’à la "
             "fête et ouvert trois sites de vente supplémentaires pour faire baisser les prix."),
            ("quote", "Cette année, beaucoup de familles vont se mettre à plusieurs pour un "
             "seul mouton."),
            ("p", "Les associations de consommateurs demandent des contrôles contre les "
             "intermédiaires qui achètent les bêtes à l’entrée de la ville pour les revendre "
             "plus cher."),
        ],
    },
]
