"""The rules editor: every rule of the format edited through forms, checked by the loader."""

from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from surveys.backoffice.editor.draft import check_definition
from surveys.definition import dump_definition, export_definition, import_definition
from surveys.models import Edition
from tests.surveys.definition_helpers import answer, import_shipped

pytestmark = pytest.mark.django_db

RULES = "/equipe/editions/2021/editeur/regles/"


@pytest.fixture
def edition():
    return import_shipped(2021)


def _rules(edition):
    return Edition.objects.get(pk=edition.pk).rules


WARNING = {
    "code": "budget_nul",
    "question": "budget_participation",
    "when": "budget_participation = 0",
    "message": "Un budget de {budget_participation} € ?",
}


def test_the_overview_lists_every_kind_of_rule(staff_client, edition):
    page = staff_client.get(RULES).content.decode()
    for code in ("budget_par_habitant_eleve", "budget_par_habitant", "etp_participation"):
        assert code in page
    assert "« pas_vraiment » (édition plus ancienne) compte comme « plutot_pas »" in page
    assert "Arrondi des pourcentages" in page


def test_a_warning_naming_an_unknown_code_is_refused_in_french_and_nothing_is_saved(
    staff_client, edition
):
    before = _rules(edition)
    typed = {**WARNING, "when": "budget_participatio = 0"}
    page = staff_client.post(f"{RULES}avertissements/ajouter/", typed)
    assert page.status_code == 400
    html = page.content.decode()
    assert "Le formulaire contient des erreurs" in html
    error = html.split('id="id_when-erreur">')[1].split("</p>")[0]
    assert "code inconnu « budget_participatio »" in error
    assert "ligne" not in error
    assert "budget_participatio = 0</textarea>" in html  # typed input kept
    assert 'aria-describedby="id_when-aide id_when-erreur"' in html
    assert _rules(edition) == before


def test_a_message_naming_an_unknown_code_is_refused_beside_the_message(staff_client, edition):
    typed = {**WARNING, "message": "Budget {budjet} ?"}
    html = staff_client.post(f"{RULES}avertissements/ajouter/", typed).content.decode()
    assert "code inconnu « budjet »" in html.split('id="id_message-erreur">')[1].split("</p>")[0]


def test_a_warning_is_added_renamed_and_removed(staff_client, edition):
    assert staff_client.post(f"{RULES}avertissements/ajouter/", WARNING).status_code == 302
    assert WARNING in _rules(edition)["warnings"]
    page = staff_client.get(f"{RULES}avertissements/budget_nul/modifier/").content.decode()
    assert "budget_participation = 0</textarea>" in page
    renamed = {**WARNING, "code": "budget_zero", "when": "budget_participation <= 0"}
    edited = staff_client.post(f"{RULES}avertissements/budget_nul/modifier/", renamed)
    assert edited.status_code == 302
    codes = [warning["code"] for warning in _rules(edition)["warnings"]]
    assert "budget_zero" in codes and "budget_nul" not in codes
    assert len(codes) == 5
    staff_client.post(f"{RULES}avertissements/budget_zero/supprimer/")
    assert len(_rules(edition)["warnings"]) == 4


def test_a_duplicate_warning_code_is_refused(staff_client, edition):
    typed = {**WARNING, "code": "etp_sans_budget"}
    html = staff_client.post(f"{RULES}avertissements/ajouter/", typed).content.decode()
    error = html.split('id="id_code-erreur">')[1].split("</p>")[0]
    assert "en double" in error and "ligne" not in error


def test_an_indicator_used_by_a_warning_cannot_be_removed(staff_client, edition):
    # The confirmation page answers 400 with the edition's reason in its error summary.
    refused = staff_client.post(f"{RULES}indicateurs/budget_par_habitant/supprimer/")
    assert refused.status_code == 400
    page = unescape(refused.content.decode())
    summary = page.split('class="error-summary"')[1].split("</div>")[0]
    assert "la modification est refusée" in summary and "budget_par_habitant" in summary
    assert _rules(edition)["indicators"][0]["code"] == "budget_par_habitant"


