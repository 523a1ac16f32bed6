import random
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from respondents.models import Collectivite
from surveys.definition import import_definition, load_definition
from surveys.models import Answer, Edition, Question, Response
from surveys.synthetic import (
    compile_questionnaire,
    generate_answers,
    load_respondents,
    pick_respondents,
    seed_responses,
)
from surveys.validation import CleanAnswer, clean_answer
from surveys.visibility import answer_values, drop_hidden_answers, is_visible, item_values
from tests.surveys.definition_helpers import snapshot
from tests.surveys.factories import build_edition


@pytest.fixture
def edition(db):
    return build_edition()


def referential(communes=30, epcis=8, metropoles=2, departements=4, regions=2):
    kinds = [
        (Collectivite.Kind.COMMUNE, "", communes),
        (Collectivite.Kind.EPCI, "CC", epcis),
        (Collectivite.Kind.EPCI, "METRO", metropoles),
        (Collectivite.Kind.DEPARTEMENT, "", departements),
        (Collectivite.Kind.REGION, "", regions),
    ]
    for kind, epci_type, count in kinds:
        for n in range(count):
            Collectivite.objects.create(
                kind=kind,
                code=f"{kind[:3]}{epci_type}{n}",
                name=f"{kind} {epci_type} {n}",
                epci_type=epci_type,
                population=1000 * (n + 1),
                region_code="53",
            )


def assert_valid(response):
    """Every answer is what clean_answer stores, and no condition hides any of them."""
    values = answer_values(response)
    items = item_values(response)
    answers = list(
        response.answers.select_related("question__section", "question__roster__section")
        .prefetch_related("question__choices", "question__rows")
        .order_by("item", "pk")
    )
    roster_counts = {a.question_id: a.value for a in answers if a.question.type == "roster"}
    for answer in answers:
        question = answer.question
        context = {**values, **items.get(answer.item, {})} if answer.item else values
        assert is_visible(question, context), question.code
        cleaned = clean_answer(
            question, answer.value, other_text=answer.other_text, context=context
        )
        assert cleaned == CleanAnswer(answer.value, answer.number, answer.other_text), question.code
        if answer.item:
            assert 1 <= answer.item <= roster_counts[question.roster_id], question.code
    assert drop_hidden_answers(response) == 0


def test_every_generated_answer_passes_clean_answer(edition, rennes, metz_metropole):
    referential()
    result = seed_responses(edition, 40, seed=7)
    assert result.responses == 40
    assert result.answers == Answer.objects.filter(response__edition=edition).count()
    responses = Response.objects.filter(edition=edition).select_related("collectivite")
    for response in responses:
        assert_valid(response)


def test_mixed_statuses_include_drafts_that_stop_early(edition):
    referential()
    seed_responses(edition, 40, seed=3, status="mixed")
    statuses = Counter(Response.objects.filter(edition=edition).values_list("status", flat=True))
    assert set(statuses) == {"draft", "submitted", "validated"}
    for response in Response.objects.filter(edition=edition).select_related("collectivite"):
        assert_valid(response)
        if response.status == "draft":
            assert response.submitted_at is None
        else:
            assert response.submitted_at is not None


def test_submitted_responses_answer_visible_required_questions(edition):
    referential()
    seed_responses(edition, 30, seed=1)
    fonction = Question.objects.get(edition=edition, code="fonction_repondant")
    nom = Question.objects.get(edition=edition, code="nom")
    for response in Response.objects.filter(edition=edition):
        assert response.answers.filter(question=fonction).exists()
        count = response.answers.filter(question__code="fiches_dispositifs").first()
        sheets = count.value if count else 0
        assert response.answers.filter(question=nom).count() == sheets


def test_generation_covers_every_type_and_both_sides_of_conditions(edition):
    referential()
    seed_responses(edition, 40, seed=11)
    answered = Counter(Answer.objects.values_list("question__type", flat=True))
    assert set(answered) == {choice for choice, _ in Question.Type.choices}
    by_code = defaultdict(list)
    for code, value, other in Answer.objects.values_list("question__code", "value", "other_text"):
        by_code[code].append((value, other))
    assert ["aucun"] in [value for value, _ in by_code["outils_numeriques"]]
    assert "logiciel" in by_code
    assert all(len(value) == 3 for value, _ in by_code["besoins"])
    assert all(other for value, other in by_code["fonction_repondant"] if value == "autre")
    assert all(not other for value, other in by_code["fonction_repondant"] if value != "autre")
    regions_and_departements = Response.objects.filter(
        edition=edition, collectivite__kind__in=["departement", "region"]
    )
    assert regions_and_departements.exists()
    assert not Answer.objects.filter(
        response__in=regions_and_departements, question__code="elections_concernee"
    ).exists()


