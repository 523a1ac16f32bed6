from decimal import Decimal

import pytest

from surveys.conditions import ConditionError, compile_condition

CODES = {
    "reseaux_sociaux",
    "outils_crise",
    "outils_numeriques",
    "synthese",
    "visio_deliberations",
    "visio_ateliers",
    "budget_participation",
    "etp_participation",
    "effets_crise",
    "besoins",
    "service_intitule",
    # An indicator the edition declares (rules), known to its conditions like a question.
    "budget_par_habitant",
}


def holds(expr: str, **values) -> bool:
    return compile_condition(expr, CODES).evaluate(values)


def test_equality_on_a_single_answer():
    assert holds("reseaux_sociaux = oui", reseaux_sociaux="oui")
    assert not holds("reseaux_sociaux = oui", reseaux_sociaux="non")
    assert not holds("reseaux_sociaux = oui")


def test_difference_needs_an_answer_but_not_equality_does():
    assert holds("reseaux_sociaux != oui", reseaux_sociaux="non")
    assert not holds("reseaux_sociaux != oui", reseaux_sociaux="oui")
    assert not holds("reseaux_sociaux != oui")
    assert holds("not reseaux_sociaux = oui")
    assert not holds("not reseaux_sociaux = oui", reseaux_sociaux="oui")


def test_has_on_a_multiple_answer():
    assert holds(
        "outils_crise has consultation_crise", outils_crise=["entraide", "consultation_crise"]
    )
    assert not holds("outils_crise has consultation_crise", outils_crise=["entraide"])
    assert not holds("outils_crise has consultation_crise", outils_crise=[])
    assert holds("outils_crise has [autre, entraide]", outils_crise=["entraide"])
    assert holds("outils_crise = entraide", outils_crise=["entraide", "autre"])
    assert holds("outils_crise != aucun", outils_crise=["entraide"])
    assert not holds("outils_crise != aucun", outils_crise=["aucun"])


def test_has_other_than_tells_aucun_from_real_answers():
    expr = "outils_numeriques has_other_than aucun"
    assert holds(expr, outils_numeriques=["forum"])
    assert holds(expr, outils_numeriques=["forum", "open_data"])
    assert not holds(expr, outils_numeriques=["aucun"])
    assert not holds(expr, outils_numeriques=[])
    assert not holds(expr)
    assert not holds("synthese has_other_than [non, nsp]", synthese=["nsp"])
    assert holds("synthese has_other_than non", synthese=["publiee"])


def test_in_and_not_in_on_derived_variables():
    expr = "type_collectivite in [commune, intercommunalite]"
    assert holds(expr, type_collectivite="commune")
    assert holds(expr, type_collectivite="intercommunalite")
    assert not holds(expr, type_collectivite="region")
    assert not holds(expr)
    assert holds("type_collectivite not in [departement, region]", type_collectivite="commune")
    assert not holds("type_collectivite not in [departement, region]", type_collectivite="region")
    assert holds("region in [53, 52]", region="53")
    assert holds("tranche_population = 5k_10k", tranche_population="5k_10k")


def test_in_on_a_multiple_answer_means_one_of_its_codes():
    assert holds("outils_crise in [entraide, autre]", outils_crise=["aucun", "autre"])
    assert not holds("outils_crise in [entraide, autre]", outils_crise=["aucun"])


def test_numbers_compare_as_numbers():
    assert holds("population >= 10000", population=10000)
    assert not holds("population > 10000", population=10000)
    assert holds("budget_par_habitant < 1", budget_par_habitant=Decimal("0.45"))
    assert holds("budget_participation <= 5000", budget_participation="4999.99")
    assert not holds("budget_participation <= 5000", budget_participation="nsp")
    assert holds("etp_participation = 1.5", etp_participation="1.50")
    assert holds("etp_participation != 2", etp_participation="1.5")
    assert not holds("population < 5000")


def test_is_answered_counts_nsp_but_not_empty_values():
    assert holds("service_intitule is answered", service_intitule="Démocratie locale")
    assert holds("budget_participation is answered", budget_participation="nsp")
    assert not holds("service_intitule is answered", service_intitule="")
    assert not holds("outils_crise is answered", outils_crise=[])
    assert holds("service_intitule is not answered")


def test_and_or_not_and_parentheses_follow_precedence():
    visio = "visio_deliberations = oui or visio_ateliers = oui"
    assert holds(visio, visio_deliberations="non", visio_ateliers="oui")
    assert not holds(visio, visio_deliberations="non", visio_ateliers="non")
    # `and` binds tighter than `or`.
    expr = "reseaux_sociaux = oui or visio_ateliers = oui and visio_deliberations = oui"
    assert holds(expr, reseaux_sociaux="oui")
    assert not holds(expr, visio_ateliers="oui")
    grouped = "(reseaux_sociaux = oui or visio_ateliers = oui) and visio_deliberations = oui"
    assert not holds(grouped, reseaux_sociaux="oui")
    assert holds(grouped, reseaux_sociaux="oui", visio_deliberations="oui")
    assert holds("not (reseaux_sociaux = oui and visio_ateliers = oui)", reseaux_sociaux="oui")
    assert holds("not not reseaux_sociaux = oui", reseaux_sociaux="oui")


