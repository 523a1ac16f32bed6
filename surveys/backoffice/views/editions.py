"""Staff screens of an edition: lifecycle (status changes, deadline) and follow-up."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from barometre.roles import is_staff_member, results_reader_required, staff_required
from respondents.classification import TRANCHE_LABELS, TYPES_COLLECTIVITE
from respondents.regions import region_name
from respondents.services import listing
from surveys.backoffice import followup, funnel, lifecycle, pictures
from surveys.backoffice.editor.diff import unconfirmed_breaks
from surveys.backoffice.forms import DeadlineForm
from surveys.backoffice.models import EDITION_STATUS_LABELS
from surveys.backoffice.spreadsheet import xlsx_bytes
from surveys.models import Edition

FOLLOWUP_PAGE_SIZE = 50


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _read_only(request) -> None:
    """Pages analysts may read: they answer 403 to anything but reading."""
    if request.method not in ("GET", "HEAD"):
        raise PermissionDenied


@results_reader_required
def edition_detail(request, year: int):
    _read_only(request)
    edition = get_object_or_404(Edition, year=year)
    can_act = is_staff_member(request.user)
    return render(
        request,
        "backoffice/edition.html",
        {
            "edition": edition,
            "events": edition.events.select_related("by"),
            "actions": lifecycle.available_actions(edition) if can_act else [],
            "deadline_form": DeadlineForm() if can_act else None,
            "can_act": can_act,
            "unconfirmed_breaks": unconfirmed_breaks(edition) if can_act else [],
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def edition_change_status(request, year: int, action: str):
    edition = get_object_or_404(Edition, year=year)
    if action not in lifecycle.ACTIONS:
        messages.error(request, "Action inconnue.")
        return redirect("backoffice:edition", year=year)
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
        return redirect("backoffice:edition", year=year)
    return render(
        request,
        "backoffice/edition_confirm.html",
        {
            "edition": edition,
            "action": action,
            "label": lifecycle.ACTIONS[action][2],
            "unconfirmed_breaks": unconfirmed_breaks(edition),
        },
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
            return redirect("backoffice:edition", year=year)
    return render(
        request,
        "backoffice/edition.html",
        {
            "edition": edition,
            "events": edition.events.select_related("by"),
            "actions": lifecycle.available_actions(edition),
            "deadline_form": form,
            "can_act": True,
        },
        status=400,
    )


def _filter_form(request) -> listing.ListFilterForm:
    """The list's filters, with the widgets of every back-office list."""
    return listing.ListFilterForm(request.GET, statuses=followup.STATUS_FILTERS)


def _list_filters(form: listing.ListFilterForm) -> followup.ListFilters:
    return followup.ListFilters(
        status=form.value("statut"),
        type_collectivite=form.value("type"),
        tranche_population=form.value("tranche"),
        region=form.value("region"),
        q=form.value("q"),
    )


@results_reader_required
@followup.planned_without_jit()
def followup_page(request, year: int):
    """Figures for staff and analysts; the list of collectivités (with contacts) for staff."""
    _read_only(request)
    edition = get_object_or_404(Edition, year=year)
    overall, breakdowns = followup.all_figures(edition)
    context = {
        "edition": edition,
        "overall": overall,
        "groupings": [
            (title, breakdowns[grouping])
            for grouping, (title, _labels) in followup.GROUPINGS.items()
        ],
        "can_act": is_staff_member(request.user),
        "pictures": pictures.pictures(edition, breakdowns),
        "funnel": funnel.section_funnel(edition),
    }
    if context["can_act"]:
        filters = _filter_form(request)
        rows = followup.with_details(edition, followup.filtered(edition, _list_filters(filters)))
        page = Paginator(rows, FOLLOWUP_PAGE_SIZE).get_page(request.GET.get("page"))
        for row in page:
            row.status_label = followup.STATUS_LABELS[row.step]
            row.last_activity = followup.last_activity(row)
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            filters=filters,
            page=page,
            query=query.urlencode(),
        )
    return render(request, "backoffice/followup.html", context)


@staff_required
@followup.planned_without_jit()
def followup_export(request, year: int):
    edition = get_object_or_404(Edition, year=year)
    filters = _list_filters(_filter_form(request))
    rows = followup.with_details(edition, followup.filtered(edition, filters))
    content = xlsx_bytes(
        f"Suivi {year}",
        [
            "Collectivité",
            "Code",
            "SIREN",
            "Type",
            "Tranche de population",
            "Région",
            "Statut",
            "Dernière activité",
            "Contacts",
        ],
        (
            [
                row.name,
                row.code,
                row.siren,
                TYPES_COLLECTIVITE.get(row.type_code, row.type_code),
                TRANCHE_LABELS.get(row.tranche_code, ""),
                region_name(row.region_code),
                followup.STATUS_LABELS[row.step],
                followup.last_activity(row),
                followup.contacts_text(row.edition_contacts),
            ]
            for row in rows.iterator(chunk_size=500)
        ),
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="suivi-{year}.xlsx"'
    return response


@staff_required
@require_POST
def followup_remind(request, year: int):
    edition = get_object_or_404(Edition, year=year)
    ids = [int(value) for value in request.POST.getlist("collectivites") if value.isdigit()]
    if not ids:
        messages.error(request, "Sélectionnez au moins une collectivité à relancer.")
        return redirect("backoffice:followup", year=year)
    run = followup.remind(edition, ids)
    parts = [f"{run.queued} relance{'s' if run.queued != 1 else ''} envoyée(s)"]
    if run.already_submitted:
        parts.append(f"{run.already_submitted} collectivité(s) ayant déjà répondu ignorée(s)")
    if run.opted_out:
        parts.append(f"{run.opted_out} contact(s) désinscrit(s) des relances ignoré(s)")
    if run.without_valid_link:
        parts.append(f"{run.without_valid_link} collectivité(s) sans lien valable ignorée(s)")
    if run.already_reminded:
        parts.append(
            f"{run.already_reminded} contact(s) déjà relancé(s) aujourd'hui "
            "ou au nombre maximal de relances ignoré(s)"
        )
    messages.success(request, " ; ".join(parts) + ".")
    return redirect("backoffice:followup", year=year)