@pytest.mark.parametrize(
    ("path", "named", "shown"),
    [
        ("avertissements/etp_sans_budget/", "l'avertissement « etp_sans_budget »", "Condition : "),
        ("indicateurs/budget_par_habitant/", "l'indicateur « budget_par_habitant »", "Libellé : "),
        ("tranches/etp_participation/", "les tranches de « etp_participation »", "De 3 à moins"),
    ],
)
def test_a_rule_is_removed_only_once_its_confirmation_page_is_sent(
    staff_client, edition, path, named, shown
):
    before = _rules(edition)
    rules_page = staff_client.get(RULES).content.decode()
    assert f'href="{RULES}{path}supprimer/"' in rules_page
    # Following the link removes nothing: it asks, naming the rule and what it says.
    page = staff_client.get(f"{RULES}{path}supprimer/")
    assert page.status_code == 200
    html = unescape(page.content.decode())
    assert f"Supprimer {named} ?" in html and shown in html
    assert f'href="{RULES}#' in html  # Annuler goes back to the rules
    assert _rules(edition) == before


def test_an_indicator_is_edited_with_a_french_decimal(staff_client, edition):
    data = {
        "code": "budget_par_habitant",
        "label": "Budget par habitant",
        "question": "budget_participation",
        "unit": "€/hab.",
        "decimals": "1",
        "threshold": "1,5",
    }
    assert (
        staff_client.post(f"{RULES}indicateurs/budget_par_habitant/modifier/", data).status_code
        == 302
    )
    indicator = _rules(edition)["indicators"][0]
    assert indicator["threshold"] == 1.5 and indicator["decimals"] == 1


def test_an_indicator_with_a_question_code_is_refused(staff_client, edition):
    data = {"code": "service_dedie", "label": "X", "question": "etp_participation", "decimals": 2}
    page = staff_client.post(f"{RULES}indicateurs/ajouter/", data)
    assert page.status_code == 400
    assert "déjà celui d'une question" in unescape(page.content.decode())
    assert len(_rules(edition)["indicators"]) == 1


def _brackets(*rows, question="etp_participation"):
    data = {
        "question": question,
        "tranches-TOTAL_FORMS": str(len(rows)),
        "tranches-INITIAL_FORMS": "0",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"tranches-{index}-{key}"] = value
    return data


def test_overlapping_brackets_are_refused_beside_the_bracket(staff_client, edition):
    before = _rules(edition)
    data = _brackets(
        {"code": "petit", "label": "Moins de 5", "upper_kind": "below", "upper": "5"},
        {"code": "grand", "label": "3 et plus", "lower_kind": "from", "lower": "3"},
    )
    page = staff_client.post(f"{RULES}tranches/etp_participation/modifier/", data)
    assert page.status_code == 400
    html = page.content.decode()
    assert "doit commencer après la fin de « petit »" in html
    assert 'id="id_tranches-1-code-erreur"' in html
    assert 'value="3 et plus"' in html
    assert _rules(edition) == before


def test_brackets_are_replaced_and_an_empty_row_ignored(staff_client, edition):
    data = _brackets(
        {"code": "lt2", "label": "Moins de 2", "upper_kind": "below", "upper": "2"},
        {"code": "ge2", "label": "2 ou plus", "lower_kind": "from", "lower": "2"},
        {"code": "", "label": ""},
    )
    assert (
        staff_client.post(f"{RULES}tranches/etp_participation/modifier/", data).status_code == 302
    )
    assert _rules(edition)["brackets"]["etp_participation"] == [
        {"code": "lt2", "label": "Moins de 2", "below": 2},
        {"code": "ge2", "label": "2 ou plus", "from": 2},
    ]


def test_a_bound_without_its_value_is_refused_by_the_form(staff_client, edition):
    data = _brackets({"code": "x", "label": "X", "upper_kind": "below", "upper": ""})
    page = staff_client.post(f"{RULES}tranches/etp_participation/modifier/", data)
    assert page.status_code == 400
    assert "Indiquez la valeur de la borne haute." in page.content.decode()


