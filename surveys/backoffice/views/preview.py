"""Staff preview of a whole edition, read-only, as a respondent would see it."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from barometre.roles import staff_required
from respondents.classification import TYPES_COLLECTIVITE
from surveys.conditions import compile_condition
from surveys.models import Edition, Question

KIND = "type_collectivite"


def shown_for_kind(condition: str, kind: str) -> bool:
    """Whether a page or a question with this condition is shown to a collectivité of `kind`.

    Only a condition that reads nothing but the kind can be decided here; one that also reads
    answers stays shown, its condition in note (it depends on what the agent answers)."""
    compiled = compile_condition(condition or "")
    if not kind or compiled.is_always_true or compiled.codes != {KIND}:
        return True
    return compiled.evaluate({KIND: kind})


@staff_required
def edition_preview(request, year: int):
    edition = get_object_or_404(Edition, year=year)
    options = ("choices", "rows")
    questions = Question.objects.filter(roster__isnull=True).prefetch_related(
        *options,
        Prefetch("item_questions", queryset=Question.objects.prefetch_related(*options)),
    )
    sections = list(
        edition.sections.prefetch_related(Prefetch("questions", queryset=questions)).order_by(
            "order", "pk"
        )
    )
    kind = request.GET.get("type", "")
    if kind not in TYPES_COLLECTIVITE:
        kind = ""
    shown = []
    for section in sections:
        if not shown_for_kind(section.condition, kind):
            continue
        questions_shown = [q for q in section.questions.all() if shown_for_kind(q.condition, kind)]
        shown.append((section, questions_shown))
    return render(
        request,
        "backoffice/preview/edition.html",
        {
            "edition": edition,
            "sections": shown,
            "kinds": TYPES_COLLECTIVITE,
            "kind": kind,
            "kind_label": TYPES_COLLECTIVITE.get(kind, ""),
            "hidden_sections": len(sections) - len(shown),
        },
    )