def test_a_row_of_a_matrix_or_an_item_of_a_ranking():
    assert holds("effets_crise.perte_lien = plutot", effets_crise={"perte_lien": "plutot"})
    assert not holds("effets_crise.perte_lien = plutot", effets_crise={"fracture": "plutot"})
    assert holds("besoins.formation <= 3", besoins={"formation": 2, "budgets": 1})
    assert holds("besoins has formation", besoins={"formation": 2})


def test_quoted_values():
    assert holds("reseaux_sociaux = 'oui'", reseaux_sociaux="oui")
    assert holds('reseaux_sociaux in ["oui", non]', reseaux_sociaux="non")


def test_an_empty_condition_always_holds():
    condition = compile_condition("  ", CODES)
    assert condition.evaluate({})
    assert condition.codes == set()
    assert condition.is_always_true


def test_codes_lists_what_the_condition_reads():
    condition = compile_condition(
        "(visio_deliberations = oui or visio_ateliers = oui) and type_collectivite = commune"
    )
    assert condition.codes == {"visio_deliberations", "visio_ateliers", "type_collectivite"}
    assert compile_condition("effets_crise.perte_lien = plutot").codes == {"effets_crise"}


def test_an_unknown_code_is_refused_with_its_position():
    with pytest.raises(ConditionError) as error:
        compile_condition("reseaux_sociaux = oui and resaux_sociaux = oui", CODES)
    assert error.value.position == 26
    assert str(error.value) == "position 27 : code inconnu « resaux_sociaux »"


def test_derived_variables_are_always_known():
    compile_condition("tranche_population = lt5k and population < 1000", set())


def test_an_indicator_is_known_only_where_the_edition_declares_it():
    with pytest.raises(ConditionError, match="code inconnu « budget_par_habitant »"):
        compile_condition("budget_par_habitant < 1", set())


def test_a_number_compares_with_another_codes_value_times_a_factor():
    condition = "budget_participation > 10 * precedent.budget_participation"
    last_year = {"budget_participation": "1000"}
    assert holds_with(condition, budget_participation="10001", precedent=last_year)
    assert not holds_with(condition, budget_participation="10000", precedent=last_year)
    assert not holds_with(condition, budget_participation="10001", precedent={})
    assert not holds_with(condition, budget_participation="nsp", precedent=last_year)
    assert holds_with(
        "etp_participation <= budget_participation", etp_participation=2, budget_participation="2.0"
    )
    assert compile_condition(condition).compares_codes
    assert not compile_condition("population > 10").compares_codes


def holds_with(expr: str, **values) -> bool:
    return compile_condition(expr, CODES | {"precedent"}).evaluate(values)


def test_without_known_codes_any_code_is_accepted():
    assert compile_condition("whatever = oui").evaluate({"whatever": "oui"})


@pytest.mark.parametrize(
    ("expr", "position", "message"),
    [
        ("reseaux_sociaux =", 17, "valeur attendue, trouvé la fin de la condition"),
        ("reseaux_sociaux oui", 16, "opérateur attendu après « reseaux_sociaux »"),
        ("= oui", 0, "code de question attendu, trouvé « = »"),
        ("(reseaux_sociaux = oui", 22, "« ) » attendu, trouvé la fin de la condition"),
        ("reseaux_sociaux = oui)", 21, "« and » ou « or » attendu, trouvé « ) »"),
        ("reseaux_sociaux = oui && outils_crise has aucun", 22, "caractère inattendu « & »"),
        ("type_collectivite in commune", 21, "« [ » attendu, trouvé « commune »"),
        ("type_collectivite in [commune", 29, "« ] » attendu"),
        ("type_collectivite in [commune,]", 30, "valeur attendue, trouvé « ] »"),
        ("type_collectivite not commune", 22, "« in » attendu après « not »"),
        ("reseaux_sociaux is oui", 19, "« answered » attendu, trouvé « oui »"),
        ("population > 2 *", 16, "code de question attendu, trouvé la fin de la condition"),
        ("population > 2 * 3", 17, "code de question attendu, trouvé « 3 »"),
        ("population = 2 * oui", 15, "« and » ou « or » attendu, trouvé « * »"),
        ("and = oui", 0, "code de question attendu, trouvé « and »"),
        ("12 = oui", 0, "code de question attendu, trouvé « 12 »"),
        ("effets_crise. = oui", 0, "code mal formé « effets_crise. »"),
        ("reseaux_sociaux = oui and", 25, "code de question attendu, trouvé la fin"),
        ("reseaux_sociaux = 'oui", 18, "caractère inattendu « ' »"),
    ],
)
def test_malformed_conditions_are_refused_where_they_go_wrong(expr, position, message):
    with pytest.raises(ConditionError) as error:
        compile_condition(expr)
    assert error.value.position == position
    assert message in str(error.value)
    assert str(error.value).startswith(f"position {position + 1} : ")


def test_a_condition_error_is_a_value_error():
    assert issubclass(ConditionError, ValueError)


def test_compiled_conditions_are_cached():
    assert compile_condition("reseaux_sociaux = oui") is compile_condition("reseaux_sociaux = oui")
