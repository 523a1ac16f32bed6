"""The questionnaire editor's routes, spliced into the back-office's (`*editor_urls`)."""

from django.urls import path

from surveys.backoffice.editor import views

EDITOR = "editions/<int:year>/editeur/"

urlpatterns = [
    path("editions/<int:year>/preparer-suivante/", views.clone, name="editor-clone"),
    path(EDITOR, views.home, name="editor"),
    path(f"{EDITOR}definition.yaml", views.download, name="editor-download"),
    path(f"{EDITOR}verifier-condition/", views.check_condition, name="editor-check"),
    path(f"{EDITOR}ordre/", views.reorder, name="editor-reorder"),
    path(f"{EDITOR}sections/ajouter/", views.section_add, name="editor-section-add"),
    path(f"{EDITOR}sections/<slug:section>/", views.section_edit, name="editor-section"),
    path(
        f"{EDITOR}sections/<slug:section>/deplacer/",
        views.section_move,
        name="editor-section-move",
    ),
    path(
        f"{EDITOR}sections/<slug:section>/supprimer/",
        views.section_remove,
        name="editor-section-remove",
    ),
    path(
        f"{EDITOR}sections/<slug:section>/questions/ajouter/",
        views.question_add,
        name="editor-question-add",
    ),
    path(
        f"{EDITOR}questions/<slug:roster>/questions/ajouter/",
        views.question_add,
        name="editor-item-add",
    ),
    path(f"{EDITOR}questions/<slug:question>/", views.question_edit, name="editor-question"),
    path(
        f"{EDITOR}questions/<slug:question>/deplacer/",
        views.question_move,
        name="editor-question-move",
    ),
    path(
        f"{EDITOR}questions/<slug:question>/supprimer/",
        views.question_remove,
        name="editor-question-remove",
    ),
]