def test_brackets_of_a_question_that_has_some_are_refused_when_added(staff_client, edition):
    data = _brackets({"code": "x", "label": "X", "upper_kind": "below", "upper": "1"})
    page = staff_client.post(f"{RULES}tranches/ajouter/", data)
    assert "a déjà des tranches" in page.content.decode()


def test_a_mapping_to_a_choice_that_does_not_exist_is_refused(staff_client, edition):
    data = {
        "codes-TOTAL_FORMS": "1",
        "codes-INITIAL_FORMS": "0",
        "codes-0-old": "pas_vraiment",
        "codes-0-new": "plutot_paas",
    }
    page = staff_client.post(f"{RULES}correspondances/", data)
    assert page.status_code == 400
    assert "plutot_paas" in page.content.decode()
    assert _rules(edition)["trends"]["scale_mapping"] == {"pas_vraiment": "plutot_pas"}
    data.update({"codes-0-new": "plutot_pas", "codes-0-DELETE": "on"})
    assert staff_client.post(f"{RULES}correspondances/", data).status_code == 302
    assert "trends" not in _rules(edition)


def test_rounding_is_saved_and_a_wrong_value_refused(staff_client, edition):
    assert staff_client.post(f"{RULES}arrondi/", {"public": "1", "staff": "2"}).status_code == 302
    assert _rules(edition)["rounding"] == {"public": 1, "staff": 2}
    page = staff_client.post(f"{RULES}arrondi/", {"public": "7", "staff": "2"})
    assert page.status_code == 400
    assert _rules(edition)["rounding"] == {"public": 1, "staff": 2}


def test_the_edited_rules_survive_a_round_trip_through_the_file(staff_client, edition):
    staff_client.post(f"{RULES}avertissements/ajouter/", WARNING)
    staff_client.post(f"{RULES}arrondi/", {"public": "1", "staff": "2"})
    staff_client.post(
        f"{RULES}tranches/etp_participation/modifier/",
        _brackets(
            {"code": "peu", "label": "Moins de 10,5", "upper_kind": "below", "upper": "10,5"},
        ),
    )
    edition.refresh_from_db()
    exported = export_definition(edition)
    assert exported["rules"]["rounding"] == {"public": 1, "staff": 2}
    assert exported["rules"]["brackets"]["etp_participation"][0]["below"] == Decimal("10.5")
    assert exported["rules"]["warnings"][-1] == WARNING
    reloaded = check_definition(edition, exported)
    assert reloaded["rules"] == exported["rules"]
    import_definition(reloaded)
    edition.refresh_from_db()
    assert export_definition(edition) == exported
    assert dump_definition(export_definition(edition)) == dump_definition(exported)


def test_the_live_check_reports_the_conditions_problem_without_saving(staff_client, edition):
    url = reverse("backoffice:editor-rules-check", args=[2021])
    before = _rules(edition)
    bad = staff_client.get(url, {**WARNING, "when": "budget_participation = beaucoup"}).json()
    assert bad["fields"]["when"] and "beaucoup" in bad["fields"]["when"][0]
    good = staff_client.get(url, WARNING).json()
    assert good == {"fields": {"when": [], "message": []}}
    # Editing an existing warning: checked in its place, not as a duplicate.
    same = staff_client.get(
        url, {**WARNING, "code": "etp_sans_budget", "original": "etp_sans_budget"}
    )
    assert same.json()["fields"]["when"] == []
    assert _rules(edition) == before


def test_an_answered_edition_keeps_its_rules_editable(staff_client, edition, rennes):
    answer(edition, rennes, {"budget_participation": "1000"})
    assert staff_client.post(f"{RULES}avertissements/ajouter/", WARNING).status_code == 302


