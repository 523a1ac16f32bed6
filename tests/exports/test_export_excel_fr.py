"""« CSV pour Excel (France) »: the bytes a French Excel opens with its accents and numbers."""

from datetime import datetime

import pytest

from exports.services.jobs import export_responses, schema_path
from surveys.models import Edition, Question, Response, Section
from tests.edition_rules import shipped_rules
from tests.exports.export_data import PARIS, _question, answer


@pytest.fixture
def edition(db, rennes, metz_metropole):
    edition = Edition.objects.create(year=2031, title="Baromètre 2031", rules=shipped_rules(2021))
    moyens = Section.objects.create(edition=edition, code="moyens", title="Moyens", order=1)
    _question(edition, moyens, 1, "etp_participation", Question.Type.DECIMAL, "ETP")
    _question(
        edition, moyens, 2, "budget_participation", Question.Type.MONEY, "Budget", allow_nsp=True
    )
    _question(edition, moyens, 3, "service_intitule", Question.Type.TEXT, "Service")
    rennes_response = Response.objects.create(
        edition=edition,
        collectivite=rennes,
        status=Response.Status.SUBMITTED,
        submitted_at=datetime(2031, 5, 3, 14, 30, 12, tzinfo=PARIS),
    )
    Response.objects.filter(pk=rennes_response.pk).update(
        created_at=datetime(2031, 4, 2, 9, 0, 0, tzinfo=PARIS)
    )
    answer(rennes_response, "etp_participation", "2.5")
    answer(rennes_response, "budget_participation", "450000.5")
    answer(rennes_response, "service_intitule", '=HYPERLINK("x";"Démocratie; élue")')
    metz = Response.objects.create(
        edition=edition,
        collectivite=metz_metropole,
        status=Response.Status.VALIDATED,
        submitted_at=datetime(2031, 5, 4, 8, 0, 0, tzinfo=PARIS),
        validated_at=datetime(2031, 5, 5, 18, 15, 0, tzinfo=PARIS),
    )
    Response.objects.filter(pk=metz.pk).update(
        created_at=datetime(2031, 4, 3, 10, 0, 0, tzinfo=PARIS)
    )
    answer(metz, "budget_participation", "nsp")
    return edition


def test_it_writes_the_exact_bytes_a_french_excel_expects(edition, tmp_path):
    path = tmp_path / "excel.csv"
    rows = export_responses(edition, "csvfr", path, labels=True)
    assert rows == 2
    expected = (
        "\ufeff"
        "collectivite;code_insee;siren;type_collectivite;population;tranche_population;region;"
        "statut;cree_le;envoye_le;valide_le;etp_participation;budget_participation;"
        "budget_participation__statut;service_intitule;budget_par_habitant\r\n"
        "Rennes;35238;213502388;Commune;225081;De 100 000 à 500 000;Bretagne;Envoyée;"
        "2031-04-02 09:00:00;2031-05-03 14:30:12;;2,5;450000,5;;"
        '"\'=HYPERLINK(""x"";""Démocratie; élue"")";2\r\n'
        "Metz Métropole;;200039865;Métropole;221000;De 100 000 à 500 000;Grand Est;Validée;"
        "2031-04-03 10:00:00;2031-05-04 08:00:00;2031-05-05 18:15:00;;;Ne sait pas;;\r\n"
    ).encode()
    assert path.read_bytes() == expected


def test_it_writes_no_table_schema_beside_the_excel_variant(edition, tmp_path):
    path = tmp_path / "excel.csv"
    export_responses(edition, "csvfr", path)
    assert not schema_path(path).exists()


def test_the_open_data_csv_keeps_comma_point_and_no_bom(edition, tmp_path):
    path = tmp_path / "opendata.csv"
    export_responses(edition, "csv", path, labels=False)
    raw = path.read_bytes()
    assert raw.startswith(b"collectivite,code_insee,")
    assert b"\r\n" not in raw
    assert b",2.5,450000.5,," in raw
    assert b",,,nsp,,\n" in raw
