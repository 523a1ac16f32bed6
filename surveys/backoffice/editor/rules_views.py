"""The rules editor and the differences with the previous edition (staff only).

Views stay thin: every change goes through `draft.change_definition`, so the loader checks it
as it would check the file and refuses it whole, with its French messages.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from barometre.roles import staff_required
from surveys.backoffice.editor.diff import edition_diff, set_breaks
from surveys.backoffice.editor.draft import DefinitionError, plain_errors
from surveys.backoffice.editor.rules_forms import BreaksForm
from surveys.models import Edition
from surveys.protection import ProtectedChangeError


def _refusal(error: DefinitionError | ProtectedChangeError) -> list[tuple[str, str]]:
    """The refusal's French messages, for the error summary (no field to link to)."""
    problems = plain_errors(error) if isinstance(error, DefinitionError) else error.messages
    return [("", problem) for problem in problems]


def _diff_page(request, edition: Edition, form: BreaksForm | None = None, errors=(), status=200):
    diff = edition_diff(edition)
    if form is None:
        form = BreaksForm(questions=diff.breaks)
    return render(
        request,
        "backoffice/editor/diff.html",
        {"edition": edition, "diff": diff, "form": form, "errors": errors},
        status=status,
    )


@staff_required
@require_GET
def differences(request, year: int):
    edition = get_object_or_404(Edition, year=year)
    return _diff_page(request, edition)


@staff_required
@require_POST
def confirm_breaks(request, year: int):
    """Staff's verdict on each possible series break, written into `rules.trends.breaks`."""
    edition = get_object_or_404(Edition, year=year)
    form = BreaksForm(request.POST, questions=edition_diff(edition).breaks)
    if not form.is_valid():
        return _diff_page(request, edition, form, status=400)
    try:
        set_breaks(edition, {code: form.cleaned_data[code] for code in form.fields})
    except (DefinitionError, ProtectedChangeError) as error:
        return _diff_page(request, edition, form, errors=_refusal(error), status=400)
    messages.success(request, "Les ruptures de série ont été enregistrées.")
    return redirect("backoffice:editor-differences", year=year)
