"""A database of the first layout (back-office and results models inside `surveys` and
`exports`) upgrades to the apps of their own with every row where it was."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from exports.results.models import ResultCount, ResultSnapshot
from surveys.backoffice.models import AnswerAudit, EditionEvent, ResponseComment
from surveys.models import Response

BEFORE_THE_MOVE = [
    ("surveys", "0004_answer_numbers_idx"),
    ("exports", "0004_resultcount_fill"),
    ("backoffice", None),
    ("results", None),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1]]).apps


@pytest.mark.django_db(transaction=True)
def test_the_first_layouts_data_is_intact_after_the_upgrade():
    old = migrate(BEFORE_THE_MOVE)
    Edition = old.get_model("surveys", "Edition")
    Collectivite = old.get_model("respondents", "Collectivite")
    edition = Edition.objects.create(year=2021, title="Baromètre 2021", status="open")
    rennes = Collectivite.objects.create(kind="commune", code="35238", name="Rennes")
    response = old.get_model("surveys", "Response").objects.create(
        edition=edition, collectivite=rennes, status="submitted"
    )
    old.get_model("surveys", "EditionEvent").objects.create(
        edition=edition, kind="status", from_status="draft", to_status="open"
    )
    old.get_model("surveys", "ResponseComment").objects.create(
        response=response, kind="flag", body="À vérifier", question_code="budget_participation"
    )
    old.get_model("surveys", "AnswerAudit").objects.create(
        response=response, question_code="budget_participation", item=0, old_value=1, new_value=2
    )
    section = old.get_model("surveys", "Section").objects.create(
        edition=edition, code="profil", title="Profil"
    )
    question = old.get_model("surveys", "Question").objects.create(
        edition=edition, section=section, code="nb", type="integer", text="Combien ?"
    )
    old.get_model("exports", "ResultCount").objects.create(
        edition=edition, question=question, type="commune", tranche="gt1m", key="#answer", n=1
    )
    old.get_model("exports", "ResultSnapshot").objects.create(
        edition=edition, data={"respondents": 1}, computed_at="2026-12-01T12:00:00Z"
    )

    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())

    assert Response.objects.get().collectivite.name == "Rennes"
    assert EditionEvent.objects.get().to_status == "open"
    comment = ResponseComment.objects.get()
    assert (comment.response.pk, comment.body) == (response.pk, "À vérifier")
    assert AnswerAudit.objects.get().new_value == 2
    assert ResultCount.objects.get().n == 1
    assert ResultSnapshot.objects.get().data == {"respondents": 1}
    # The tables kept their names: no data moved.
    assert EditionEvent._meta.db_table == "surveys_editionevent"
    assert ResultCount._meta.db_table == "exports_resultcount"
