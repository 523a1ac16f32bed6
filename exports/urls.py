from django.urls import include, path

from exports.urls_results import respondent_urlpatterns

urlpatterns = [
    path("exports/", include("exports.urls_exports")),
    path("resultats/", include("exports.urls_results")),
    path("repondre/", include(respondent_urlpatterns)),
]
