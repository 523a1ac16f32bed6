from datetime import datetime

import openpyxl
import pytest

from exports.services.exporters import ResponsesExporter
from exports.services.jobs import export_responses
from tests.exports.export_data import build_edition, build_responses


@pytest.fixture
def data(db, rennes, metz_metropole):
    edition = build_edition()
    return edition, build_responses(edition, rennes, metz_metropole)


def read_sheet(workbook, title):
    rows = list(workbook[title].iter_rows(values_only=True))
    header = rows[0]
    return header, [dict(zip(header, row, strict=True)) for row in rows[1:]]


@pytest.fixture
def codes_workbook(data, tmp_path):
    path = tmp_path / "export.xlsx"
    export_responses(data[0], "xlsx", path, labels=False)
    return openpyxl.load_workbook(path)


def test_it_writes_the_four_sheets_with_frozen_headers(codes_workbook):
    assert codes_workbook.sheetnames == [
        "Réponses",
        "Dispositifs",
        "Dictionnaire",
        "Agrégats",
        "Représentativité",
    ]
    for sheet in codes_workbook.worksheets:
        assert sheet.freeze_panes == "A2"


def test_it_lays_out_one_column_per_question_choice_row_and_item(codes_workbook):
    header, _ = read_sheet(codes_workbook, "Réponses")
    assert header == (
        "collectivite", "code_insee", "siren", "type_collectivite", "population",
        "tranche_population", "region", "statut", "cree_le", "envoye_le", "valide_le",
        "fonction_repondant", "fonction_repondant_autre",
        "outils_numeriques_site_information", "outils_numeriques_open_data",
        "outils_numeriques_aucun", "outils_numeriques_autre_coche", "outils_numeriques",
        "outils_numeriques_autre",
        "objectifs_augmenter_participants", "objectifs_transparence",
        "besoins_formation", "besoins_budgets", "besoins_evaluation",
        "nb_agents", "etp_participation", "budget_participation", "budget_participation__statut",
        "service_intitule",
        "changements_prevus", "fiches_dispositifs", "budget_par_habitant",
    )  # fmt: skip


def test_it_exports_the_values_with_their_types(codes_workbook, data):
    _, rows = read_sheet(codes_workbook, "Réponses")
    # Ordered by kind then code: the commune, the département, then the EPCI.
    assert [row["collectivite"] for row in rows] == ["Rennes", "Ille-et-Vilaine", "Metz Métropole"]
    rennes, ille, metz = rows
    assert rennes["code_insee"] == "35238" and rennes["siren"] == "213502388"
    assert metz["code_insee"] is None and metz["siren"] == "200039865"
    assert metz["type_collectivite"] == "metropole"
    assert rennes["population"] == 225081
    assert rennes["tranche_population"] == "100k_500k"
    assert rennes["region"] == "53"
    assert rennes["statut"] == "submitted"
    assert rennes["cree_le"] == datetime(2030, 4, 2, 9, 0, 0)
    assert rennes["envoye_le"] == datetime(2030, 5, 3, 14, 30, 12)
    assert rennes["valide_le"] is None
    assert ille["valide_le"] == datetime(2030, 5, 11, 18, 15, 0)
    assert rennes["fonction_repondant"] == "autre"
    assert rennes["fonction_repondant_autre"] == "Chargée de mission démocratie"
    assert rennes["outils_numeriques_site_information"] == 1
    assert rennes["outils_numeriques_open_data"] == 0
    assert rennes["outils_numeriques_autre_coche"] == 1
    assert rennes["outils_numeriques"] == "site_information ; autre"
    assert rennes["outils_numeriques_autre"] == "Forum maison"
    assert rennes["objectifs_transparence"] == "tout_a_fait"
    assert rennes["besoins_budgets"] == 1 and rennes["besoins_formation"] == 2
    assert rennes["besoins_evaluation"] is None
    assert rennes["nb_agents"] == 12
    assert rennes["etp_participation"] == 2.5
    assert rennes["budget_participation"] == 450000
    assert rennes["budget_par_habitant"] == 2.0
    assert rennes["changements_prevus"] == "Une assemblée citoyenne\net un budget participatif."
    assert rennes["fiches_dispositifs"] == 2
    assert ille["budget_participation"] is None
    assert ille["budget_participation__statut"] == "nsp"
    assert ille["budget_par_habitant"] is None
    assert ille["outils_numeriques_open_data"] is None
    assert metz["nb_agents"] == -3
    assert metz["outils_numeriques_aucun"] == 1
    assert metz["statut"] == "draft"
    assert metz["fiches_dispositifs"] is None


def test_it_exports_one_row_per_roster_item_with_the_collectivite_key(codes_workbook):
    header, rows = read_sheet(codes_workbook, "Dispositifs")
    assert header == (
        "code_insee", "siren", "collectivite", "type_collectivite", "liste", "element",
        "nom", "famille", "objectifs_dispositif_informer", "objectifs_dispositif_debattre",
        "objectifs_dispositif_autre_coche", "objectifs_dispositif", "objectifs_dispositif_autre",
        "satisfaction", "impact_nb_participants",
    )  # fmt: skip
    assert [(r["code_insee"], r["element"], r["nom"]) for r in rows] == [
        ("35238", 1, "Fabrique citoyenne"),
        ("35238", 2, "Carte des projets"),
        ("35", 1, "'@moderation"),
    ]
    first = rows[0]
    assert first["liste"] == "fiches_dispositifs"
    assert first["objectifs_dispositif_informer"] == 1
    assert first["objectifs_dispositif_autre"] == "Co-construire"
    assert first["satisfaction"] == 15
    assert first["impact_nb_participants"] == "plutot"
    assert rows[1]["objectifs_dispositif_informer"] is None


