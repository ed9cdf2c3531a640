"""The French demo board of DESIGN.md §8: real-looking resources of a digital accelerator."""

from __future__ import annotations

from typing import Literal, TypedDict

CardKind = Literal[
    "tool",
    "guide",
    "template",
    "glossary",
    "article",
    "video",
    "training",
    "organisation",
    "event",
    "other",
]


class DemoBoard(TypedDict):
    slug: str
    title: str
    description: str


class DemoCard(TypedDict):
    title: str
    url: str
    description: str
    kind: CardKind
    languages: list[str]
    labels: list[str]
    audiences: list[str]
    source: str
    licence: str


class DemoColumn(TypedDict):
    title: str
    description: str
    cards: list[DemoCard]


class DemoExpert(TypedDict):
    email: str
    name: str
    specialities: list[str]
    languages: list[str]
    bio: str


DEMO_BOARD: DemoBoard = {
    "slug": "accelerateur-numerique",
    "title": "Accélérateur numérique culturel",
    "description": (
        "Le coffre à outils partagé de l'accélérateur : outils, guides, gabarits, lexiques "
        "et retours d'expérience pour accompagner la transformation numérique des organismes "
        "culturels du Québec et de France."
    ),
}

# The shared label vocabulary used by the cards below.
DEMO_LABELS: list[str] = [
    "Débutant",
    "Stratégie",
    "Données",
    "Écoconception",
    "Gratuit",
    "Gabarit",
    "Autodiagnostic",
    "Collaboration",
]

