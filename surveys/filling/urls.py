"""The questionnaire for the agent of a collectivité, mounted at /repondre/ (namespace
"answering"); every view checks the magic-link session's collectivité."""

from django.urls import path

from respondents.views.access import respondent_logout
from surveys.filling import views

app_name = "answering"

urlpatterns = [
    path("<int:year>/", views.overview, name="home"),
    path("<int:year>/deconnexion/", respondent_logout, name="logout"),
    path("<int:year>/section/<slug:section>/", views.section_page, name="section"),
    path("<int:year>/section/<slug:section>/autosave/", views.autosave, name="autosave"),
    path(
        "<int:year>/section/<slug:section>/<slug:roster>/ajouter/",
        views.roster_add,
        name="roster-add",
    ),
    path(
        "<int:year>/section/<slug:section>/<slug:roster>/reprendre/",
        views.roster_copy,
        name="roster-copy",
    ),
    path(
        "<int:year>/section/<slug:section>/<slug:roster>/<int:item>/supprimer/",
        views.roster_remove,
        name="roster-remove",
    ),
    path("<int:year>/relecture/", views.review_page, name="review"),
    path("<int:year>/echanges/<int:thread>/", views.thread_page, name="thread"),
    path("<int:year>/confirmation/", views.confirmation, name="confirmation"),
    path("<int:year>/mes-reponses/", views.answers_page, name="answers"),
    path("<int:year>/impression/", views.print_page, name="print"),
    path("<int:year>/accuse-de-reception.pdf", views.receipt_pdf, name="receipt"),
]
