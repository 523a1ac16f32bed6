"""Routes of the rules editor and of the differences page, spliced into the back-office's."""

from django.urls import path

from surveys.backoffice.editor import rules_views as views

RULES = "editions/<int:year>/editeur/regles/"

urlpatterns = [
    path(
        "editions/<int:year>/editeur/differences/",
        views.differences,
        name="editor-differences",
    ),
    path(
        "editions/<int:year>/editeur/differences/ruptures/",
        views.confirm_breaks,
        name="editor-breaks",
    ),
    path(RULES, views.rules_home, name="editor-rules"),
    path(f"{RULES}verifier/", views.check_warning, name="editor-rules-check"),
    path(f"{RULES}arrondi/", views.rounding, name="editor-rules-rounding"),
    path(f"{RULES}correspondances/", views.scale_mapping, name="editor-rules-mapping"),
    path(f"{RULES}presentation/<slug:reported>/", views.reporting, name="editor-reporting"),
    path(f"{RULES}avertissements/ajouter/", views.warning_add, name="editor-warning-add"),
    path(f"{RULES}avertissements/<slug:warning>/", views.warning_edit, name="editor-warning"),
    path(
        f"{RULES}avertissements/<slug:warning>/supprimer/",
        views.warning_delete,
        name="editor-warning-delete",
    ),
    path(f"{RULES}indicateurs/ajouter/", views.indicator_add, name="editor-indicator-add"),
    path(f"{RULES}indicateurs/<slug:indicator>/", views.indicator_edit, name="editor-indicator"),
    path(
        f"{RULES}indicateurs/<slug:indicator>/supprimer/",
        views.indicator_delete,
        name="editor-indicator-delete",
    ),
    path(f"{RULES}tranches/ajouter/", views.brackets_add, name="editor-brackets-add"),
    path(f"{RULES}tranches/<slug:bracketed>/", views.brackets_edit, name="editor-brackets"),
    path(
        f"{RULES}tranches/<slug:bracketed>/supprimer/",
        views.brackets_delete,
        name="editor-brackets-delete",
    ),
]
