"""One computation feeds every consumer: the results page, the "Agrégats" sheet of the export,
the public page (after disclosure), the benchmark's peers and the API give the same figures,
figure by figure, on build_2021 whose figures are worked out by hand in results_data."""

import openpyxl
import pytest
from django.core.cache import cache
from django.urls import reverse

from api.models import ApiToken
from exports.results.benchmark import benchmark
from exports.results.figures import FIGURE_LABELS, figure_label, figure_rows
from exports.services.jobs import export_responses
from respondents.models import Collectivite
from surveys.models import Edition, Section
from tests.api.conftest import client_with
from tests.results.results_data import build_2021, collectivite, question, respond

pytestmark = pytest.mark.django_db

NUMBERS = ("base", "effectif", "pourcentage", "moyenne", "mediane", "score_moyen")


@pytest.fixture
def edition():
    cache.clear()
    return build_2021()


def keyed(rows) -> dict:
    """{(question, figure label, row, code): the numbers} of figure rows or of sheet rows."""
    return {
        (
            r["question"],
            figure_label(r) if r["figure"] in FIGURE_LABELS else r["figure"],
            r["ligne"],
            r["code"],
        ): tuple(r[name] for name in NUMBERS)
        for r in rows
    }


def sheet_figures(edition, tmp_path, filters=None) -> dict:
    path = tmp_path / "export.xlsx"
    export_responses(edition, "xlsx", path, labels=False, filters=filters)
    header, *rows = list(openpyxl.load_workbook(path)["Agrégats"].iter_rows(values_only=True))
    return keyed(dict(zip(header, row, strict=True)) for row in rows)


def test_the_page_and_the_sheet_give_the_hand_computed_figures(client, bob, edition, tmp_path):
    client.force_login(bob)
    page = keyed(
        figure_rows(client.get(reverse("results:edition", args=[2021])).context["results"])
    )
    sheet = sheet_figures(edition, tmp_path)
    assert page == sheet
    # base, count, percent, mean, median, score — as worked out in results_data.
    assert sheet["service_dedie", "Choix", None, "oui"][:3] == (7, 5, 71.4)
    assert sheet["service_dedie", "Choix", None, "non"][:3] == (7, 2, 28.6)
    assert sheet["dispositifs_existants", "Choix", None, "conseil_jeunes"][:3] == (8, 5, 62.5)
    assert sheet["apports", "Cellule de matrice", "efficacite", "plutot"][:3] == (3, 2, 66.7)
    formation = sheet["besoins", "Élément classé (3 premiers rangs)", None, "formation"]
    assert formation == (4, 4, 100.0, None, None, 2.5)
    evaluation = sheet["besoins", "Élément classé (3 premiers rangs)", None, "evaluation"]
    assert evaluation == (4, 1, 25.0, None, None, 0.25)
    assert sheet["etp_participation", "Valeur chiffrée", None, None][:5] == (6, 6, None, 4.5, 2.75)
    budget = sheet["budget_participation", "Valeur chiffrée", None, None]
    assert budget[:5] == (7, 6, None, 72083.33, 14000)
    assert sheet["budget_participation", "Ne sait pas", None, "nsp"][:2] == (7, 1)
    per_inhabitant = [
        v for k, v in sheet.items() if k[:2] == ("budget_participation", "Indicateur")
    ]
    assert (6, 6, None, 1.75, 1.25, None) in per_inhabitant
    assert (6, 3, 50.0, None, None, None) in per_inhabitant
    assert sheet["service_intitule", "Réponse renseignée", None, None][:2] == (1, 1)


def test_the_api_gives_the_page_figures(client, bob, edition):
    client.force_login(bob)
    page = keyed(
        figure_rows(client.get(reverse("results:edition", args=[2021])).context["results"])
    )
    api = client_with(ApiToken.issue(bob, "identité des chiffres")[1])
    data = api.get(reverse("api:results", args=[2021])).json()
    assert keyed(figure_rows(data)) == page


def test_the_public_page_shows_the_sheet_figures_or_masks_them(client, edition, tmp_path):
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.PUBLISHED)
    edition.refresh_from_db()
    sheet = sheet_figures(edition, tmp_path)
    public = keyed(
        figure_rows(client.get(reverse("results:public", args=[2021])).context["results"])
    )
    shown = 0
    for key, numbers in public.items():
        for name, value, full in zip(NUMBERS, numbers, sheet[key], strict=True):
            assert value is None or value == full, (key, name)
            shown += value is not None and name in ("moyenne", "mediane")
    assert shown >= 4  # means and medians of 6 values are public
    etp = public["etp_participation", "Valeur chiffrée", None, None]
    assert etp[3:5] == (4.5, 2.75)
    assert public["service_dedie", "Choix", None, "non"][1] is None  # 2 collectivités: masked
    assert not any(k[0] == "besoins" for k in public)  # base 4: the whole question is masked


def test_the_benchmark_peers_are_the_sheet_of_the_same_collectivites(client, edition, tmp_path):
    # C6, the only métropole, is compared with every other respondent (C1–C5, C7, C9): the
    # export of the communes and intercommunalités selects the same counted responses.
    c6 = Collectivite.objects.get(code="C6")
    peers = keyed(figure_rows(benchmark(edition, c6)))
    sheet = sheet_figures(edition, tmp_path, {"type_collectivite": ["commune", "intercommunalite"]})
    for key, numbers in peers.items():
        for name, value, full in zip(NUMBERS, numbers, sheet[key], strict=True):
            assert value is None or value == full, (key, name)
    # By hand: ETP 0.5, 1, 2.5, 3, 8; budgets 500, 4 000, 100 000, 20 000, 8 000 (C3 nsp);
    # € per inhabitant 0.5, 2, 5, 0.5, 2.
    assert peers["etp_participation", "Valeur chiffrée", None, None][:5] == (5, 5, None, 3.0, 2.5)
    budget = peers["budget_participation", "Valeur chiffrée", None, None]
    assert budget[:5] == (6, 5, None, 26500.0, 8000.0)
    per_inhabitant = [
        v for k, v in peers.items() if k[:2] == ("budget_participation", "Indicateur")
    ]
    assert (5, 5, None, 2.0, 2.0, None) in per_inhabitant


@pytest.mark.parametrize("count", [0, 1, 4])
def test_nobody_one_or_four_respondents_give_figures_without_error(client, bob, count, tmp_path):
    edition = Edition.objects.create(year=2025, title="Baromètre 2025", status="published")
    section = Section.objects.create(edition=edition, code="a", title="Profil", order=1)
    question(edition, section, "service_dedie", "single", [("oui", "Oui"), ("non", "Non")])
    question(edition, section, "etp_participation", "decimal", order=2)
    for n in range(count):
        respond(
            edition,
            collectivite(f"N{n}", 1000, "53"),
            {"service_dedie": "oui", "etp_participation": n + 1},
        )
    sheet = sheet_figures(edition, tmp_path)
    oui = sheet["service_dedie", "Choix", None, "oui"]
    assert oui[:3] == (count, count, 100.0 if count else None)
    client.force_login(bob)
    page = client.get(reverse("results:edition", args=[2025]))
    assert keyed(figure_rows(page.context["results"])) == sheet
    public = client.get(reverse("results:public", args=[2025]))
    assert public.status_code == 200
    # Fewer than 5 respondents: every public figure is masked, and the page says why.
    assert keyed(figure_rows(public.context["results"])) == {}
    assert "Résultat masqué : moins de 5 réponses" in public.content.decode()
