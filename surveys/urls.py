from django.urls import include, path

from surveys.views import filling, preview

urlpatterns = [
    path("", include("surveys.urls_staff")),
    path(
        "repondre/<int:year>/section/<slug:section>/", filling.section_page, name="filling-section"
    ),
    path(
        "repondre/<int:year>/section/<slug:section>/autosave/",
        filling.autosave,
        name="filling-autosave",
    ),
    path(
        "repondre/<int:year>/section/<slug:section>/<slug:roster>/ajouter/",
        filling.roster_add,
        name="filling-roster-add",
    ),
    path(
        "repondre/<int:year>/section/<slug:section>/<slug:roster>/reprendre/",
        filling.roster_copy,
        name="filling-roster-copy",
    ),
    path(
        "repondre/<int:year>/section/<slug:section>/<slug:roster>/<int:item>/supprimer/",
        filling.roster_remove,
        name="filling-roster-remove",
    ),
    path("repondre/<int:year>/relecture/", filling.review_page, name="filling-review"),
    path("repondre/<int:year>/confirmation/", filling.confirmation, name="filling-confirmation"),
    path("repondre/<int:year>/mes-reponses/", filling.answers_page, name="filling-answers"),
    path("repondre/<int:year>/impression/", filling.print_page, name="filling-print"),
    path(
        "equipe/editions/<int:year>/apercu/",
        preview.edition_preview,
        name="edition-preview",
    ),
]
