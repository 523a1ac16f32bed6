from django.urls import path

from surveys.views import preview

urlpatterns = [
    path(
        "equipe/editions/<int:year>/apercu/",
        preview.edition_preview,
        name="edition-preview",
    ),
]
