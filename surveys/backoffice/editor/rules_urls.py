"""Routes of the rules editor and of the differences page, spliced into the back-office's."""

from django.urls import path

from surveys.backoffice.editor import rules_views

urlpatterns = [
    path(
        "editions/<int:year>/editeur/differences/",
        rules_views.differences,
        name="editor-differences",
    ),
    path(
        "editions/<int:year>/editeur/differences/ruptures/",
        rules_views.confirm_breaks,
        name="editor-breaks",
    ),
]
