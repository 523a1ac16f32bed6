import csv
import json

import pytest

from exports.services.jobs import export_responses, schema_path
from tests.exports.export_data import build_edition, build_responses


@pytest.fixture
def exported(db, rennes, metz_metropole, tmp_path):
    edition = build_edition()
    build_responses(edition, rennes, metz_metropole)
    path = tmp_path / "reponses.csv"
    export_responses(edition, "csv", path, labels=False)
    return path


def test_it_writes_one_utf8_row_per_collectivite(exported):
    raw = exported.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8").splitlines(keepends=True)))
    assert [row["collectivite"] for row in rows] == ["Rennes", "Ille-et-Vilaine", "Metz Métropole"]
    rennes, ille, metz = rows
    assert rennes["code_insee"] == "35238"
    assert rennes["cree_le"] == "2030-04-02T09:00:00"
    assert rennes["etp_participation"] == "2.5"
    assert rennes["outils_numeriques_site_information"] == "1"
    assert rennes["outils_numeriques_open_data"] == "0"
    assert rennes["changements_prevus"] == "Une assemblée citoyenne\net un budget participatif."
    assert rennes["budget_par_habitant"] == "2"
    assert metz["nb_agents"] == "-3"
    assert ille["budget_participation"] == ""
    assert ille["budget_participation__statut"] == "nsp"
    assert rennes["budget_participation__statut"] == ""
    assert ille["outils_numeriques_open_data"] == ""


def test_it_holds_no_contact_data(exported):
    text = exported.read_text(encoding="utf-8")
    header = text.splitlines()[0].split(",")
    assert not any("mail" in name or "telephone" in name or "contact" in name for name in header)
    assert "@" not in text.replace("'@moderation", "")


def test_it_describes_the_csv_in_a_table_schema(exported):
    schema = json.loads(schema_path(exported).read_text(encoding="utf-8"))
    header = exported.read_text(encoding="utf-8").splitlines()[0].split(",")
    fields = {field["name"]: field for field in schema["fields"]}
    assert [field["name"] for field in schema["fields"]] == header
    assert fields["population"]["type"] == "integer"
    assert fields["etp_participation"]["type"] == "number"
    assert fields["budget_participation"]["type"] == "number"
    assert fields["nb_agents"]["type"] == "integer"
    assert fields["budget_participation__statut"]["constraints"]["enum"] == ["nsp"]
    assert fields["cree_le"]["type"] == "datetime"
    assert fields["fonction_repondant"]["constraints"]["enum"] == ["elu", "dgs", "autre"]
    assert fields["outils_numeriques_open_data"]["constraints"]["enum"] == [0, 1]
    assert (
        fields["objectifs_transparence"]["title"] == "Quels étaient vos objectifs ? — Transparence"
    )
    assert schema["missingValues"] == [""]