DEMO_COLUMNS: list[DemoColumn] = [
    {
        "title": "Se poser les bonnes questions",
        "description": (
            "Des outils pour faire le point sur sa maturité numérique avant de se lancer."
        ),
        "cards": [
            {
                "title": "Outil d'autodiagnostic numérique des organismes artistiques",
                "url": "https://www.calq.gouv.qc.ca/",
                "description": (
                    "Un questionnaire en ligne pour situer votre organisme sur six dimensions "
                    "du numérique.\n"
                    "\n"
                    "- **Durée** : environ 30 minutes\n"
                    "- Un rapport personnalisé avec des pistes d'action prioritaires"
                ),
                "kind": "tool",
                "languages": ["fr"],
                "labels": ["Autodiagnostic", "Débutant", "Gratuit"],
                "audiences": ["Tous"],
                "source": "Conseil des arts et des lettres du Québec",
                "licence": "Tous droits réservés",
            },
            {
                "title": "Digital Culture Compass",
                "url": "https://digitalculturecompass.org.uk/",
                "description": (
                    "Un outil britannique d'autoévaluation de la maturité numérique, "
                    "accompagné d'une charte et d'un **tracker** pour suivre ses progrès.\n"
                    "Contenu en anglais, facile à adapter en atelier d'équipe."
                ),
                "kind": "tool",
                "languages": ["en"],
                "labels": ["Autodiagnostic", "Stratégie"],
                "audiences": ["Musées", "Arts de la scène"],
                "source": "Arts Council England et The National Lottery Heritage Fund",
                "licence": "Tous droits réservés",
            },
            {
                "title": "Pix : évaluer les compétences numériques de son équipe",
                "url": "https://pix.fr/",
                "description": (
                    "Un service public en ligne pour évaluer et développer les compétences "
                    "numériques de chaque membre de l'équipe.\n"
                    "\n"
                    "- Tests adaptatifs sur 16 compétences\n"
                    "- Certification reconnue en France"
                ),
                "kind": "tool",
                "languages": ["fr"],
                "labels": ["Autodiagnostic", "Gratuit", "Débutant"],
                "audiences": ["Tous"],
                "source": "Pix (groupement d'intérêt public)",
                "licence": "",
            },
            {
                "title": "Dix questions à se poser avant un projet numérique",
                "url": "https://www.culturepourtous.ca/",
                "description": (
                    "Pour qui ? Pour quoi ? Avec quelles ressources ? Un article court qui "
                    "aide à clarifier **les besoins réels** avant de choisir un outil ou "
                    "un prestataire.\n"
                    "À lire en équipe, idéalement avec le conseil d'administration."
                ),
                "kind": "article",
                "languages": ["fr"],
                "labels": ["Débutant", "Stratégie"],
                "audiences": ["Tous"],
                "source": "Culture pour tous",
                "licence": "CC BY-NC-SA 4.0",
            },
            {
                "title": "Canevas de cadrage d'un projet numérique",
                "url": "https://www.francenum.gouv.fr/",
                "description": (
                    "Une page à remplir en équipe : objectifs, publics visés, ressources, "
                    "risques et indicateurs de réussite.\n"
                    "Idéal pour préparer une rencontre avec un expert de la brigade."
                ),
                "kind": "template",
                "languages": ["fr"],
                "labels": ["Gabarit", "Débutant"],
                "audiences": ["Tous"],
                "source": "France Num",
                "licence": "Licence Ouverte 2.0",
            },
        ],
    },
    {
        "title": "Stratégie numérique",
        "description": (
            "Des cadres et des feuilles de route pour planifier la transformation numérique "
            "de son organisme."
        ),
        "cards": [
            {
                "title": "Plan culturel numérique du Québec",
                "url": "https://www.quebec.ca/culture",
                "description": (
                    "Le plan gouvernemental qui soutient le virage numérique du milieu "
                    "culturel québécois.\n"
                    "\n"
                    "- **Enjeux** : découvrabilité, compétences, données\n"
                    "- **Piliers** et **mesures clés** présentés fiche par fiche"
                ),
                "kind": "guide",
                "languages": ["fr"],
                "labels": ["Stratégie"],
                "audiences": ["Tous"],
                "source": "Ministère de la Culture et des Communications du Québec",
                "licence": "Tous droits réservés",
            },
            {
                "title": "Stratégie nationale pour la culture numérique : enjeux, piliers et "
                "actions clés",
                "url": "https://www.culture.gouv.fr/",
                "description": (
                    "La stratégie du ministère en trois temps :\n"
                    "\n"
                    "- **Enjeux** : accès aux œuvres, souveraineté, transition écologique\n"
                    "- **Piliers** : données, compétences, innovation\n"
                    "- **Actions clés** et calendrier de mise en œuvre"
                ),
                "kind": "article",
                "languages": ["fr"],
                "labels": ["Stratégie"],
                "audiences": ["Tous"],
                "source": "Ministère de la Culture (France)",
                "licence": "Licence Ouverte 2.0",
            },
            {
                "title": "Gabarit : les étapes d'une transformation numérique",
                "url": "https://creativecommons.org/licenses/by/4.0/deed.fr",
                "description": (
                    "Un gabarit libre à copier et à adapter, qui découpe la démarche en "
                    "cinq étapes : **diagnostic**, vision, priorités, feuille de route "
                    "et évaluation.\n"
                    "Disponible en format texte et tableur."
                ),
                "kind": "template",
                "languages": ["fr", "en"],
                "labels": ["Gabarit", "Stratégie", "Gratuit"],
                "audiences": ["Tous"],
                "source": "Culture pour tous",
                "licence": "CC BY 4.0",
            },
            {
                "title": "Bâtir la stratégie numérique d'un musée",
                "url": "https://www.musees.qc.ca/",
                "description": (
                    "Un guide pas à pas pour les petites et moyennes institutions muséales, "
                    "avec des exemples de **feuilles de route** sur trois ans et un modèle "
                    "de budget.\n"
                    "Chaque chapitre se termine par une liste de vérification."
                ),
                "kind": "guide",
                "languages": ["fr"],
                "labels": ["Stratégie", "Débutant"],
                "audiences": ["Musées"],
                "source": "Société des musées du Québec",
                "licence": "Tous droits réservés",
            },
            {
                "title": "One by One: Building Digitally Confident Museums",
                "url": "https://one-by-one.uk/",
                "description": (
                    "Un cadre de référence issu d'une recherche-action britannique sur la "
                    "**littératie numérique** des équipes de musées.\n"
                    "Boîte à outils et études de cas en anglais."
                ),
                "kind": "guide",
                "languages": ["en"],
                "labels": ["Stratégie", "Collaboration"],
                "audiences": ["Musées"],
                "source": "University of Leicester",
                "licence": "CC BY-NC 4.0",
            },
        ],
    },
    {
        "title": "Innovation ouverte et collaboration",
        "description": (
            "Des méthodes et des lieux pour innover avec d'autres organismes, les publics et "
            "des partenaires."
        ),
        "cards": [
            {
                "title": "Explorer les leviers de l'innovation ouverte",
                "url": "https://llio.quebec/",
                "description": (
                    "Un jeu de cartes en ligne pour repérer les leviers d'innovation ouverte "
                    "adaptés à votre projet : **cocréation**, laboratoire vivant, "
                    "mutualisation, appel à idées…\n"
                    "Chaque carte propose une question et un exemple culturel."
                ),
                "kind": "tool",
                "languages": ["fr"],
                "labels": ["Collaboration", "Gratuit"],
                "audiences": ["Tous"],
                "source": "LLio, laboratoire vivant en innovation ouverte",
                "licence": "CC BY-NC-SA 4.0",
            },
            {
                "title": "Museomix",
                "url": "https://www.museomix.org/",
                "description": (
                    "Un marathon créatif de trois jours où des équipes pluridisciplinaires "
                    "prototypent de nouvelles médiations **dans le musée lui-même**.\n"
                    "Communautés au Québec, en France, en Suisse et ailleurs."
                ),
                "kind": "event",
                "languages": ["fr", "en"],
                "labels": ["Collaboration"],
                "audiences": ["Musées"],
                "source": "Museomix",
                "licence": "CC BY-SA 4.0",
            },
            {
                "title": "MT Lab, incubateur en tourisme, culture et divertissement",
                "url": "https://mtlab.ca/",
                "description": (
                    "Un incubateur montréalais qui met en relation jeunes pousses et "
                    "organismes culturels pour tester des solutions en **situation réelle**.\n"
                    "Appels à projets plusieurs fois par an."
                ),
                "kind": "organisation",
                "languages": ["fr", "en"],
                "labels": ["Collaboration"],
                "audiences": ["Festivals", "Arts de la scène", "Musées"],
                "source": "MT Lab",
                "licence": "",
            },
            {
                "title": "Gabarit d'atelier de cocréation avec ses publics",
                "url": "https://culturemontreal.ca/",
                "description": (
                    "Déroulé minute par minute d'un atelier de deux heures, avec les "
                    "consignes, le matériel et une **grille de synthèse** à imprimer.\n"
                    "Testé avec des publics adolescents et des aînés."
                ),
                "kind": "template",
                "languages": ["fr"],
                "labels": ["Gabarit", "Collaboration", "Gratuit"],
                "audiences": ["Tous"],
                "source": "Culture Montréal",
                "licence": "CC BY-SA 4.0",
            },
            {
                "title": "Mutualiser des outils numériques entre centres d'artistes",
                "url": "https://rcaaq.org/",
                "description": (
                    "Comment partager un site web, une base de données d'archives ou une "
                    "ressource humaine entre plusieurs centres ?\n"
                    "\n"
                    "- Modèles d'ententes\n"
                    "- **Pièges à éviter** et conditions de réussite"
                ),
                "kind": "guide",
                "languages": ["fr"],
                "labels": ["Collaboration", "Stratégie"],
                "audiences": ["Centres d'artistes"],
                "source": "Regroupement des centres d'artistes autogérés du Québec",
                "licence": "Tous droits réservés",
            },
        ],
    },
    {
        "title": "Données, métadonnées et découvrabilité",
        "description": (
            "Des guides et des jeux de données pour rendre les contenus culturels visibles et "
            "réutilisables en ligne."
        ),
        "cards": [
            {
                "title": "Guide des métadonnées pour les arts de la scène",
                "url": "https://artsdata.ca/",
                "description": (
                    "Décrire ses spectacles, artistes et lieux avec des **données liées** "
                    "pour qu'ils soient compris par les moteurs de recherche et les "
                    "assistants vocaux.\n"
                    "Exemples prêts à copier pour les sites de diffuseurs."
                ),
                "kind": "guide",
                "languages": ["fr", "en"],
                "labels": ["Données", "Débutant"],
                "audiences": ["Arts de la scène", "Festivals"],
                "source": "Culture Creates et Artsdata.ca",
                "licence": "CC BY 4.0",
            },
            {
                "title": "Schema.org : le vocabulaire Event",
                "url": "https://schema.org/Event",
                "description": (
                    "La référence des propriétés utilisées pour décrire un événement : "
                    "`startDate`, `location`, `performer`, `offers`…\n"
                    "Documentation technique en anglais."
                ),
                "kind": "other",
                "languages": ["en"],
                "labels": ["Données"],
                "audiences": ["Festivals", "Arts de la scène"],
                "source": "Schema.org",
                "licence": "CC BY-SA 3.0",
            },
            {
                "title": "Wikidata pour les organismes culturels",
                "url": "https://www.wikidata.org/wiki/Wikidata:WikiProject_Performing_arts",
                "description": (
                    "Le projet collaboratif qui modélise les arts vivants dans Wikidata : "
                    "productions, représentations, lieux et personnes.\n"
                    "\n"
                    "- Modèle de données documenté\n"
                    "- **Requêtes SPARQL** d'exemple"
                ),
                "kind": "guide",
                "languages": ["en", "fr"],
                "labels": ["Données", "Collaboration", "Gratuit"],
                "audiences": ["Arts de la scène", "Festivals"],
                "source": "Wikidata, WikiProject Performing arts",
                "licence": "CC BY-SA 4.0",
            },
            {
                "title": "Données de billetterie partagées (SIBIL)",
                "url": "https://sibil.culture.gouv.fr/",
                "description": (
                    "Le système d'information billetterie du spectacle vivant : les lieux "
                    "transmettent leurs données de billetterie et accèdent en retour à des "
                    "**indicateurs agrégés** de fréquentation.\n"
                    "Un exemple inspirant de mise en commun des données de billetterie."
                ),
                "kind": "tool",
                "languages": ["fr"],
                "labels": ["Données"],
                "audiences": ["Arts de la scène", "Festivals"],
                "source": "Ministère de la Culture (France)",
                "licence": "Licence Ouverte 2.0",
            },
            {
                "title": "Normes de documentation des collections",
                "url": "https://www.canada.ca/fr/reseau-information-patrimoine.html",
                "description": (
                    "Guides, dictionnaires de données et normes pour documenter ses "
                    "collections et les rendre **interopérables**.\n"
                    "Inclut la Nomenclature pour le catalogage des objets."
                ),
                "kind": "guide",
                "languages": ["fr", "en"],
                "labels": ["Données"],
                "audiences": ["Musées"],
                "source": "Réseau canadien d'information sur le patrimoine",
                "licence": "Tous droits réservés",
            },
            {
                "title": "Découvrabilité en ligne des contenus culturels francophones",
                "url": "https://www.culture.gouv.fr/",
                "description": (
                    "Le rapport de la mission franco-québécoise : état des lieux, "
                    "**recommandations** et engagements communs pour que les œuvres "
                    "francophones soient trouvées en ligne.\n"
                    "Une lecture de fond pour comprendre les enjeux de la découvrabilité."
                ),
                "kind": "article",
                "languages": ["fr"],
                "labels": ["Données", "Stratégie"],
                "audiences": ["Tous"],
                "source": "Ministère de la Culture (France) et ministère de la Culture et "
                "des Communications du Québec",
                "licence": "Licence Ouverte 2.0",
            },
            {
                "title": "data.culture.gouv.fr, les données ouvertes de la culture",
                "url": "https://data.culture.gouv.fr/",
                "description": (
                    "Le portail de données ouvertes du ministère : fréquentation des musées, "
                    "festivals, équipements culturels, bibliothèques…\n"
                    "Jeux de données téléchargeables et **API**."
                ),
                "kind": "other",
                "languages": ["fr"],
                "labels": ["Données", "Gratuit"],
                "audiences": ["Tous"],
                "source": "Ministère de la Culture (France)",
                "licence": "Licence Ouverte 2.0",
            },
        ],
    },
    {
        "title": "Lexique et formation",
        "description": (
            "Des mots communs et des formations pour développer les compétences numériques des "
            "équipes."
        ),
        "cards": [
            {
                "title": "Lexique de la transformation numérique (EPUB)",
                "url": "https://www.culturepourtous.ca/",
                "description": (
                    "Un lexique de poche d'une centaine de termes, de **données ouvertes** "
                    "à **web sémantique**, expliqués simplement avec des exemples tirés du "
                    "milieu culturel.\n"
                    "Format EPUB, lisible sur liseuse, tablette ou téléphone."
                ),
                "kind": "glossary",
                "languages": ["fr"],
                "labels": ["Débutant", "Gratuit"],
                "audiences": ["Tous"],
                "source": "Culture pour tous",
                "licence": "CC BY-SA 4.0",
            },
            {
                "title": "Vitrine linguistique : le Grand dictionnaire terminologique",
                "url": "https://vitrinelinguistique.oqlf.gouv.qc.ca/",
                "description": (
                    "Pour trouver l'équivalent français d'un terme technique : "
                    "**infonuagique**, mégadonnées, hébergement mutualisé…\n"
                    "Chaque fiche indique le domaine d'emploi et les termes à éviter."
                ),
                "kind": "glossary",
                "languages": ["fr", "en"],
                "labels": ["Débutant", "Gratuit"],
                "audiences": ["Tous"],
                "source": "Office québécois de la langue française",
                "licence": "Tous droits réservés",
            },
            {
                "title": "FranceTerme : le vocabulaire du numérique",
                "url": "https://www.franceterme.culture.fr/",
                "description": (
                    "Les termes recommandés au Journal officiel pour nommer les réalités "
                    "du numérique, avec leur **définition** et leur équivalent anglais.\n"
                    "Aussi disponible en application mobile."
                ),
                "kind": "glossary",
                "languages": ["fr"],
                "labels": ["Gratuit"],
                "audiences": ["Tous"],
                "source": "Délégation générale à la langue française et aux langues de France",
                "licence": "Licence Ouverte 2.0",
            },
            {
                "title": "Formations en compétences numériques pour le secteur culturel",
                "url": "https://www.competenceculture.ca/",
                "description": (
                    "Un calendrier de formations courtes, en ligne et en présentiel :\n"
                    "\n"
                    "- Gestion de projet numérique\n"
                    "- Données et **découvrabilité**\n"
                    "- Médias sociaux et communautés"
                ),
                "kind": "training",
                "languages": ["fr"],
                "labels": ["Débutant", "Stratégie"],
                "audiences": ["Tous"],
                "source": "Compétence Culture",
                "licence": "Tous droits réservés",
            },
            {
                "title": "Elements of AI : comprendre l'intelligence artificielle",
                "url": "https://www.elementsofai.com/",
                "description": (
                    "Un cours en ligne gratuit, sans prérequis en mathématiques ni en "
                    "programmation, pour **démystifier l'IA** avant d'en discuter en équipe.\n"
                    "Compter environ 30 heures, à son rythme."
                ),
                "kind": "training",
                "languages": ["fr", "en"],
                "labels": ["Débutant", "Gratuit"],
                "audiences": ["Tous"],
                "source": "Université d'Helsinki et MinnaLearn",
                "licence": "Tous droits réservés",
            },
        ],
    },
    {
        "title": "Numérique responsable",
        "description": (
            "Des repères pour réduire l'empreinte environnementale et sociale de ses services "
            "numériques."
        ),
        "cards": [
            {
                "title": "Référentiel général d'écoconception de services numériques (RGESN)",
                "url": (
                    "https://ecoresponsable.numerique.gouv.fr/publications/"
                    "referentiel-general-ecoconception/"
                ),
                "description": (
                    "Des critères concrets, classés par thématique (stratégie, contenus, "
                    "interface, hébergement…), pour **écoconcevoir** un site ou une "
                    "application.\n"
                    "Utile pour rédiger le cahier des charges d'une refonte de site."
                ),
                "kind": "guide",
                "languages": ["fr"],
                "labels": ["Écoconception", "Gratuit"],
                "audiences": ["Tous"],
                "source": "Mission interministérielle numérique responsable",
                "licence": "Licence Ouverte 2.0",
            },
            {
                "title": "EcoIndex : mesurer l'empreinte d'une page web",
                "url": "https://www.ecoindex.fr/",
                "description": (
                    "Saisissez l'adresse d'une page pour obtenir une note de A à G et "
                    "des **estimations** d'émissions et de consommation d'eau.\n"
                    "Pratique pour comparer avant et après une refonte."
                ),
                "kind": "tool",
                "languages": ["fr", "en"],
                "labels": ["Écoconception", "Autodiagnostic", "Gratuit"],
                "audiences": ["Tous"],
                "source": "Collectif GreenIT.fr",
                "licence": "",
            },
            {
                "title": "Guide d'écoconception de services numériques",
                "url": "https://designersethiques.org/",
                "description": (
                    "Une méthode en quatre étapes et des fiches pratiques pour les équipes "
                    "de **conception et de communication**, sans jargon technique.\n"
                    "Illustré d'exemples de sites culturels."
                ),
                "kind": "guide",
                "languages": ["fr"],
                "labels": ["Écoconception", "Débutant"],
                "audiences": ["Tous"],
                "source": "Designers Éthiques",
                "licence": "CC BY-NC-SA 4.0",
            },
            {
                "title": "Référentiel général d'amélioration de l'accessibilité (RGAA)",
                "url": "https://accessibilite.numerique.gouv.fr/",
                "description": (
                    "Les critères pour rendre un site accessible aux personnes en situation "
                    "de handicap : contrastes, alternatives textuelles, navigation au "
                    "clavier…\n"
                    "Un volet **social** indissociable du numérique responsable."
                ),
                "kind": "guide",
                "languages": ["fr"],
                "labels": ["Écoconception", "Gratuit"],
                "audiences": ["Tous"],
                "source": "Direction interministérielle du numérique (France)",
                "licence": "Licence Ouverte 2.0",
            },
            {
                "title": "Institut du Numérique Responsable",
                "url": "https://institutnr.org/",
                "description": (
                    "Un réseau d'organisations engagées qui propose un label, une charte "
                    "et un **MOOC gratuit** sur le numérique responsable.\n"
                    "Ouvert aux associations et aux collectivités."
                ),
                "kind": "organisation",
                "languages": ["fr", "en"],
                "labels": ["Écoconception", "Collaboration"],
                "audiences": ["Tous"],
                "source": "Institut du Numérique Responsable",
                "licence": "",
            },
            {
                "title": "Décarbonons la culture ! Le rapport et son volet numérique",
                "url": "https://theshiftproject.org/",
                "description": (
                    "Un rapport qui chiffre la part du numérique dans l'empreinte carbone du "
                    "secteur culturel et propose des **scénarios de sobriété** pour les "
                    "festivals, les musées et le spectacle vivant.\n"
                    "Voir le chapitre consacré aux usages numériques."
                ),
                "kind": "article",
                "languages": ["fr"],
                "labels": ["Écoconception", "Stratégie"],
                "audiences": ["Festivals", "Musées", "Arts de la scène"],
                "source": "The Shift Project",
                "licence": "CC BY-NC-ND 4.0",
            },
        ],
    },
    {
        "title": "Accompagnement",
        "description": (
            "Des programmes, des réseaux et des personnes-ressources pour se faire accompagner."
        ),
        "cards": [
            {
                "title": "Réseau des agents de développement culturel numérique",
                "url": "https://www.quebec.ca/culture",
                "description": (
                    "Des agents répartis dans les régions du Québec qui accompagnent les "
                    "organismes dans leurs projets numériques et animent des "
                    "**communautés de pratique**.\n"
                    "Contactez l'agent de votre région pour un premier échange."
                ),
                "kind": "organisation",
                "languages": ["fr"],
                "labels": ["Collaboration", "Débutant"],
                "audiences": ["Tous"],
                "source": "Ministère de la Culture et des Communications du Québec",
                "licence": "",
            },
            {
                "title": "Fonds Stratégie numérique",
                "url": "https://conseildesarts.ca/",
                "description": (
                    "Un programme de financement pour les organismes qui veulent renforcer "
                    "leurs **compétences**, transformer leurs pratiques ou accéder à "
                    "l'expertise numérique.\n"
                    "Vérifiez les dates de dépôt sur le site du Conseil."
                ),
                "kind": "other",
                "languages": ["fr", "en"],
                "labels": ["Stratégie"],
                "audiences": ["Tous"],
                "source": "Conseil des arts du Canada",
                "licence": "Tous droits réservés",
            },
            {
                "title": "France Num : trouver un accompagnement près de chez soi",
                "url": "https://www.francenum.gouv.fr/",
                "description": (
                    "Un annuaire d'**activateurs** (conseillers, formateurs, prestataires) "
                    "et des guides pratiques pour les petites structures, associations "
                    "culturelles comprises.\n"
                    "Un autodiagnostic en ligne oriente vers les bons interlocuteurs."
                ),
                "kind": "organisation",
                "languages": ["fr"],
                "labels": ["Débutant", "Gratuit"],
                "audiences": ["Tous"],
                "source": "Direction générale des Entreprises (France)",
                "licence": "Licence Ouverte 2.0",
            },
            {
                "title": "Wikimédia France : partenariats avec les institutions culturelles",
                "url": "https://www.wikimedia.fr/",
                "description": (
                    "Accompagnement des musées, archives et bibliothèques qui souhaitent "
                    "verser leurs contenus dans les projets Wikimédia :\n"
                    "\n"
                    "- Ateliers de contribution\n"
                    "- **Wikimédien en résidence**"
                ),
                "kind": "organisation",
                "languages": ["fr"],
                "labels": ["Collaboration", "Données"],
                "audiences": ["Musées", "Bibliothèques"],
                "source": "Wikimédia France",
                "licence": "CC BY-SA 4.0",
            },
            {
                "title": "Réseau BIBLIO du Québec",
                "url": "https://www.reseaubiblioduquebec.qc.ca/",
                "description": (
                    "Le réseau qui soutient les bibliothèques publiques des petites "
                    "municipalités : ressources numériques, **formations** et soutien "
                    "technique.\n"
                    "Prêt de matériel et catalogue de ressources numériques partagé."
                ),
                "kind": "organisation",
                "languages": ["fr"],
                "labels": ["Collaboration"],
                "audiences": ["Bibliothèques"],
                "source": "Réseau BIBLIO du Québec",
                "licence": "",
            },
        ],
    },
    {
        "title": "Retours d'expérience",
        "description": (
            "Des conférences et des études de cas d'organismes qui sont passés à l'action."
        ),
        "cards": [
            {
                "title": "Paris Musées : l'ouverture des collections en accès libre",
                "url": "https://www.parismuseescollections.paris.fr/",
                "description": (
                    "Plus de 300 000 reproductions d'œuvres du domaine public diffusées sans "
                    "restriction.\n"
                    "\n"
                    "- Choix de la licence **CC0**\n"
                    "- Effets sur la fréquentation du site et les réutilisations"
                ),
                "kind": "article",
                "languages": ["fr"],
                "labels": ["Données", "Gratuit"],
                "audiences": ["Musées"],
                "source": "Paris Musées",
                "licence": "CC0 1.0",
            },
            {
                "title": "Micro-Folie : un musée numérique près de chez soi",
                "url": "https://lavillette.com/",
                "description": (
                    "Retour sur le déploiement de centaines de **musées numériques** dans "
                    "des communes, des médiathèques et des tiers-lieux, en France et à "
                    "l'étranger.\n"
                    "Un modèle de mutualisation de contenus entre grandes institutions."
                ),
                "kind": "article",
                "languages": ["fr"],
                "labels": ["Collaboration"],
                "audiences": ["Musées", "Bibliothèques"],
                "source": "La Villette",
                "licence": "Tous droits réservés",
            },
            {
                "title": "Capsules : des organismes culturels racontent leur virage numérique",
                "url": "https://www.lafabriqueculturelle.tv/",
                "description": (
                    "Une série de courtes vidéos tournées dans plusieurs régions du Québec : "
                    "un festival, un centre d'artistes et une bibliothèque partagent "
                    "**ce qui a marché** et ce qu'ils referaient autrement.\n"
                    "Chaque capsule dure moins de dix minutes."
                ),
                "kind": "video",
                "languages": ["fr"],
                "labels": ["Débutant"],
                "audiences": ["Festivals", "Centres d'artistes", "Bibliothèques"],
                "source": "La Fabrique culturelle (Télé-Québec)",
                "licence": "Tous droits réservés",
            },
            {
                "title": "MuseumNext : conférences sur la transformation numérique",
                "url": "https://www.museumnext.com/",
                "description": (
                    "Des dizaines de conférences filmées de musées du monde entier : "
                    "**stratégie**, collections en ligne, expériences immersives, IA.\n"
                    "En anglais."
                ),
                "kind": "video",
                "languages": ["en"],
                "labels": ["Stratégie"],
                "audiences": ["Musées"],
                "source": "MuseumNext",
                "licence": "Tous droits réservés",
            },
            {
                "title": "Museum Computer Network : archives des conférences",
                "url": "https://mcn.edu/",
                "description": (
                    "Les présentations de la conférence annuelle MCN, dont de nombreuses "
                    "**études de cas** sur les données, l'accessibilité et l'organisation "
                    "des équipes numériques.\n"
                    "En anglais, avec sous-titres pour la plupart."
                ),
                "kind": "video",
                "languages": ["en"],
                "labels": ["Données", "Collaboration"],
                "audiences": ["Musées"],
                "source": "Museum Computer Network",
                "licence": "Tous droits réservés",
            },
            {
                "title": "Web à Québec : la journée culture et numérique",
                "url": "https://webaquebec.org/",
                "description": (
                    "Un grand rendez-vous du numérique à Québec, avec une programmation "
                    "consacrée aux **organismes culturels** : conférences, panels et "
                    "réseautage.\n"
                    "Les conférences sont ensuite mises en ligne."
                ),
                "kind": "event",
                "languages": ["fr"],
                "labels": ["Collaboration"],
                "audiences": ["Tous"],
                "source": "Web à Québec",
                "licence": "",
            },
        ],
    },
]

