"""Helpers shared by the definition tests: a small valid file and a database snapshot."""

from textwrap import dedent

from surveys.models import Choice, Edition, MatrixRow, Question, Section

MINIMAL = """\
edition:
  year: 2030
  title: Édition de test
lists:
  OUINON:
    - {code: oui, label: Oui}
    - {code: non, label: Non}
sections:
  - code: profil
    title: Profil
    questions:
      - code: service_dedie
        type: single
        text: Un service dédié ?
        required: true
        choices: OUINON
      - code: service_intitule
        type: text
        text: Intitulé du service
        condition: service_dedie = oui
      - code: outils
        type: multiple
        text: Quels outils ?
        choices:
          - {code: forum, label: Forum}
          - {code: aucun, label: Aucun, exclusive: true}
          - {code: autre, label: Autre, other: true}
      - code: avis
        type: matrix
        text: Votre avis
        rows:
          - {code: clarte, label: Clarté}
          - {code: utilite, label: Utilité}
        scale: OUINON
"""


def text(source: str) -> str:
    return dedent(source)


def snapshot(edition: Edition) -> dict:
    """Every stored field of the edition's tree except ids and timestamps."""

    def fields(instance, skip=()) -> dict:
        return {
            field.name: getattr(instance, field.attname)
            for field in instance._meta.concrete_fields
            if field.name not in {"id", "created_at", "updated_at", *skip}
        }

    questions = Question.objects.filter(edition=edition)
    codes = {question.pk: question.code for question in questions}
    return {
        "edition": fields(edition),
        "sections": [fields(s, {"edition"}) for s in Section.objects.filter(edition=edition)],
        "questions": [
            {
                **fields(q, {"edition", "section", "roster"}),
                "section": q.section.code,
                "roster": codes.get(q.roster_id),
            }
            for q in questions.order_by("code")
        ],
        "choices": sorted(
            (codes[c.question_id], c.code, c.label, c.order, c.exclusive, c.other, c.condition)
            for c in Choice.objects.filter(question__edition=edition)
        ),
        "rows": sorted(
            (codes[r.question_id], r.code, r.label, r.order)
            for r in MatrixRow.objects.filter(question__edition=edition)
        ),
    }


def import_shipped(year: int) -> Edition:
    from pathlib import Path

    from surveys.definition import import_definition, load_definition

    path = Path(__file__).resolve().parents[2] / "editions" / f"{year}.yaml"
    return import_definition(load_definition(path))[0]


def answer(edition: Edition, collectivite, values: dict):
    """A response of `collectivite` with the given {code: value} answers (item 0)."""
    from surveys.models import Answer, Response

    response, _ = Response.objects.get_or_create(edition=edition, collectivite=collectivite)
    for code, value in values.items():
        Answer.objects.create(
            response=response, question=edition.questions.get(code=code), value=value
        )
    return response
