"""Staff back-office URLs (under /equipe/)."""

from django.urls import path

from surveys.views import staff, staff_review

urlpatterns = [
    path("equipe/editions/<int:year>/", staff.edition_detail, name="staff-edition"),
    path(
        "equipe/editions/<int:year>/statut/<slug:action>/",
        staff.edition_change_status,
        name="staff-edition-status",
    ),
    path("equipe/editions/<int:year>/cloture/", staff.edition_extend, name="staff-edition-extend"),
    path("equipe/editions/<int:year>/suivi/", staff.followup_page, name="staff-followup"),
    path(
        "equipe/editions/<int:year>/suivi/export.xlsx",
        staff.followup_export,
        name="staff-followup-export",
    ),
    path(
        "equipe/editions/<int:year>/suivi/relances/",
        staff.followup_remind,
        name="staff-followup-remind",
    ),
    path(
        "equipe/editions/<int:year>/reponses/",
        staff_review.response_list,
        name="staff-responses",
    ),
    path(
        "equipe/editions/<int:year>/saisie/",
        staff_review.entry_search,
        name="staff-entry-search",
    ),
    path(
        "equipe/editions/<int:year>/saisie/<int:collectivite>/",
        staff_review.entry_start,
        name="staff-entry-start",
    ),
    path("equipe/reponses/<int:pk>/", staff_review.response_detail, name="staff-response"),
    path(
        "equipe/reponses/<int:pk>/valider/",
        staff_review.response_validate,
        name="staff-response-validate",
    ),
    path(
        "equipe/reponses/<int:pk>/signaler/",
        staff_review.response_flag,
        name="staff-response-flag",
    ),
    path(
        "equipe/reponses/<int:pk>/signalements/<int:comment>/lever/",
        staff_review.response_resolve_flag,
        name="staff-response-resolve",
    ),
    path(
        "equipe/reponses/<int:pk>/rouvrir/",
        staff_review.response_reopen,
        name="staff-response-reopen",
    ),
    path(
        "equipe/reponses/<int:pk>/envoyer/",
        staff_review.response_submit,
        name="staff-response-submit",
    ),
    path(
        "equipe/reponses/<int:pk>/sections/<slug:section>/",
        staff_review.response_section,
        name="staff-response-section",
    ),
    path(
        "equipe/reponses/<int:pk>/sections/<slug:section>/<slug:roster>/ajouter/",
        staff_review.response_roster_add,
        name="staff-response-roster-add",
    ),
    path(
        "equipe/reponses/<int:pk>/sections/<slug:section>/<slug:roster>/<int:item>/supprimer/",
        staff_review.response_roster_remove,
        name="staff-response-roster-remove",
    ),
]
