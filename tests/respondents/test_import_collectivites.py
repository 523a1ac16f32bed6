import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from respondents.models import Collectivite, PostalCode
from respondents.services.referential import import_referential
from surveys.models import Response

FIXTURE = Path(__file__).parent / "fixtures" / "decoupage-administratif"
pytestmark = pytest.mark.django_db


def _active(kind):
    return set(
        Collectivite.objects.filter(kind=kind, is_active=True).values_list("code", flat=True)
    )


@pytest.fixture
def data_dir(tmp_path):
    """A writable copy of the fixture, in the package's own format."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURE, target)
    return target


def _edit(data_dir, name, change):
    path = data_dir / name
    entries = json.loads(path.read_text())
    path.write_text(json.dumps(change(entries), ensure_ascii=False))


def test_it_imports_current_communes_only_and_every_kind(data_dir):
    report = import_referential(data_dir)
    # Delegated and associated communes, municipal arrondissements and Nouméa (COM) stay out.
    assert _active("commune") == {"35051", "35238", "35292", "57463", "57751"}
    assert _active("epci") == {"200039865", "243500139"}
    assert _active("departement") == {"13", "35", "57"}
    assert _active("region") == {"44", "53", "93"}
    assert dict(report.created) == {"commune": 5, "epci": 2, "departement": 3, "region": 3}
    assert dict(report.active) == dict(report.created)


def test_it_keeps_codes_names_populations_and_places(data_dir):
    import_referential(data_dir)
    rennes = Collectivite.objects.get(kind="commune", code="35238")
    assert (rennes.siren, rennes.departement_code, rennes.region_code) == ("213502388", "35", "53")
    assert rennes.postcodes == ["35000", "35200", "35700"]
    assert rennes.search_name == "rennes"
    assert set(PostalCode.objects.filter(collectivite=rennes).values_list("code", flat=True)) == {
        "35000",
        "35200",
        "35700",
    }
    cesson = Collectivite.objects.get(code="35051")
    assert cesson.search_name == "cesson sevigne"

    metropole = Collectivite.objects.get(kind="epci", code="243500139")
    assert metropole.siren == "243500139"
    assert metropole.epci_type == "METRO"
    assert metropole.type_collectivite == "metropole"
    assert (metropole.departement_code, metropole.region_code) == ("35", "53")
    assert metropole.population > 400_000


def test_departements_and_regions_get_the_population_of_their_current_communes(data_dir):
    import_referential(data_dir)
    communes = json.loads((data_dir / "communes.json").read_text())
    ille_et_vilaine = sum(
        c.get("population", 0)
        for c in communes
        if c["type"] == "commune-actuelle" and c["departement"] == "35"
    )
    assert Collectivite.objects.get(kind="departement", code="35").population == ille_et_vilaine
    assert Collectivite.objects.get(kind="region", code="53").population == ille_et_vilaine
    # Marseille's arrondissement is not a commune: it adds nothing.
    assert Collectivite.objects.get(kind="departement", code="13").population == 0


def test_a_second_run_changes_nothing(data_dir):
    import_referential(data_dir)
    before = list(Collectivite.objects.order_by("pk").values())
    report = import_referential(data_dir)
    assert sum(report.created.values()) == 0
    assert sum(report.updated.values()) == 0
    assert sum(report.deactivated.values()) == 0
    assert list(Collectivite.objects.order_by("pk").values()) == before


def test_a_rerun_updates_names_and_populations_and_deactivates_what_disappeared(
    data_dir, edition_2021
):
    import_referential(data_dir)
    saint_marc = Collectivite.objects.get(kind="commune", code="35292")
    Response.objects.create(edition=edition_2021, collectivite=saint_marc)

    def merge_and_rename(communes):
        for commune in communes:
            if commune["code"] == "35238":
                commune["population"] = 250_000
            if commune["code"] == "35051":
                commune["nom"] = "Cesson-Sévigné-sur-Vilaine"
                commune["codesPostaux"] = ["35510", "35511"]
        # Saint-Marc-le-Blanc merges into a new commune and becomes a delegated one.
        merged = [c for c in communes if c["code"] != "35292"]
        merged.append({**communes[0], "code": "35292", "type": "commune-deleguee"})
        merged.append(
            {
                "code": "35999",
                "nom": "Saint-Marc-en-Couesnon",
                "type": "commune-actuelle",
                "zone": "metro",
                "departement": "35",
                "region": "53",
                "siren": "200099999",
                "codesPostaux": ["35140"],
                "population": 3000,
            }
        )
        return merged

    _edit(data_dir, "communes.json", merge_and_rename)
    report = import_referential(data_dir)

    assert report.created["commune"] == 1
    assert report.deactivated["commune"] == 1
    saint_marc.refresh_from_db()
    assert saint_marc.is_active is False
    assert saint_marc.responses.count() == 1  # Never deleted with its response.
    assert Collectivite.objects.get(code="35238").population == 250_000
    cesson = Collectivite.objects.get(code="35051")
    assert cesson.name == "Cesson-Sévigné-sur-Vilaine"
    assert cesson.search_name == "cesson sevigne sur vilaine"
    assert set(cesson.postal_codes.values_list("code", flat=True)) == {"35510", "35511"}
    assert Collectivite.objects.get(kind="departement", code="35").population == (
        250_000 + 3000 + Collectivite.objects.get(code="35051").population
    )

    # The next year the commune comes back: it is active again, same row.
    shutil.copy(FIXTURE / "communes.json", data_dir / "communes.json")
    import_referential(data_dir)
    saint_marc.refresh_from_db()
    assert saint_marc.is_active is True
    assert Collectivite.objects.get(code="35999").is_active is False


def test_the_command_reports_counts_per_kind_and_the_time(data_dir):
    out = StringIO()
    call_command("import_collectivites", "--data-dir", str(data_dir), stdout=out)
    text = out.getvalue()
    assert "Commune : 5 actives (5 créées, 0 mises à jour, 0 désactivées)" in text
    assert "EPCI : 2 actives" in text
    assert "Référentiel importé en" in text


def test_the_command_explains_a_missing_file_in_french(tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("import_collectivites", "--data-dir", str(tmp_path), stdout=StringIO())
