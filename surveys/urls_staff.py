"""Staff back-office URLs (under /equipe/)."""

from django.urls import path

from surveys.views import staff

urlpatterns = [
    path("equipe/editions/<int:year>/", staff.edition_detail, name="staff-edition"),
    path(
        "equipe/editions/<int:year>/statut/<slug:action>/",
        staff.edition_change_status,
        name="staff-edition-status",
    ),
    path("equipe/editions/<int:year>/cloture/", staff.edition_extend, name="staff-edition-extend"),
]
