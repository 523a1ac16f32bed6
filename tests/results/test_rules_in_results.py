"""The results follow the edition's rules: changing them in the definition file changes the
figures, without a line of Python."""

from pathlib import Path

from exports.results.cache import get_results
from respondents.models import Collectivite
from surveys.definition import load_definition
from surveys.definition.sync import import_definition
from tests.results.results_data import respond

EDITION_2021 = Path(__file__).resolve().parent.parent.parent / "editions" / "2021.yaml"


def figures(edition, code):
    return next(q for q in get_results(edition)["questions"] if q["code"] == code)


def test_a_reimported_definition_with_new_brackets_gives_new_figures(
    db, rennes, django_capture_on_commit_callbacks
):
    text = EDITION_2021.read_text(encoding="utf-8")
    edition, _ = import_definition(load_definition("2021.yaml", text=text))
    for n, etp in enumerate(["0.5", "2", "2.5", "4"]):
        coll = Collectivite.objects.create(
            kind=Collectivite.Kind.COMMUNE, code=f"9900{n}", name=f"C{n}", population=1000
        )
        respond(edition, coll, {"etp_participation": etp, "budget_participation": "500"})
    before = figures(edition, "etp_participation")["number"]["brackets"]
    assert [(b["code"], b["count"]) for b in before][:3] == [("lt1", 1), ("1_2", 2), ("3_5", 1)]
    assert figures(edition, "budget_participation")["indicator"]["mean"] == 0.5

    changed = text.replace(
        "{code: '1_2', label: De 1 à moins de 3, from: 1, below: 3}",
        "{code: '1_2', label: 'De 1 à 2,5 compris', from: 1, upto: 2.5}",
    ).replace(
        "{code: '3_5', label: De 3 à moins de 6, from: 3, below: 6}",
        "{code: '3_5', label: 'Plus de 2,5 et moins de 6', above: 2.5, below: 6}",
    )
    assert changed != text
    with django_capture_on_commit_callbacks(execute=True):
        _, was_changed = import_definition(load_definition("2021.yaml", text=changed))
    assert was_changed
    after = figures(edition, "etp_participation")["number"]["brackets"]
    assert [(b["code"], b["label"], b["count"]) for b in after][1:3] == [
        ("1_2", "De 1 à 2,5 compris", 2),
        ("3_5", "Plus de 2,5 et moins de 6", 1),
    ]
