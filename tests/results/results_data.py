"""Small editions whose figures are known by hand, shared by the results tests.

`build_2021` gives 9 collectivités: 8 counted responses (7 submitted, 1 validated) and one draft
that must never count. The expected figures are worked out in the comments next to the answers.
"""

from decimal import Decimal

from django.utils import timezone

from exports.results.counts import count_response
from respondents.models import Collectivite
from surveys.models import Answer, Choice, Edition, MatrixRow, Question, Response, Section
from tests.edition_rules import shipped_rules

LIKERT = [
    ("tout_a_fait", "Oui, tout à fait"),
    ("plutot", "Oui, plutôt"),
    ("plutot_pas", "Non, plutôt pas"),
    ("pas_du_tout", "Non, pas du tout"),
    ("nsp", "Ne sait pas"),
]
LIKERT_2018 = [
    ("tout_a_fait", "Oui, tout à fait"),
    ("plutot", "Oui, plutôt"),
    ("pas_vraiment", "Non, pas vraiment"),
    ("pas_du_tout", "Non, pas du tout"),
    ("nsp", "Ne sait pas"),
]
BESOINS = [
    ("formation", "Former élus et agents"),
    ("budgets", "Des budgets plus importants"),
    ("visibilite", "Une meilleure visibilité"),
    ("evaluation", "Une évaluation plus précise des impacts"),
]


def question(edition, section, code, type, choices=(), rows=(), order=0, **extra) -> Question:
    q = Question.objects.create(
        edition=edition, section=section, code=code, type=type, text=code, order=order, **extra
    )
    for i, (c, label) in enumerate(choices):
        Choice.objects.create(question=q, code=c, label=label, order=i)
    for i, (c, label) in enumerate(rows):
        MatrixRow.objects.create(question=q, code=c, label=label, order=i)
    return q


def collectivite(name, population, region, kind="commune", epci_type="") -> Collectivite:
    return Collectivite.objects.create(
        kind=kind,
        code=name,
        name=name,
        population=population,
        region_code=region,
        epci_type=epci_type,
    )


def respond(edition, coll, answers: dict, status=Response.Status.SUBMITTED) -> Response:
    response = Response.objects.create(
        edition=edition,
        collectivite=coll,
        status=status,
        submitted_at=timezone.now() if status != Response.Status.DRAFT else None,
    )
    questions = {q.code: q for q in edition.questions.all()}
    for code, value in answers.items():
        number = None
        if questions[code].type in ("integer", "decimal", "money") and value != "nsp":
            number = Decimal(str(value))
            value = value if isinstance(value, int) else str(value)
        Answer.objects.create(
            response=response, question=questions[code], value=value, number=number
        )
    # Created already sent: added to the results' counts as a submission would.
    count_response(response)
    return response


def build_2021(year=2021) -> Edition:
    edition = Edition.objects.create(
        year=year, title=f"Baromètre {year}", status="closed", rules=shipped_rules(2021)
    )
    section = Section.objects.create(edition=edition, code="a", title="Profil", order=1)
    question(edition, section, "service_dedie", "single", [("oui", "Oui"), ("non", "Non")], order=1)
    question(
        edition,
        section,
        "dispositifs_existants",
        "multiple",
        [
            ("conseil_jeunes", "Conseil des jeunes"),
            ("budget_participatif", "Budget participatif"),
            ("reunions_publiques", "Réunions publiques"),
        ],
        order=2,
    )
    question(
        edition,
        section,
        "apports",
        "matrix",
        LIKERT,
        rows=[("transparence", "Transparence"), ("efficacite", "Efficacité")],
        order=3,
    )
    question(edition, section, "besoins", "ranking", BESOINS, order=4, rank_count=3)
    question(edition, section, "etp_participation", "decimal", order=5)
    question(edition, section, "budget_participation", "money", order=6, allow_nsp=True)
    question(edition, section, "service_intitule", "text", order=7)

    c1 = collectivite("C1", 1000, "53")
    c2 = collectivite("C2", 2000, "53")
    c3 = collectivite("C3", 3000, "53")
    c4 = collectivite("C4", 20000, "44")
    c5 = collectivite("C5", 40000, "44", kind="epci", epci_type="CC")
    c6 = collectivite("C6", 600000, "44", kind="epci", epci_type="METRO")
    c7 = collectivite("C7", 4000, "53")
    c8 = collectivite("C8", 1500, "53")
    c9 = collectivite("C9", 800, "53")

    # service_dedie, base 7 (C9 did not answer): oui 5 (71.4 %), non 2 (28.6 %).
    # dispositifs_existants, base 8: conseil_jeunes 5 (62.5 %), budget_participatif 4 (50 %),
    # reunions_publiques 3 (37.5 %).
    # apports, base 4: transparence (4) 2 tout_a_fait, 1 plutot, 1 plutot_pas; efficacite (3)
    # 2 plutot (66.7 %), 1 nsp (33.3 %).
    # besoins, base 4: formation top 3 100 %, score 10/4 = 2.5; budgets 100 %, 7/4 = 1.75;
    # visibilite 75 %, 6/4 = 1.5; evaluation 25 %, 1/4 = 0.25.
    # etp_participation, 6 answers: mean 4.5, median 2.75, brackets 1 · 2 · 1 · 1 · 1.
    # budget_participation, base 7 with 1 nsp: mean 72 083.33, median 14 000; € per inhabitant
    # 0.5 · 2 · 5 · 0.5 · 0.5 · 2: mean 1.75, median 1.25, 3 of 6 (50 %) under 1 €/hab.
    respond(
        edition,
        c1,
        {
            "service_dedie": "oui",
            "dispositifs_existants": ["conseil_jeunes", "budget_participatif"],
            "apports": {"transparence": "tout_a_fait", "efficacite": "plutot"},
            "besoins": {"formation": 1, "budgets": 2, "visibilite": 3},
            "etp_participation": "0.5",
            "budget_participation": 500,
            "service_intitule": "Mission participation",
        },
    )
    respond(
        edition,
        c2,
        {
            "service_dedie": "oui",
            "dispositifs_existants": ["conseil_jeunes"],
            "apports": {"transparence": "tout_a_fait", "efficacite": "plutot"},
            "besoins": {"budgets": 1, "formation": 2, "evaluation": 3},
            "etp_participation": 1,
            "budget_participation": 4000,
        },
    )
    respond(
        edition,
        c3,
        {
            "service_dedie": "non",
            "dispositifs_existants": ["conseil_jeunes", "reunions_publiques"],
            "apports": {"transparence": "plutot", "efficacite": "nsp"},
            "besoins": {"formation": 1, "visibilite": 2, "budgets": 3},
            "etp_participation": "2.5",
            "budget_participation": "nsp",
        },
    )
    respond(
        edition,
        c4,
        {
            "service_dedie": "oui",
            "dispositifs_existants": ["budget_participatif"],
            "apports": {"transparence": "plutot_pas"},
            "besoins": {"visibilite": 1, "formation": 2, "budgets": 3},
            "etp_participation": 3,
            "budget_participation": 100000,
        },
    )
    respond(
        edition,
        c5,
        {
            "service_dedie": "non",
            "dispositifs_existants": [
                "conseil_jeunes",
                "budget_participatif",
                "reunions_publiques",
            ],
            "etp_participation": 8,
            "budget_participation": 20000,
        },
    )
    respond(
        edition,
        c6,
        {
            "service_dedie": "oui",
            "dispositifs_existants": ["budget_participatif"],
            "etp_participation": 12,
            "budget_participation": 300000,
        },
    )
    respond(
        edition,
        c7,
        {
            "service_dedie": "oui",
            "dispositifs_existants": ["reunions_publiques"],
            "budget_participation": 8000,
        },
        status=Response.Status.VALIDATED,
    )
    respond(
        edition,
        c8,
        {
            "service_dedie": "non",
            "dispositifs_existants": ["reunions_publiques"],
            "etp_participation": 100,
            "budget_participation": 1,
        },
        status=Response.Status.DRAFT,
    )
    respond(edition, c9, {"dispositifs_existants": ["conseil_jeunes"]})
    return edition


