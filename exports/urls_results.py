from django.urls import path

from exports.views import results

urlpatterns = [
    path("", results.results_index, name="results-index"),
    path("<int:year>/", results.edition_results, name="results-edition"),
    path("<int:year>/recalculer/", results.recompute, name="results-recompute"),
    path("<int:year>/repartition/", results.breakdown, name="results-breakdown"),
    path("<int:year>/tendances/", results.trends, name="results-trends"),
    path(
        "<int:year>/collectivites/<int:pk>/",
        results.collectivite_benchmark,
        name="results-collectivite",
    ),
    path("<int:year>/publics/", results.public_results, name="results-public"),
    path(
        "<int:year>/publics/repartition/", results.public_breakdown, name="results-public-breakdown"
    ),
]

# Mounted at /repondre/ by exports/urls.py: the respondent's side of the results.
respondent_urlpatterns = [
    path("<int:year>/mes-resultats/", results.my_benchmark, name="results-my-benchmark"),
]
