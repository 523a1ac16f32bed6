"""The staff back-office, mounted at /equipe/ (namespace "backoffice"); the staff screens of
the referential, invitations and reminders come from `respondents.staff`."""

from django.urls import path

from respondents.staff.urls import urlpatterns as respondents_staff
from surveys.backoffice.editor.rules_urls import urlpatterns as editor_rules_urls
from surveys.backoffice.editor.urls import urlpatterns as editor_urls
from surveys.backoffice.views import conversations, editions, home, preview, responses

app_name = "backoffice"

urlpatterns = [
    path("", home.home, name="home"),
    path("editions/<int:year>/apercu/", preview.edition_preview, name="edition-preview"),
    path("editions/<int:year>/", editions.edition_detail, name="edition"),
    path(
        "editions/<int:year>/statut/<slug:action>/",
        editions.edition_change_status,
        name="edition-status",
    ),
    path("editions/<int:year>/cloture/", editions.edition_extend, name="edition-extend"),
    path("editions/<int:year>/suivi/", editions.followup_page, name="followup"),
    path(
        "editions/<int:year>/suivi/export.xlsx",
        editions.followup_export,
        name="followup-export",
    ),
    path(
        "editions/<int:year>/suivi/relances/",
        editions.followup_remind,
        name="followup-remind",
    ),
    path(
        "editions/<int:year>/reponses/",
        responses.response_list,
        name="responses",
    ),
    path(
        "editions/<int:year>/saisie/",
        responses.entry_search,
        name="entry-search",
    ),
    path(
        "editions/<int:year>/saisie/<int:collectivite>/",
        responses.entry_start,
        name="entry-start",
    ),
    path("echanges/", conversations.inbox, name="conversations"),
    path("reponses/<int:pk>/", responses.response_detail, name="response"),
    path(
        "reponses/<int:pk>/accuse-de-reception.pdf",
        responses.response_receipt,
        name="response-receipt",
    ),
    path(
        "reponses/<int:pk>/valider/",
        responses.response_validate,
        name="response-validate",
    ),
    path(
        "reponses/<int:pk>/signaler/",
        responses.response_flag,
        name="response-flag",
    ),
    path(
        "reponses/<int:pk>/signalements/<int:comment>/lever/",
        responses.response_resolve_flag,
        name="response-resolve",
    ),
    path(
        "reponses/<int:pk>/signalements/<int:comment>/repondre/",
        responses.response_thread_reply,
        name="response-thread-reply",
    ),
    path(
        "reponses/<int:pk>/rouvrir/",
        responses.response_reopen,
        name="response-reopen",
    ),
    path(
        "reponses/<int:pk>/envoyer/",
        responses.response_submit,
        name="response-submit",
    ),
    path(
        "reponses/<int:pk>/sections/<slug:section>/",
        responses.response_section,
        name="response-section",
    ),
    path(
        "reponses/<int:pk>/sections/<slug:section>/<slug:roster>/ajouter/",
        responses.response_roster_add,
        name="response-roster-add",
    ),
    path(
        "reponses/<int:pk>/sections/<slug:section>/<slug:roster>/reprendre/",
        responses.response_roster_copy,
        name="response-roster-copy",
    ),
    path(
        "reponses/<int:pk>/sections/<slug:section>/<slug:roster>/<int:item>/supprimer/",
        responses.response_roster_remove,
        name="response-roster-remove",
    ),
    *respondents_staff,
    *editor_urls,
    *editor_rules_urls,
]