def build_2018_ranking() -> Edition:
    """2018: all 10 items ranked (10 points for rank 1); `apports` on the 2018 scale.

    besoins: R1 and R2 rank i0..i9 as 1..10, R3 the other way round: i0 scores
    (10 + 10 + 1) / 3 = 7.0 and is in the top 3 of 2 in 3 (66.7 %); i9 scores 4.0, 33.3 %.
    apports/transparence: tout_a_fait, pas_vraiment, pas_vraiment (trend: 66.7 % plutot_pas).
    """
    edition = Edition.objects.create(
        year=2018, title="Baromètre 2018", status="published", rules=shipped_rules(2018)
    )
    section = Section.objects.create(edition=edition, code="a", title="Profil", order=1)
    items = [(f"i{n}", f"Item {n}") for n in range(10)]
    question(edition, section, "besoins", "ranking", items, order=1)
    question(
        edition,
        section,
        "apports",
        "matrix",
        LIKERT_2018,
        rows=[("transparence", "Transparence")],
        order=2,
    )
    question(edition, section, "service_dedie", "single", [("oui", "Oui"), ("non", "Non")], order=3)
    straight = {f"i{n}": n + 1 for n in range(10)}
    reverse = {f"i{n}": 10 - n for n in range(10)}
    for name, ranks, scale, dedie in [
        ("R1", straight, "tout_a_fait", "oui"),
        ("R2", straight, "pas_vraiment", "non"),
        ("R3", reverse, "pas_vraiment", "non"),
    ]:
        coll = Collectivite.objects.filter(code=name).first() or collectivite(name, 5000, "11")
        respond(
            edition,
            coll,
            {
                "besoins": ranks,
                "apports": {"transparence": scale},
                "service_dedie": dedie,
            },
        )
    return edition


def build_public(year=2020) -> Edition:
    """12 respondents for small-cell suppression.

    choix: a 6, b 4, c 2 (b and c hidden, a shown); peu: answered by 4 (hidden whole);
    multi: x chosen by 7 (shown), y by 10 (hidden: only 2 did not choose it).
    Régions: 9 in Bretagne (53), 3 in Grand Est (44).
    """
    edition = Edition.objects.create(year=year, title=f"Baromètre {year}", status="published")
    section = Section.objects.create(edition=edition, code="a", title="Profil", order=1)
    question(edition, section, "choix", "single", [("a", "A"), ("b", "B"), ("c", "C")], order=1)
    question(edition, section, "peu", "single", [("oui", "Oui"), ("non", "Non")], order=2)
    question(edition, section, "multi", "multiple", [("x", "X"), ("y", "Y")], order=3)
    question(edition, section, "intitule", "text", order=4)
    choix = ["a"] * 6 + ["b"] * 4 + ["c"] * 2
    for n in range(12):
        coll = collectivite(f"Secret-{n}", 1000 + n, "53" if n < 9 else "44")
        answers = {
            "choix": choix[n],
            "multi": (["x"] if n < 7 else []) + (["y"] if n < 10 else []),
            "intitule": f"Service de Secret-{n}",
        }
        if n < 4:
            answers["peu"] = "oui"
        respond(edition, coll, answers)
    return edition