def test_a_single_respondent_is_reproducible_with_a_seed(edition, rennes):
    questionnaire = compile_questionnaire(edition)
    respondent = load_respondents(Collectivite.objects.filter(pk=rennes.pk))[0]
    first = generate_answers(questionnaire, respondent, random.Random(5))
    assert first == generate_answers(questionnaire, respondent, random.Random(5))
    assert first != generate_answers(questionnaire, respondent, random.Random(6))


def test_the_mix_is_mostly_communes_with_every_type(edition):
    referential(communes=200, epcis=60, metropoles=10, departements=30, regions=10)
    respondents = pick_respondents(edition, 100, random.Random(2))
    types = Counter(respondent.type_collectivite for respondent in respondents)
    assert len({respondent.id for respondent in respondents}) == 100
    assert types["commune"] == 62
    assert types["intercommunalite"] == 20
    assert types["departement"] == 10
    assert types["region"] == 5
    assert types["metropole"] == 3


def test_synthetic_collectivites_are_created_only_when_needed_and_reused(edition, rennes):
    result = seed_responses(edition, 5, seed=1)
    assert result.created_collectivites == 4
    synthetic = Collectivite.objects.filter(code__startswith="SYN").order_by("code")
    assert [c.name for c in synthetic][:2] == [
        "Collectivité fictive 00001",
        "Collectivité fictive 00002",
    ]
    assert synthetic.first().search_name == "collectivite fictive 00001"
    assert Response.objects.filter(edition=edition, collectivite=rennes).exists()
    again = seed_responses(edition, 5, seed=2)
    assert again.created_collectivites == 0
    assert Collectivite.objects.filter(code__startswith="SYN").count() == 4


def test_seeding_again_replaces_synthetic_responses_and_keeps_real_ones(edition, rennes):
    referential(communes=10, epcis=0, metropoles=0, departements=0, regions=0)
    real = Response.objects.create(edition=edition, collectivite=rennes, status="submitted")
    Answer.objects.create(
        response=real,
        question=Question.objects.get(edition=edition, code="service_dedie"),
        value="oui",
    )
    seed_responses(edition, 8, seed=1)
    seed_responses(edition, 6, seed=2)
    assert Response.objects.filter(edition=edition, is_synthetic=True).count() == 6
    assert Response.objects.filter(edition=edition, is_synthetic=False).get() == real
    assert real.answers.get().value == "oui"
    synthetic_collectivites = Response.objects.filter(is_synthetic=True).values("collectivite")
    assert not synthetic_collectivites.filter(collectivite=rennes).exists()


def test_seed_demo_command(edition, capsys):
    referential()
    call_command("seed_demo", "--edition", "2030", "--respondents", "12", "--seed", "4")
    assert Response.objects.filter(edition=edition, is_synthetic=True).count() == 12
    assert "Édition 2030 : 12 réponses fictives" in capsys.readouterr().out
    call_command("seed_demo", "--edition", "2030", "--respondents", "5", "--status", "mixed")
    assert Response.objects.filter(edition=edition).count() == 5


def test_seed_demo_refuses_an_unknown_edition(db):
    with pytest.raises(CommandError, match="Aucune édition 1999 : importez-la d'abord."):
        call_command("seed_demo", "--edition", "1999", "--respondents", "3")


def test_setup_demo_imports_the_editions_then_seeds_them_idempotently(db, settings):
    settings.DEBUG = True
    referential()
    call_command("setup_demo")
    edition_2021 = Edition.objects.get(year=2021)
    before = snapshot(edition_2021)
    call_command("setup_demo")
    edition_2021.refresh_from_db()
    assert edition_2021.status == Edition.Status.OPEN
    assert edition_2021.opens_at < timezone.now() < edition_2021.closes_at
    assert snapshot(edition_2021) == before
    assert Edition.objects.get(year=2018).status == Edition.Status.PUBLISHED
    responses = Response.objects.filter(edition=edition_2021)
    assert responses.count() == 200
    assert responses.filter(is_synthetic=True).count() == 200
    assert responses.filter(status="draft").exists()
    assert responses.filter(status="submitted").exists()
    responses_2018 = Response.objects.filter(edition__year=2018)
    assert responses_2018.count() == responses_2018.filter(status="submitted").count() == 150


@pytest.mark.parametrize("year", [2021, 2018])
def test_responses_to_the_shipped_editions_are_valid(db, year, rennes, metz_metropole):
    path = Path(__file__).resolve().parents[2] / "editions" / f"{year}.yaml"
    edition, _ = import_definition(load_definition(path))
    referential(communes=40, epcis=10, metropoles=2, departements=5, regions=3)
    seed_responses(edition, 60, seed=year, status="mixed")
    responses = Response.objects.filter(edition=edition).select_related("collectivite")
    assert responses.count() == 60
    for response in responses:
        assert_valid(response)
    answered = set(
        Answer.objects.filter(response__edition=edition).values_list("question__code", flat=True)
    )
    asked = set(edition.questions.values_list("code", flat=True))
    # 60 respondents of every type reach every question, conditional ones included.
    assert asked - answered == set()
