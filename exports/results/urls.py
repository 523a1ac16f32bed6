"""The results, mounted at /resultats/ (namespace "results"): analysts' dashboards, the public
results of a published edition, and a collectivité's comparison with its peers."""

from django.urls import path

from exports.results import views

app_name = "results"

urlpatterns = [
    path("", views.results_index, name="index"),
    path("<int:year>/", views.edition_results, name="edition"),
    path("<int:year>/graphiques/", views.edition_charts, name="charts"),
    path("<int:year>/recalculer/", views.recompute, name="recompute"),
    path("<int:year>/repartition/", views.breakdown, name="breakdown"),
    path("<int:year>/tendances/", views.trends, name="trends"),
    path("<int:year>/tendances/tendances.csv", views.trends_csv, name="trends-csv"),
    path("<int:year>/collectivites/<int:pk>/", views.collectivite_benchmark, name="collectivite"),
    path("<int:year>/publics/", views.public_results, name="public"),
    path("<int:year>/publics/repartition/", views.public_breakdown, name="public-breakdown"),
    path("<int:year>/publics/graphiques/", views.public_charts, name="public-charts"),
    path("<int:year>/publics/donnees/", views.public_opendata, name="public-opendata"),
    # The respondent's own comparison (magic-link session).
    path("<int:year>/ma-collectivite/", views.my_benchmark, name="my-benchmark"),
]