def test_the_roster_items_are_the_same_whatever_the_batches_even_those_without_items(data):
    edition = data[0]
    progress: dict[int, list] = {}
    rows = {}
    for size in (1, 2, 1000):
        done = progress.setdefault(size, [])
        exporter = ResponsesExporter(
            edition,
            labels=False,
            batch_size=size,
            on_progress=lambda d, _t, done=done: done.append(d),
        )
        rows[size] = list(exporter.iterate_sheet("dispositifs"))
    assert rows[1] == rows[2] == rows[1000]
    # Metz Métropole, last, has no item: its batch is passed over, yet counted.
    assert [(row[0], row[5]) for row in rows[1]] == [("35238", 1), ("35238", 2), ("35", 1)]
    assert progress == {1: [1, 2, 3], 2: [2, 3], 1000: [3]}


def test_it_describes_every_column_in_the_dictionary(codes_workbook):
    _, rows = read_sheet(codes_workbook, "Dictionnaire")
    response_header, _ = read_sheet(codes_workbook, "Réponses")
    roster_header, _ = read_sheet(codes_workbook, "Dispositifs")
    assert [r["colonne"] for r in rows if r["feuille"] == "Réponses"] == list(response_header)
    assert [r["colonne"] for r in rows if r["feuille"] == "Dispositifs"] == list(roster_header)
    single = next(r for r in rows if r["colonne"] == "fonction_repondant")
    assert single["intitule"] == "Quelle est votre fonction ?"
    assert single["type"] == "choix unique"
    assert single["choix"] == "elu = Élu·e ; dgs = Direction générale ; autre = Autre"


def test_the_aggregates_give_the_results_figures_of_the_counted_responses(codes_workbook):
    # Counted: Rennes (sent) and Ille-et-Vilaine (validated); Metz Métropole's draft never.
    _, rows = read_sheet(codes_workbook, "Agrégats")
    by_key = {(r["question"], r["ligne"], r["code"], r["figure"]): r for r in rows}
    elu = by_key["fonction_repondant", None, "elu", "Choix"]
    assert (elu["effectif"], elu["base"], elu["pourcentage"]) == (1, 2, 50.0)
    site = by_key["outils_numeriques", None, "site_information", "Choix"]
    assert (site["effectif"], site["base"], site["pourcentage"]) == (1, 1, 100.0)
    matrix = by_key["objectifs", "transparence", "tout_a_fait", "Cellule de matrice"]
    assert (matrix["effectif"], matrix["base"], matrix["pourcentage"]) == (1, 1, 100.0)
    # Rennes ranks budgets first of 2 points: in the top (both ranks of 2, as the default top 3
    # is capped by the ranks), a score of 2 out of 2.
    budgets = by_key["besoins", None, "budgets", "Élément classé (2 premiers rangs)"]
    assert (budgets["effectif"], budgets["pourcentage"], budgets["score_moyen"]) == (1, 100.0, 2)
    nsp = by_key["budget_participation", None, "nsp", "Ne sait pas"]
    assert (nsp["effectif"], nsp["base"]) == (1, 2)
    famille = by_key["famille", None, "cartographie", "Choix"]
    assert (famille["effectif"], famille["base"]) == (1, 2)
    agents = by_key["nb_agents", None, None, "Valeur chiffrée"]
    assert (agents["effectif"], agents["moyenne"], agents["mediane"]) == (1, 12, 12)


def test_it_writes_labels_when_asked(data, tmp_path):
    path = tmp_path / "labels.xlsx"
    export_responses(data[0], "xlsx", path, labels=True)
    _, rows = read_sheet(openpyxl.load_workbook(path), "Réponses")
    rennes = rows[0]
    assert rennes["type_collectivite"] == "Commune"
    assert rennes["region"] == "Bretagne"
    assert rennes["statut"] == "Envoyée"
    assert rennes["fonction_repondant"] == "Autre"
    assert rennes["outils_numeriques"] == "Site web d'information ; Autre"
    assert rennes["objectifs_transparence"] == "Oui, tout à fait"
    assert rows[1]["budget_participation"] is None
    assert rows[1]["budget_participation__statut"] == "Ne sait pas"


def test_it_applies_the_filters(data, tmp_path):
    path = tmp_path / "filtered.xlsx"
    export_responses(
        data[0], "xlsx", path, labels=False,
        filters={"type_collectivite": ["commune", "metropole"], "status": ["submitted", "draft"]},
    )  # fmt: skip
    _, rows = read_sheet(openpyxl.load_workbook(path), "Réponses")
    assert [row["collectivite"] for row in rows] == ["Rennes", "Metz Métropole"]
    path = tmp_path / "region.xlsx"
    export_responses(
        data[0], "xlsx", path, labels=False,
        filters={"region": ["53"], "tranche_population": ["gt1m"]},
    )  # fmt: skip
    _, rows = read_sheet(openpyxl.load_workbook(path), "Réponses")
    assert [row["collectivite"] for row in rows] == ["Ille-et-Vilaine"]
