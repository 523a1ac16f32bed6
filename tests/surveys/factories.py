"""Plain helpers that build small editions with the ORM, covering every question type."""

from decimal import Decimal

from surveys.models import Choice, Edition, MatrixRow, Question, Section
from tests.edition_rules import shipped_rules

LIKERT4N = [
    ("tout_a_fait", "Oui, tout à fait"),
    ("plutot", "Oui, plutôt"),
    ("plutot_pas", "Non, plutôt pas"),
    ("pas_du_tout", "Non, pas du tout"),
    ("nsp", "Ne sait pas"),
]


def add_question(section, code, type, *, choices=(), rows=(), roster=None, **fields):
    """A question; choices are (code, label) or (code, label, {exclusive, other, condition})."""
    order = section.questions.count() + (roster.item_questions.count() if roster else 0)
    question = Question.objects.create(
        edition=section.edition,
        section=section,
        roster=roster,
        code=code,
        type=type,
        text=fields.pop("text", f"Question {code}"),
        order=order,
        **fields,
    )
    for position, choice in enumerate(choices):
        code, label, *extra = choice
        Choice.objects.create(
            question=question, code=code, label=label, order=position, **(extra[0] if extra else {})
        )
    for position, (code, label) in enumerate(rows):
        MatrixRow.objects.create(question=question, code=code, label=label, order=position)
    return question


def build_edition(year: int = 2030) -> Edition:
    """An edition with every type, section/question/choice conditions and a roster."""
    edition = Edition.objects.create(
        year=year, title=f"Baromètre {year}", status="open", rules=shipped_rules(2021)
    )
    profil = Section.objects.create(edition=edition, code="profil", title="Profil", order=0)
    add_question(
        profil,
        "fonction_repondant",
        "single",
        required=True,
        choices=[("elu", "Élu·e"), ("dgs", "DGS"), ("autre", "Autre", {"other": True})],
    )
    add_question(
        profil,
        "dispositifs_existants",
        "multiple",
        choices=[
            (
                "conseils_quartier",
                "Conseils de quartier",
                {"condition": "type_collectivite = commune"},
            ),
            ("budget_participatif", "Budget participatif"),
            ("reunions_publiques", "Réunions publiques"),
            ("autre", "Autre", {"other": True}),
        ],
    )
    add_question(profil, "service_dedie", "single", choices=[("oui", "Oui"), ("non", "Non")])
    add_question(profil, "service_intitule", "text", condition="service_dedie = oui")

    moyens = Section.objects.create(edition=edition, code="moyens", title="Moyens", order=1)
    add_question(
        moyens,
        "etp_participation",
        "decimal",
        min_value=Decimal(0),
        max_value=Decimal(10_000),
        step=Decimal("0.1"),
    )
    add_question(moyens, "budget_participation", "money", min_value=Decimal(0), allow_nsp=True)
    add_question(moyens, "nb_reunions", "integer", min_value=Decimal(0), max_value=Decimal(500))
    add_question(
        moyens,
        "outils_numeriques",
        "multiple",
        choices=[
            ("site_information", "Site web d'information"),
            ("forum", "Forum"),
            ("aucun", "Aucun", {"exclusive": True}),
            ("autre", "Autre", {"other": True}),
        ],
    )
    add_question(
        moyens,
        "logiciel",
        "single",
        condition="outils_numeriques has_other_than aucun",
        choices=[("libre", "Libre"), ("proprietaire", "Propriétaire"), ("nsp", "Ne sait pas")],
    )
    add_question(
        moyens,
        "apports",
        "matrix",
        choices=LIKERT4N,
        rows=[
            ("transparence", "Transparence"),
            ("efficacite", "Efficacité"),
            ("confiance", "Confiance"),
        ],
    )
    add_question(
        moyens,
        "besoins",
        "ranking",
        rank_count=3,
        choices=[(f"besoin_{n}", f"Besoin {n}") for n in range(1, 7)],
    )
    add_question(moyens, "commentaire", "longtext")

    focus = Section.objects.create(
        edition=edition,
        code="focus_elections",
        title="Focus élections",
        order=2,
        condition="type_collectivite in [commune, intercommunalite]",
    )
    add_question(focus, "elections_concernee", "single", choices=[("oui", "Oui"), ("non", "Non")])
    add_question(
        focus,
        "changement_majorite",
        "single",
        condition="elections_concernee = oui",
        choices=[("oui", "Oui"), ("non", "Non")],
    )

    fiches = Section.objects.create(edition=edition, code="fiches", title="Fiches", order=3)
    roster = add_question(fiches, "fiches_dispositifs", "roster", min_items=0, max_items=20)
    add_question(fiches, "nom", "text", roster=roster, required=True)
    add_question(
        fiches,
        "synthese",
        "multiple",
        roster=roster,
        choices=[
            ("publiee", "Publiée"),
            ("decision", "Décision"),
            ("non", "Non", {"exclusive": True}),
        ],
    )
    add_question(
        fiches,
        "auteur_synthese",
        "multiple",
        roster=roster,
        condition="synthese has_other_than non",
        choices=[("vie_citoyenne", "Vie citoyenne"), ("autre", "Autre", {"other": True})],
    )
    add_question(
        fiches,
        "satisfaction",
        "integer",
        roster=roster,
        min_value=Decimal(0),
        max_value=Decimal(20),
    )
    add_question(
        fiches,
        "ranking_complet",
        "ranking",
        roster=roster,
        choices=[("a", "A"), ("b", "B"), ("c", "C")],
    )
    return edition
