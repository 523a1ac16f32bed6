"""The results pages: charts with their tables, filters, breakdowns, trends, public, benchmark."""

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exports.results.models import ResultSnapshot
from respondents.models import Collectivite
from surveys.models import Edition
from tests.results.results_data import build_2018_ranking, build_2021, build_public

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def edition():
    return build_2021()


def test_the_edition_page_states_the_base_of_every_chart(client, bob, edition):
    client.force_login(bob)
    page = client.get(reverse("results:edition", args=[2021])).content.decode()
    assert "base : 7 collectivités concernées" in page
    assert "base : 8 collectivités concernées" in page
    assert "le total dépasse 100 %" in page
    assert "<caption>" in page
    assert "71,4" in page  # oui to service_dedie
    assert "Score moyen (sur 3)" in page
    assert "Moins de 1 €/hab." in page
    assert "Recalculer" not in page  # analysts read, they do not recompute


def test_every_chart_has_its_table_and_works_without_javascript(client, bob, edition):
    client.force_login(bob)
    page = client.get(reverse("results:edition", args=[2021])).content.decode()
    charts = page.count('<figure class="results-chart results-chart--')
    assert charts == 6  # single, multiple, matrix, ranking, ETP and budget brackets
    # The box of each chart is there before any script, sized by the stylesheet: nothing shifts.
    assert page.count('<div class="results-chart__canvas"><canvas') == charts
    assert page.count('<table class="table table-sm results-table">') > charts
    assert "vendor/chartjs/chart.umd.min.js" in page
    assert "js/results.js" in page
    assert finders.find("vendor/chartjs/chart.umd.min.js")
    assert finders.find("js/results.js")


def test_the_filters_form_narrows_the_figures(client, bob, edition):
    client.force_login(bob)
    page = client.get(reverse("results:edition", args=[2021]), {"type": "commune"})
    content = page.content.decode()
    assert "6 réponses envoyées ou validées" in content
    assert "filtre : Commune" in content
    assert "base : 5 collectivités concernées" in content


def test_an_unknown_filter_value_is_explained_in_french(client, bob, edition):
    client.force_login(bob)
    page = client.get(reverse("results:edition", args=[2021]), {"region": "zz"})
    assert page.status_code == 200
    content = page.content.decode()
    assert "Sélectionnez un choix valide" in content
    assert "8 réponses envoyées ou validées" in content


def test_the_page_is_served_from_the_cache_the_second_time(client, bob, edition):
    client.force_login(bob)
    url = reverse("results:edition", args=[2021])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "surveys_answer" not in sql
    assert "exports_resultsnapshot" not in sql
    # Only the session, the user, their roles and the edition.
    assert len(queries.captured_queries) <= 4


def test_staff_recompute_from_the_page(client, alice, edition, django_capture_on_commit_callbacks):
    client.force_login(alice)
    url = reverse("results:edition", args=[2021])
    assert "Recalculer" in client.get(url).content.decode()
    assert ResultSnapshot.objects.get(edition=edition).computations == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("results:recompute", args=[2021]), follow=True)
    assert "Recalcul des résultats lancé" in response.content.decode()
    assert ResultSnapshot.objects.get(edition=edition).computations == 2


def test_the_breakdown_page_shows_one_question_by_type(client, bob, edition):
    client.force_login(bob)
    page = client.get(
        reverse("results:breakdown", args=[2021]), {"question": "service_dedie", "par": "type"}
    ).content.decode()
    assert "Intercommunalité" in page and "Métropole" in page
    assert "80,0" in page
    assert '<figure class="results-chart results-chart--' in page


def test_the_trends_page_maps_the_2018_scale(client, bob, edition):
    build_2018_ranking()
    client.force_login(bob)
    page = client.get(reverse("results:trends", args=[2021])).content.decode()
    assert "Transparence — Non, plutôt pas" in page
    assert "66,7" in page and "25,0" in page
    assert "pas vraiment » compte comme" in page


def test_the_public_page_hides_small_cells_and_names(client):
    build_public()
    page = client.get(reverse("results:public", args=[2020])).content.decode()
    assert "12 collectivités ont répondu" in page
    assert "masqué (moins de 5)" in page
    assert "Résultat masqué : moins de 5 réponses" in page  # the question answered by 4
    assert "Secret-" not in page
    breakdown = client.get(
        reverse("results:public-breakdown", args=[2020]), {"question": "choix", "par": "region"}
    ).content.decode()
    assert "masqué : moins de 5 réponses" in breakdown  # Grand Est, 3 respondents
    assert "Bretagne" in breakdown


def test_the_public_page_does_not_exist_before_publication(client, edition):
    assert client.get(reverse("results:public", args=[2021])).status_code == 404
    assert client.get(reverse("results:public-breakdown", args=[2021])).status_code == 404
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.PUBLISHED)
    assert client.get(reverse("results:public", args=[2021])).status_code == 200


def test_staff_see_the_benchmark_of_any_collectivite(client, alice, edition):
    client.force_login(alice)
    c1 = Collectivite.objects.get(code="C1")
    page = client.get(reverse("results:collectivite", args=[2021, c1.pk])).content.decode()
    assert "Résultats comparés — C1" in page
    assert "Votre réponse" in page
    # 4 small communes besides C1: the group widens to the 5 other communes.
    assert "comparée à 5 communes" in page
    c8 = Collectivite.objects.get(code="C8")  # a draft only
    page = client.get(reverse("results:collectivite", args=[2021, c8.pk])).content.decode()
    assert "Aucune réponse envoyée" in page