ROUTES = [
    RULES,
    f"{RULES}avertissements/ajouter/",
    f"{RULES}avertissements/etp_sans_budget/modifier/",
    f"{RULES}indicateurs/ajouter/",
    f"{RULES}indicateurs/budget_par_habitant/modifier/",
    f"{RULES}tranches/ajouter/",
    f"{RULES}tranches/etp_participation/modifier/",
    f"{RULES}correspondances/",
    f"{RULES}verifier/?when=x",
    "/equipe/editions/2021/editeur/differences/",
    # The confirmation pages of a removal.
    f"{RULES}avertissements/etp_sans_budget/supprimer/",
    f"{RULES}indicateurs/budget_par_habitant/supprimer/",
    f"{RULES}tranches/etp_participation/supprimer/",
]
POSTS = [
    f"{RULES}arrondi/",
    f"{RULES}avertissements/etp_sans_budget/supprimer/",
    f"{RULES}indicateurs/budget_par_habitant/supprimer/",
    f"{RULES}tranches/etp_participation/supprimer/",
    "/equipe/editions/2021/editeur/differences/ruptures/",
]


@pytest.mark.parametrize("user", [None, "charlie", "bob"])
def test_only_staff_see_or_change_the_rules(client, request, user, edition):
    if user:
        client.force_login(request.getfixturevalue(user))
    before = _rules(edition)
    for url in ROUTES:
        assert client.get(url).status_code in (302, 403), url
    for url in POSTS + ROUTES[1:8]:
        assert client.post(url, {**WARNING, "public": "0", "staff": "0"}).status_code in (
            302,
            403,
        ), url
    assert _rules(edition) == before


@pytest.mark.parametrize("status", [s for s, _ in Edition.Status.choices])
def test_no_rules_page_fails_whatever_the_editions_state(staff_client, edition, status):
    Edition.objects.filter(pk=edition.pk).update(status=status)
    for url in ROUTES:
        assert staff_client.get(url).status_code == 200, url
    assert staff_client.get(f"{RULES}avertissements/inconnu/modifier/").status_code == 404
    assert staff_client.get("/equipe/editions/1990/editeur/regles/").status_code == 404
    assert staff_client.post(f"{RULES}avertissements/inconnu/supprimer/").status_code == 404


def test_an_edition_without_rules_is_edited_from_nothing(staff_client):
    edition = import_shipped(2018)
    Edition.objects.filter(pk=edition.pk).update(rules={})
    assert staff_client.get("/equipe/editions/2018/editeur/regles/").status_code == 200
    data = {"public": "2", "staff": "2"}
    assert (
        staff_client.post("/equipe/editions/2018/editeur/regles/arrondi/", data).status_code == 302
    )
    assert _rules(edition) == {"rounding": {"public": 2, "staff": 2}}


def test_renaming_an_indicator_a_warning_reads_is_refused_at_the_top(staff_client, edition):
    data = {
        "code": "budget_habitant",
        "label": "Budget par habitant",
        "question": "budget_participation",
        "decimals": "2",
    }
    page = staff_client.post(f"{RULES}indicateurs/budget_par_habitant/modifier/", data)
    assert page.status_code == 400
    html = unescape(page.content.decode())
    summary = html.split("data-error-summary")[1].split("</div>")[0]
    assert "avertissement « budget_par_habitant_eleve »" in summary
    assert 'id="id_code-erreur"' not in html  # about the warning, not this field
    assert _rules(edition)["indicators"][0]["code"] == "budget_par_habitant"


def test_the_live_check_answers_for_an_edition_without_questions(staff_client):
    Edition.objects.create(year=2040, title="Baromètre 2040")
    url = reverse("backoffice:editor-rules-check", args=[2040])
    answer = staff_client.get(url, {"when": "population > 3", "question": "x"})
    assert answer.status_code == 200 and "fields" in answer.json()


def test_a_warning_coded_like_the_add_page_is_still_edited(staff_client, edition):
    coded = {**WARNING, "code": "ajouter"}
    assert staff_client.post(f"{RULES}avertissements/ajouter/", coded).status_code == 302
    page = staff_client.get(f"{RULES}avertissements/ajouter/modifier/").content.decode()
    assert 'value="ajouter"' in page
    reworded = {**coded, "message": "Aucun budget ?"}
    assert (
        staff_client.post(f"{RULES}avertissements/ajouter/modifier/", reworded).status_code == 302
    )
    messages = {w["code"]: w["message"] for w in _rules(edition)["warnings"]}
    assert messages["ajouter"] == "Aucun budget ?"
