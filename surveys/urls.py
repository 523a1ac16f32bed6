from django.urls import include, path

urlpatterns: list = [
    path("", include("surveys.urls_staff")),
]
