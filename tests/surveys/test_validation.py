from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from surveys.models import Question
from surveys.validation import (
    CleanAnswer,
    clean_answer,
    format_number,
    is_empty,
    parse_french_number,
)
from tests.surveys.factories import build_edition


@pytest.fixture
def edition(db):
    return build_edition()


@pytest.fixture
def q(edition):
    def get(code):
        return Question.objects.get(edition=edition, code=code)

    return get


def refused(question, raw, message, **kwargs):
    with pytest.raises(ValidationError) as error:
        clean_answer(question, raw, **kwargs)
    assert message in error.value.messages[0], error.value.messages
    return error.value


# --- empty input ---


@pytest.mark.parametrize("raw", [None, "", "   ", "\u00a0", [], [""], {}, {"a": ""}, ("",)])
def test_empty_input_is_no_answer(raw):
    assert is_empty(raw)


@pytest.mark.parametrize("raw", [0, "0", ["a"], {"a": 1}, "nsp", Decimal(0)])
def test_zero_and_nsp_are_answers(raw):
    assert not is_empty(raw)


@pytest.mark.parametrize(
    "code",
    [
        "fonction_repondant",
        "dispositifs_existants",
        "service_intitule",
        "etp_participation",
        "budget_participation",
        "nb_reunions",
        "apports",
        "besoins",
        "commentaire",
        "fiches_dispositifs",
    ],
)
def test_clean_answer_returns_none_for_empty_input_of_every_type(q, code):
    assert clean_answer(q(code), None) is None
    assert clean_answer(q(code), "  ") is None


# --- French numbers ---


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12 500,50", "12500.50"),
        ("12\u00a0500,50\u00a0€", "12500.50"),
        ("12\u202f500,50 €", "12500.50"),
        ("1.5", "1.5"),
        ("1,5", "1.5"),
        ("1.500.000", "1500000"),
        ("1.500,25", "1500.25"),
        ("2 000 euros", "2000"),
        ("-3", "-3"),
        ("+4", "4"),
        (12, "12"),
        (12.5, "12.5"),
        (Decimal("7.25"), "7.25"),
    ],
)
def test_french_numbers_are_read(raw, expected):
    assert parse_french_number(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["douze", "1,2,3", "1e5", "12 €€", "NaN", True, [1], "1..2,5"])
def test_what_is_not_a_number_is_refused(raw):
    with pytest.raises(ValidationError) as error:
        parse_french_number(raw)
    assert "nombre" in error.value.messages[0]


def test_numbers_are_shown_the_french_way():
    assert format_number(Decimal("12500.50")) == "12\u202f500,5"
    assert format_number(Decimal("10000.00")) == "10\u202f000"
    assert format_number(Decimal("-1234")) == "-1\u202f234"


# --- single ---


def test_single_accepts_a_code(q):
    assert clean_answer(q("fonction_repondant"), " dgs ") == CleanAnswer("dgs")
    assert clean_answer(q("fonction_repondant"), ["elu"]) == CleanAnswer("elu")


def test_single_refuses_an_unknown_code(q):
    refused(q("fonction_repondant"), "maire", "« maire » ne fait pas partie des choix possibles")


def test_single_refuses_two_codes(q):
    refused(q("fonction_repondant"), ["elu", "dgs"], "Une seule réponse est possible.")


def test_single_refuses_something_that_is_not_a_code(q):
    refused(q("fonction_repondant"), {"elu": 1}, "Choix illisible")


def test_other_needs_its_precision_and_keeps_it_trimmed(q):
    question = q("fonction_repondant")
    refused(question, "autre", "Précisez votre réponse « Autre ».")
    refused(question, "autre", "Précisez", other_text="   ")
    cleaned = clean_answer(question, "autre", other_text="  Chargée de mission  ")
    assert cleaned == CleanAnswer("autre", other_text="Chargée de mission")


def test_the_precision_is_dropped_when_other_is_not_picked(q):
    assert clean_answer(q("fonction_repondant"), "elu", other_text="oubli").other_text == ""


def test_a_too_long_precision_is_refused(q):
    refused(
        q("fonction_repondant"),
        "autre",
        "La précision ne doit pas dépasser 500",
        other_text="x" * 501,
    )


# --- multiple ---


def test_multiple_accepts_lists_and_separated_strings_in_choice_order(q):
    question = q("dispositifs_existants")
    expected = CleanAnswer(["budget_participatif", "reunions_publiques"])
    assert clean_answer(question, ["reunions_publiques", "budget_participatif"]) == expected
    assert clean_answer(question, "reunions_publiques; budget_participatif") == expected
    assert clean_answer(question, "budget_participatif,reunions_publiques,") == expected
    assert clean_answer(question, ["budget_participatif", "budget_participatif"]).value == [
        "budget_participatif"
    ]


def test_multiple_refuses_an_unknown_code(q):
    refused(
        q("dispositifs_existants"), ["budget_participatif", "loto"], "« loto » ne fait pas partie"
    )


