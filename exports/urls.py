from django.urls import include, path

urlpatterns = [
    path("exports/", include("exports.urls_exports")),
    path("resultats/", include("exports.urls_results")),
]
