"""A small edition with every question type (and a roster), and answers to it, for export tests."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from exports.results.counts import rebuild
from respondents.models import Collectivite
from surveys.models import Answer, Choice, Edition, MatrixRow, Question, Response, Section
from tests.edition_rules import shipped_rules

PARIS = ZoneInfo("Europe/Paris")
LIKERT = [
    ("tout_a_fait", "Oui, tout à fait"),
    ("plutot", "Oui, plutôt"),
    ("plutot_pas", "Non, plutôt pas"),
    ("pas_du_tout", "Non, pas du tout"),
    ("nsp", "Ne sait pas"),
]


def _question(edition, section, order, code, q_type, text, choices=(), rows=(), roster=None, **kw):
    question = Question.objects.create(
        edition=edition,
        section=section,
        roster=roster,
        order=order,
        code=code,
        type=q_type,
        text=text,
        **kw,
    )
    for index, choice in enumerate(choices):
        code_, label, *flags = choice
        Choice.objects.create(
            question=question,
            code=code_,
            label=label,
            order=index,
            exclusive="exclusive" in flags,
            other="other" in flags,
        )
    for index, (code_, label) in enumerate(rows):
        MatrixRow.objects.create(question=question, code=code_, label=label, order=index)
    return question


def build_edition(year: int = 2030) -> Edition:
    T = Question.Type
    edition = Edition.objects.create(
        year=year, title=f"Baromètre {year}", rules=shipped_rules(2021)
    )
    profil = Section.objects.create(edition=edition, code="profil", title="Profil", order=1)
    moyens = Section.objects.create(edition=edition, code="moyens", title="Moyens", order=2)
    _question(
        edition, profil, 1, "fonction_repondant", T.SINGLE, "Quelle est votre fonction ?",
        [("elu", "Élu·e"), ("dgs", "Direction générale"), ("autre", "Autre", "other")],
    )  # fmt: skip
    _question(
        edition, profil, 2, "outils_numeriques", T.MULTIPLE, "Quels dispositifs numériques ?",
        [
            ("site_information", "Site web d'information"),
            ("open_data", "Plateforme open data"),
            ("aucun", "Aucun", "exclusive"),
            ("autre", "Autre", "other"),
        ],
    )  # fmt: skip
    _question(
        edition, profil, 3, "objectifs", T.MATRIX, "Quels étaient vos objectifs ?", LIKERT,
        rows=[("augmenter_participants", "Augmenter le nombre"), ("transparence", "Transparence")],
    )  # fmt: skip
    _question(
        edition, profil, 4, "besoins", T.RANKING, "Il faudrait aujourd'hui…",
        [("formation", "Former"), ("budgets", "Des budgets"), ("evaluation", "Évaluer")],
        rank_count=2,
    )  # fmt: skip
    _question(edition, moyens, 1, "nb_agents", T.INTEGER, "Solde d'agents")
    _question(edition, moyens, 2, "etp_participation", T.DECIMAL, "Nombre d'ETP", min_value=0)
    _question(
        edition, moyens, 3, "budget_participation", T.MONEY, "Budget annuel (€)", allow_nsp=True
    )
    _question(edition, moyens, 4, "service_intitule", T.TEXT, "Intitulé du service")
    _question(edition, moyens, 5, "changements_prevus", T.LONGTEXT, "Quels changements ?")
    fiches = _question(
        edition, moyens, 6, "fiches_dispositifs", T.ROSTER, "Fiches dispositifs", max_items=20
    )
    _question(edition, moyens, 7, "nom", T.TEXT, "Nom du dispositif", roster=fiches, required=True)
    _question(
        edition, moyens, 8, "famille", T.SINGLE, "Grande famille", roster=fiches,
        choices=[("site_information", "Site web"), ("cartographie", "Cartographie")],
    )  # fmt: skip
    _question(
        edition, moyens, 9, "objectifs_dispositif", T.MULTIPLE, "Objectifs du dispositif",
        roster=fiches,
        choices=[("informer", "Informer"), ("debattre", "Débattre"), ("autre", "Autre", "other")],
    )  # fmt: skip
    _question(edition, moyens, 10, "satisfaction", T.INTEGER, "Note sur 20", roster=fiches)
    _question(
        edition, moyens, 11, "impact", T.MATRIX, "Impact sur…", LIKERT, roster=fiches,
        rows=[("nb_participants", "Le nombre de participants")],
    )  # fmt: skip
    return edition


def answer(response, code, value, item=0, other_text="", number=None):
    question = Question.objects.get(edition=response.edition, code=code)
    if number is None and isinstance(value, int | str) and code != "nom":
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            number = None
    return Answer.objects.create(
        response=response,
        question=question,
        item=item,
        value=value,
        number=number,
        other_text=other_text,
    )


def build_responses(edition, rennes, metz_metropole) -> dict:
    """Rennes answered everything (two dispositifs); Metz Métropole a draft; Ille-et-Vilaine
    answered nsp with a formula-like text."""
    ille = Collectivite.objects.create(
        kind=Collectivite.Kind.DEPARTEMENT,
        code="35",
        name="Ille-et-Vilaine",
        population=1_079_498,
        departement_code="35",
        region_code="53",
    )
    r = Response.objects.create(
        edition=edition,
        collectivite=rennes,
        status=Response.Status.SUBMITTED,
        submitted_at=datetime(2030, 5, 3, 14, 30, 12, tzinfo=PARIS),
    )
    Response.objects.filter(pk=r.pk).update(created_at=datetime(2030, 4, 2, 9, 0, 0, tzinfo=PARIS))
    answer(r, "fonction_repondant", "autre", other_text="Chargée de mission démocratie")
    answer(r, "outils_numeriques", ["site_information", "autre"], other_text="Forum maison")
    answer(r, "objectifs", {"augmenter_participants": "plutot", "transparence": "tout_a_fait"})
    answer(r, "besoins", {"budgets": 1, "formation": 2})
    answer(r, "nb_agents", 12)
    answer(r, "etp_participation", "2.5")
    answer(r, "budget_participation", "450000")
    answer(r, "service_intitule", "Service démocratie locale")
    answer(r, "changements_prevus", "Une assemblée citoyenne\net un budget participatif.")
    answer(r, "fiches_dispositifs", 2)
    answer(r, "nom", "Fabrique citoyenne", item=1)
    answer(r, "famille", "site_information", item=1)
    answer(r, "objectifs_dispositif", ["informer", "autre"], item=1, other_text="Co-construire")
    answer(r, "satisfaction", 15, item=1)
    answer(r, "impact", {"nb_participants": "plutot"}, item=1)
    answer(r, "nom", "Carte des projets", item=2)
    answer(r, "famille", "cartographie", item=2)
    answer(r, "satisfaction", 11, item=2)

    m = Response.objects.create(edition=edition, collectivite=metz_metropole)
    Response.objects.filter(pk=m.pk).update(created_at=datetime(2030, 4, 5, 10, 0, 0, tzinfo=PARIS))
    answer(m, "fonction_repondant", "dgs")
    answer(m, "outils_numeriques", ["aucun"])
    answer(m, "nb_agents", -3)

    d = Response.objects.create(
        edition=edition,
        collectivite=ille,
        status=Response.Status.VALIDATED,
        submitted_at=datetime(2030, 5, 10, 8, 0, 0, tzinfo=PARIS),
        validated_at=datetime(2030, 5, 11, 18, 15, 0, tzinfo=PARIS),
    )
    Response.objects.filter(pk=d.pk).update(created_at=datetime(2030, 4, 7, 11, 0, 0, tzinfo=PARIS))
    answer(d, "fonction_repondant", "elu")
    answer(d, "budget_participation", "nsp")
    answer(d, "etp_participation", "0.5")
    answer(d, "service_intitule", '=HYPERLINK("http://evil.test","clic")')
    answer(d, "changements_prevus", "-2 réunions, +3 ateliers")
    answer(d, "fiches_dispositifs", 1)
    answer(d, "nom", "@moderation", item=1)
    # Written answer by answer, as a bulk load: the results' counts are rebuilt as after one.
    rebuild(edition)
    return {"rennes": r, "metz": m, "ille": d}