DEMO_EXPERTS: list[DemoExpert] = [
    {
        "email": "expert.donnees@example.org",
        "name": "Mélanie Tremblay",
        "specialities": ["Métadonnées", "Découvrabilité", "Wikidata"],
        "languages": ["fr", "en"],
        "bio": (
            "Bibliothécaire de formation, Mélanie accompagne depuis dix ans musées et "
            "diffuseurs dans la description de leurs contenus en données liées."
        ),
    },
    {
        "email": "expert.strategie@example.org",
        "name": "Julien Moreau",
        "specialities": ["Stratégie numérique", "Gestion du changement", "Financement"],
        "languages": ["fr"],
        "bio": (
            "Ancien directeur d'une scène nationale, Julien aide les équipes à bâtir une "
            "feuille de route numérique réaliste et à mobiliser leur conseil d'administration."
        ),
    },
    {
        "email": "expert.ecoconception@example.org",
        "name": "Aïcha Benali",
        "specialities": ["Écoconception", "Accessibilité", "Refonte de site web"],
        "languages": ["fr", "en"],
        "bio": (
            "Conceptrice web, Aïcha applique le RGESN et le RGAA aux sites d'organismes "
            "culturels, du cahier des charges à la mise en ligne."
        ),
    },
    {
        "email": "expert.collaboration@example.org",
        "name": "François Gagnon",
        "specialities": ["Innovation ouverte", "Animation d'ateliers", "Mutualisation"],
        "languages": ["fr"],
        "bio": (
            "Facilitateur en laboratoire vivant, François conçoit des ateliers de cocréation "
            "entre organismes, publics et entreprises du numérique."
        ),
    },
]

DEMO_PARTICIPANT_ORGANISATIONS: list[str] = [
    "Musée régional de Rimouski",
    "Centre d'artistes Le Lieu",
    "Festival des arts de la rue de Sherbrooke",
    "Bibliothèque municipale de Trois-Rivières",
    "Scène nationale d'Annecy",
    "Médiathèque intercommunale du Val de Loire",
]
