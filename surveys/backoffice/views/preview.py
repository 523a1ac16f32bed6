"""Staff preview of a whole edition, read-only, as a respondent would see it."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from barometre.roles import staff_required
from surveys.models import Edition, Question


@staff_required
def edition_preview(request, year: int):
    edition = get_object_or_404(Edition, year=year)
    options = ("choices", "rows")
    questions = Question.objects.filter(roster__isnull=True).prefetch_related(
        *options,
        Prefetch("item_questions", queryset=Question.objects.prefetch_related(*options)),
    )
    sections = edition.sections.prefetch_related(
        Prefetch("questions", queryset=questions)
    ).order_by("order", "pk")
    return render(
        request,
        "backoffice/preview/edition.html",
        {"edition": edition, "sections": sections},
    )
