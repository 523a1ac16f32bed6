from django.urls import include, path

urlpatterns: list = [
    path("", include("respondents.urls_privacy")),
]
