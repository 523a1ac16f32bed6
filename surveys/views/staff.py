"""Staff screens of an edition: its page and lifecycle (status changes, deadline)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from barometre.roles import is_staff_member, results_reader_required, staff_required
from surveys.forms_staff import DeadlineForm
from surveys.models import Edition
from surveys.models_backoffice import EDITION_STATUS_LABELS
from surveys.services import lifecycle


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@results_reader_required
def edition_detail(request, year: int):
    edition = get_object_or_404(Edition, year=year)
    can_act = is_staff_member(request.user)
    return render(
        request,
        "staff/edition.html",
        {
            "edition": edition,
            "events": edition.events.select_related("by"),
            "actions": lifecycle.available_actions(edition) if can_act else [],
            "deadline_form": DeadlineForm() if can_act else None,
            "can_act": can_act,
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def edition_change_status(request, year: int, action: str):
    edition = get_object_or_404(Edition, year=year)
    if action not in lifecycle.ACTIONS:
        messages.error(request, "Action inconnue.")
        return redirect("staff-edition", year=year)
    if request.method == "POST":
        try:
            lifecycle.change_status(edition, action, request.user)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                f"L'édition {year} est maintenant « {EDITION_STATUS_LABELS[edition.status]} ».",
            )
        return redirect("staff-edition", year=year)
    return render(
        request,
        "staff/edition_confirm.html",
        {"edition": edition, "action": action, "label": lifecycle.ACTIONS[action][2]},
    )


@staff_required
@require_POST
def edition_extend(request, year: int):
    edition = get_object_or_404(Edition, year=year)
    form = DeadlineForm(request.POST)
    if form.is_valid():
        try:
            lifecycle.extend_deadline(edition, form.cleaned_data["closes_at"], request.user)
        except ValidationError as error:
            form.add_error("closes_at", error)
        else:
            messages.success(request, "La date de clôture a été reportée.")
            return redirect("staff-edition", year=year)
    return render(
        request,
        "staff/edition.html",
        {
            "edition": edition,
            "events": edition.events.select_related("by"),
            "actions": lifecycle.available_actions(edition),
            "deadline_form": form,
            "can_act": True,
        },
        status=400,
    )