def test_multiple_refuses_a_non_list(q):
    refused(q("dispositifs_existants"), 12, "Indiquez une liste de choix.")


def test_an_exclusive_choice_cannot_be_combined(q):
    refused(q("outils_numeriques"), ["aucun", "forum"], "« Aucun » ne peut pas être combiné")
    assert clean_answer(q("outils_numeriques"), ["aucun"]).value == ["aucun"]


def test_multiple_other_needs_its_precision(q):
    refused(q("outils_numeriques"), ["forum", "autre"], "Précisez votre réponse « Autre ».")
    cleaned = clean_answer(q("outils_numeriques"), ["forum", "autre"], other_text="Wiki")
    assert cleaned == CleanAnswer(["forum", "autre"], other_text="Wiki")


def test_choice_conditions_apply_when_a_context_is_given(q):
    question = q("dispositifs_existants")
    context = {"type_collectivite": "departement"}
    refused(
        question,
        ["conseils_quartier"],
        "Le choix « Conseils de quartier » ne s'applique pas à votre collectivité.",
        context=context,
    )
    assert clean_answer(question, ["conseils_quartier"], context={"type_collectivite": "commune"})
    assert clean_answer(question, ["conseils_quartier"]).value == ["conseils_quartier"]


# --- matrix ---


def test_matrix_keeps_answered_rows_in_row_order(q):
    cleaned = clean_answer(
        q("apports"), {"confiance": "nsp", "transparence": "plutot", "efficacite": ""}
    )
    assert cleaned == CleanAnswer({"transparence": "plutot", "confiance": "nsp"})
    assert list(cleaned.value) == ["transparence", "confiance"]


def test_matrix_refuses_an_unknown_row(q):
    refused(q("apports"), {"beaute": "plutot"}, "« beaute » n'est pas une ligne de ce tableau.")


def test_matrix_refuses_a_point_off_the_scale(q):
    refused(
        q("apports"), {"transparence": "bof"}, "Ligne « Transparence » : « bof » ne fait pas partie"
    )


def test_matrix_refuses_a_non_mapping(q):
    refused(q("apports"), ["plutot"], "Indiquez une réponse par ligne du tableau.")


# --- ranking ---


def test_ranking_accepts_ranks_or_an_ordered_list(q):
    question = q("besoins")
    expected = CleanAnswer({"besoin_1": 3, "besoin_2": 1, "besoin_5": 2})
    assert (
        clean_answer(question, {"besoin_2": "1", "besoin_5": 2, "besoin_1": "3", "besoin_3": ""})
        == expected
    )
    assert clean_answer(question, ["besoin_2", "besoin_5", "besoin_1"]) == expected


def test_ranking_needs_exactly_the_top_n(q):
    refused(
        q("besoins"),
        ["besoin_1", "besoin_2"],
        "Classez exactement 3 éléments (vous en avez classé 2).",
    )
    refused(q("besoins"), ["besoin_1", "besoin_2", "besoin_3", "besoin_4"], "Classez exactement 3")


def test_ranking_refuses_repeated_ranks_gaps_and_bad_ranks(q):
    question = q("besoins")
    refused(
        question, {"besoin_1": 1, "besoin_2": 1, "besoin_3": 2}, "Deux éléments ont le même rang."
    )
    refused(question, {"besoin_1": 1, "besoin_2": 2, "besoin_3": 4}, "de 1 à 3, sans trou")
    refused(
        question,
        {"besoin_1": 1, "besoin_2": 2, "besoin_3": "premier"},
        "« Besoin 3 » : le rang doit être",
    )
    refused(
        question,
        {"besoin_1": 0, "besoin_2": 2, "besoin_3": 1},
        "le rang doit être un nombre entier",
    )
    refused(
        question,
        {"besoin_1": 1.5, "besoin_2": 2, "besoin_3": 1},
        "le rang doit être un nombre entier",
    )
    refused(question, ["besoin_1", "besoin_1", "besoin_2"], "ne peut être classé qu'une fois")


def test_ranking_refuses_unknown_items_and_non_mappings(q):
    refused(q("besoins"), {"besoin_9": 1}, "« besoin_9 » ne fait pas partie")
    refused(q("besoins"), "besoin_1", "Indiquez le rang de chaque élément classé.")


def test_ranking_without_rank_count_needs_every_item(q):
    question = q("ranking_complet")
    refused(question, ["a", "b"], "Classez tous les éléments (3) ; vous en avez classé 2.")
    assert clean_answer(question, ["c", "a", "b"]).value == {"a": 2, "b": 3, "c": 1}


def test_ranking_refuses_an_item_hidden_by_its_condition(q):
    question = q("besoins")
    choice = question.choices.get(code="besoin_4")
    choice.condition = "type_collectivite = region"
    choice.save()
    context = {"type_collectivite": "commune"}
    refused(question, ["besoin_4", "besoin_1", "besoin_2"], "ne s'applique pas", context=context)


# --- numbers ---


def test_integer_values_and_number_mirror(q):
    assert clean_answer(q("nb_reunions"), "12") == CleanAnswer(12, number=Decimal(12))
    assert clean_answer(q("nb_reunions"), 0) == CleanAnswer(0, number=Decimal(0))
    assert clean_answer(q("nb_reunions"), "1,0").value == 1


def test_integer_refuses_fractions_and_out_of_bounds(q):
    refused(q("nb_reunions"), "1,5", "Saisissez un nombre entier.")
    refused(q("nb_reunions"), "501", "Saisissez un nombre entre 0 et 500.")
    refused(q("nb_reunions"), "-1", "Saisissez un nombre entre 0 et 500.")
    refused(q("nb_reunions"), "beaucoup", "« beaucoup » n'est pas un nombre.")


def test_nsp_only_where_allowed(q):
    refused(q("nb_reunions"), "nsp", "« Ne sait pas » n'est pas possible pour cette question")
    assert clean_answer(q("budget_participation"), "NSP") == CleanAnswer("nsp")
    assert clean_answer(q("budget_participation"), "Ne sait pas") == CleanAnswer("nsp")


def test_decimal_is_stored_as_a_canonical_string_with_its_number(q):
    cleaned = clean_answer(q("etp_participation"), "2,50")
    assert cleaned == CleanAnswer("2.5", number=Decimal("2.5"))
    assert clean_answer(q("etp_participation"), "3").value == "3"


def test_decimal_respects_the_step(q):
    refused(q("etp_participation"), "2,55", "Saisissez un multiple de 0,1.")


def test_decimal_refuses_too_many_places_and_huge_numbers(q):
    question = q("etp_participation")
    question.step = None
    refused(question, "1,23456", "Saisissez au plus 4 chiffres après la virgule.")
    refused(question, "1 000 000 000 000", "Ce nombre est trop grand.")
    refused(question, "10 000,5", "Saisissez un nombre entre 0 et 10\u202f000.")


def test_a_step_counts_from_the_minimum(q):
    question = q("nb_reunions")
    question.min_value, question.step = Decimal(1), Decimal(2)
    assert clean_answer(question, "5").value == 5
    refused(question, "4", "Saisissez un multiple de 2 à partir de 1.")


def test_one_sided_bounds_have_their_own_message(q):
    question = q("nb_reunions")
    question.max_value = None
    refused(question, "-2", "Saisissez un nombre supérieur ou égal à 0.")
    question.min_value, question.max_value = None, Decimal(10)
    refused(question, "11", "Saisissez un nombre inférieur ou égal à 10.")


def test_money_reads_french_amounts(q):
    cleaned = clean_answer(q("budget_participation"), "12 500,50 €")
    assert cleaned == CleanAnswer("12500.5", number=Decimal("12500.5"))


def test_money_is_never_negative_and_has_cents_at_most(q):
    question = q("budget_participation")
    question.min_value = None
    refused(question, "-5", "Saisissez un nombre supérieur ou égal à 0 €.")
    refused(question, "10,555", "Un montant a au plus deux décimales (les centimes).")


# --- text ---


def test_text_is_trimmed_and_limited(q):
    assert clean_answer(q("service_intitule"), "  Démocratie locale ") == CleanAnswer(
        "Démocratie locale"
    )
    assert clean_answer(q("service_intitule"), 2021).value == "2021"
    refused(
        q("service_intitule"),
        "x" * 501,
        "Ce texte ne doit pas dépasser 500 caractères (actuellement 501).",
    )
    refused(q("service_intitule"), ["a"], "Saisissez un texte.")


def test_longtext_allows_ten_thousand_characters(q):
    assert len(clean_answer(q("commentaire"), "y" * 10_000).value) == 10_000
    refused(q("commentaire"), "y" * 10_001, "Ce texte ne doit pas dépasser 10\u202f000 caractères")


# --- roster ---


def test_roster_stores_its_number_of_items(q):
    question = q("fiches_dispositifs")
    assert clean_answer(question, 2) == CleanAnswer(2, number=Decimal(2))
    assert clean_answer(question, [{"nom": "a"}, {"nom": "b"}, {"nom": "c"}]).value == 3
    assert clean_answer(question, []).value == 0


def test_roster_checks_its_bounds(q):
    question = q("fiches_dispositifs")
    question.min_items, question.max_items = 1, 2
    refused(question, [], "Ajoutez au moins 1 élément (actuellement 0).")
    refused(question, 3, "Pas plus de 2 éléments (actuellement 3).")
    refused(question, "-1", "Le nombre d'éléments doit être un entier positif.")


def test_an_unknown_type_is_refused(q):
    question = q("nb_reunions")
    question.type = "date"
    refused(question, "2021-01-01", "Type de question inconnu « date ».")
