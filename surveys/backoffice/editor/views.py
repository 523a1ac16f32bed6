"""The questionnaire editor's pages: parse the form, make the change through the definition,
show what the loader or the protections refuse next to the fields it concerns."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from barometre.roles import staff_required
from barometre.textclean import strip_controls
from respondents.classification import TYPES_COLLECTIVITE
from surveys.backoffice.editor import changes
from surveys.backoffice.editor.draft import (
    STAMP,
    DefinitionError,
    blank_question,
    change_definition,
    check_definition,
    plain_errors,
)
from surveys.backoffice.editor.errors import Target, place
from surveys.backoffice.editor.forms import (
    TYPE_LABELS,
    ChoiceFormSet,
    CloneForm,
    FirstQuestionForm,
    QuestionForm,
    RowFormSet,
    SectionForm,
    choice_initial,
)
from surveys.definition import TYPES_WITH_CHOICES, dump_definition, export_definition
from surveys.definition.evolution import clone_edition
from surveys.models import Edition
from surveys.protection import ProtectedChangeError

# The longest condition the live check reads (a longer one is checked on save).
CONDITION_CHECK_LIMIT = 2000


def _edition(year: int) -> Edition:
    return get_object_or_404(Edition, year=year)


def _apply(request, edition: Edition, change: changes.Change) -> list[str]:
    """Make the change; the refusal's French messages (nothing saved), or [] once saved."""
    try:
        change_definition(edition, change, seen=request.POST.get(STAMP))
    except changes.Missing as missing:
        raise Http404("Code inconnu.") from missing
    except DefinitionError as error:
        return plain_errors(error)
    except ProtectedChangeError as error:
        return list(error.messages)
    return []


def _posted(request):
    """The form's data when sent (even empty: an empty form is refused, not shown anew)."""
    return request.POST if request.method == "POST" else None


def editor_context(edition: Edition, **extra) -> dict:
    """What every editor page of `edition` shows (its state, the way back to the editor's
    home), with the page's own `extra`."""
    return {
        "edition": edition,
        "is_draft": edition.status == Edition.Status.DRAFT,
        "editor_home": reverse("backoffice:editor", args=[edition.year]),
        **extra,
    }


# --- Preparing the next edition ------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def clone(request, year: int):
    source = _edition(year)
    form = CloneForm(_posted(request), source=source)
    if request.method == "POST" and form.is_valid():
        try:
            edition = clone_edition(source, form.cleaned_data["year"], form.cleaned_data["title"])
        except ValidationError as error:
            form.add_error("year", error)
        else:
            messages.success(
                request,
                f"L'édition {edition.year} est prête en brouillon : ses sections, questions et "
                f"choix reprennent ceux de {source.year}, avec les mêmes codes.",
            )
            return redirect("backoffice:editor", year=edition.year)
    status = 400 if form.errors else 200
    return render(
        request, "backoffice/editor/clone.html", editor_context(source, form=form), status=status
    )


# --- The editor's home -------------------------------------------------------------------------


@staff_required
@require_GET
def home(request, year: int):
    edition = _edition(year)
    definition = export_definition(edition)
    sections = definition["sections"]
    for section in sections:
        for question in section["questions"]:
            question["type_label"] = TYPE_LABELS.get(question["type"], question["type"])
            for child in question["questions"]:
                child["type_label"] = TYPE_LABELS.get(child["type"], child["type"])
    return render(
        request,
        "backoffice/editor/home.html",
        editor_context(edition, sections=sections, kinds=TYPES_COLLECTIVITE),
    )


@staff_required
@require_GET
def download(request, year: int):
    edition = _edition(year)
    response = HttpResponse(
        dump_definition(export_definition(edition)), content_type="application/yaml; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{edition.year}.yaml"'
    return response


STEPS = {"monter": -1, "descendre": 1}


def _moved(request, edition: Edition, change, anchor: str):
    """Make a move (« sens » : monter or descendre) and go back to the editor's home."""
    step = STEPS.get(request.POST.get("sens", ""))
    refused = ["Déplacement inconnu : utilisez « Monter » ou « Descendre »."]
    if step is not None:
        refused = _apply(request, edition, change(step))
    for message in refused:
        messages.error(request, message)
    return redirect(f"{reverse('backoffice:editor', args=[edition.year])}#{anchor}")


@staff_required
@require_POST
def section_move(request, year: int, section: str):
    edition = _edition(year)
    return _moved(
        request, edition, lambda step: changes.move_section(section, step), f"section-{section}"
    )


@staff_required
@require_POST
def question_move(request, year: int, question: str):
    edition = _edition(year)
    return _moved(
        request,
        edition,
        lambda step: changes.move_question(question, step),
        f"question-{question}",
    )


@staff_required
@require_POST
def reorder(request, year: int):
    """A new order after a drag and drop (JSON answer): « liste » names the list (empty: the
    sections), « ordre » its codes in the new order."""
    edition = _edition(year)
    parent = request.POST.get("liste", "")
    codes = request.POST.getlist("ordre")
    try:
        refused = _apply(request, edition, changes.reorder(parent, codes))
    except changes.StaleOrder:
        refused = ["Le questionnaire a changé entre-temps : rechargez la page et recommencez."]
    except Http404:
        refused = ["Cette liste n'existe plus : rechargez la page."]
    return JsonResponse({"ok": not refused, "messages": refused}, status=400 if refused else 200)


# --- Sections --------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def section_edit(request, year: int, section: str):
    edition = _edition(year)
    data = _found(changes.section_of, export_definition(edition), section)
    form = SectionForm(_posted(request), initial=data, prefix="section")
    summary: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        refused = _apply(request, edition, changes.update_section(section, form.cleaned_data))
        if not refused:
            messages.success(
                request, f"La section « {form.cleaned_data['title']} » est enregistrée."
            )
            return redirect(
                f"{reverse('backoffice:editor', args=[year])}#section-{form.cleaned_data['code']}"
            )
        summary = place(refused, [Target("section", form)])
    return _form_page(
        request,
        "backoffice/editor/section.html",
        editor_context(
            edition, form=form, summary=summary, section=data, condition_check=_check_url(edition)
        ),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def section_add(request, year: int):
    edition = _edition(year)
    sections = export_definition(edition)["sections"]
    last_section = sections[-1]["code"] if sections else ""
    form = SectionForm(_posted(request), prefix="section")
    first = FirstQuestionForm(_posted(request), prefix="premiere")
    summary: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid() & first.is_valid():
        refused = _apply(request, edition, changes.add_section(form.cleaned_data, first.question()))
        if not refused:
            messages.success(request, f"La section « {form.cleaned_data['title']} » est ajoutée.")
            return redirect(
                f"{reverse('backoffice:editor', args=[year])}#section-{form.cleaned_data['code']}"
            )
        summary = place(refused, [Target("section", form), Target("question", first)])
    return _form_page(
        request,
        "backoffice/editor/section.html",
        editor_context(
            edition,
            form=form,
            first=first,
            summary=summary,
            section=None,
            last_section=last_section,
            condition_check=_check_url(edition),
        ),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def section_remove(request, year: int, section: str):
    edition = _edition(year)
    data = _found(changes.section_of, export_definition(edition), section)
    detail = [f"{q['code']} — {q['text']}" for q in data["questions"]]
    what = f"la section « {data['title']} »"
    return _remove_page(request, edition, changes.remove_section(section), what, detail)


def _remove_page(request, edition, change, what: str, detail: list[str]):
    """The confirmation page of a removal (`what`, with what goes with it: `detail`); its POST
    applies `change` and goes back to the editor, or shows why the edition refused it."""
    refused: list[str] = []
    if request.method == "POST":
        refused = _apply(request, edition, change)
        if not refused:
            messages.success(request, f"{what[:1].upper()}{what[1:]} est supprimée.")
            return redirect("backoffice:editor", year=edition.year)
    return _form_page(
        request,
        "backoffice/editor/remove.html",
        editor_context(
            edition,
            what=what,
            detail=detail,
            summary=[("", message) for message in refused],
        ),
    )


# --- Questions ---------------------------------------------------------------------------------


def _found(lookup, definition: dict, code: str) -> dict:
    try:
        return lookup(definition, code)
    except changes.Missing as missing:
        raise Http404("Code inconnu.") from missing


def _sections(definition: dict) -> list[tuple[str, str]]:
    return [(s["code"], s["title"]) for s in definition["sections"]]


def _question_forms(request, data: dict | None, sections: list[tuple[str, str]] | None):
    post = _posted(request)
    initial = data or {}
    form = QuestionForm(post, initial=initial, prefix="question", sections=sections)
    choices = ChoiceFormSet(
        post, initial=choice_initial(initial.get("choices", [])), prefix="choix"
    )
    rows = RowFormSet(post, initial=choice_initial(initial.get("rows", [])), prefix="lignes")
    return form, choices, rows


def _question_page(request, edition: Edition, form, choices, rows, summary, **extra):
    targets = [target for target in summary if isinstance(target, Target)]
    return _form_page(
        request,
        "backoffice/editor/question.html",
        editor_context(
            edition,
            form=form,
            choices=choices,
            rows=rows,
            summary=[item for item in summary if not isinstance(item, Target)],
            choice_errors=[m for t in targets for m in t.choice_errors],
            row_errors=[m for t in targets for m in t.row_errors],
            condition_check=_check_url(edition),
            **extra,
        ),
    )


def _parsed(form, choices, rows) -> tuple[dict, list[dict], list[dict]] | None:
    """The question's values, choices and rows, or None when a form is invalid."""
    if not (form.is_valid() & choices.is_valid() & rows.is_valid()):
        return None
    kind = form.cleaned_data["type"]
    with_choices = kind in TYPES_WITH_CHOICES | {"matrix"}
    return (
        form.values(),
        choices.items() if with_choices else [],
        rows.items() if kind == "matrix" else [],
    )


@staff_required
@require_http_methods(["GET", "POST"])
def question_edit(request, year: int, question: str):
    edition = _edition(year)
    definition = export_definition(edition)
    data = _found(changes.question_of, definition, question)
    roster = changes.roster_holding(definition, question)
    section = changes.section_holding(definition, question)
    sections = None if roster else _sections(definition)
    initial = {**data, "section": section["code"]}
    form, choices, rows = _question_forms(request, initial, sections)
    summary: list = []
    if request.method == "POST":
        parsed = _parsed(form, choices, rows)
        if parsed is not None:
            values, new_choices, new_rows = parsed
            change = changes.update_question(
                question, values, new_choices, new_rows, form.cleaned_data.get("section")
            )
            refused = _apply(request, edition, change)
            if not refused:
                messages.success(request, f"La question « {values['code']} » est enregistrée.")
                return redirect(
                    f"{reverse('backoffice:editor', args=[year])}#question-{values['code']}"
                )
            target = Target("question", form, choices, rows, original=question)
            summary = [*place(refused, [target]), target]
    return _question_page(
        request,
        edition,
        form,
        choices,
        rows,
        summary,
        question=data,
        roster=roster,
        section=section,
        shared=data["choices_source"].get("from", ""),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def question_add(request, year: int, section: str = "", roster: str = ""):
    edition = _edition(year)
    definition = export_definition(edition)
    parent = _found(changes.question_of, definition, roster) if roster else None
    if parent is not None and parent["type"] != "roster":
        raise Http404("Pas une liste répétable.")
    home_section = (
        changes.section_holding(definition, roster)
        if roster
        else _found(changes.section_of, definition, section)
    )
    form, choices, rows = _question_forms(request, {"type": "single"}, None)
    # A new roster holds a first question (a roster may not be empty); not inside a roster.
    first = None
    if not roster:
        as_roster = request.POST.get("question-type") == "roster"
        first = FirstQuestionForm(request.POST if as_roster else None, prefix="premiere")
    summary: list = []
    if request.method == "POST":
        parsed = _parsed(form, choices, rows)
        needs_first = first if first is not None and first.is_bound else None
        if parsed is not None and (needs_first is None or needs_first.is_valid()):
            values, new_choices, new_rows = parsed
            question = blank_question(values["code"], values["type"], values["text"])
            question.update(values, choices=new_choices, rows=new_rows)
            if needs_first is not None:
                question["questions"] = [needs_first.question()]
            refused = _apply(
                request, edition, changes.add_question(question, section=section, roster=roster)
            )
            if not refused:
                messages.success(request, f"La question « {values['code']} » est ajoutée.")
                return redirect(
                    f"{reverse('backoffice:editor', args=[year])}#question-{values['code']}"
                )
            target = Target("question", form, choices, rows)
            targets = [target] + ([Target("question", needs_first)] if needs_first else [])
            summary = [*place(refused, targets), target]
    return _question_page(
        request,
        edition,
        form,
        choices,
        rows,
        summary,
        question=None,
        roster=parent,
        section=home_section,
        first=first,
        shared="",
    )


@staff_required
@require_http_methods(["GET", "POST"])
def question_remove(request, year: int, question: str):
    edition = _edition(year)
    data = _found(changes.question_of, export_definition(edition), question)
    detail = [data["text"]] + [f"{q['code']} — {q['text']}" for q in data["questions"]]
    what = f"la question « {question} »"
    return _remove_page(request, edition, changes.remove_question(question), what, detail)


def _form_page(request, template: str, context: dict):
    """The page; 400 when it shows errors (a refused save), so that nothing looks saved."""
    refused = bool(context.get("summary")) or any(
        getattr(context.get(name), "errors", None) for name in ("form", "first")
    )
    return render(request, template, context, status=400 if refused else 200)


# --- Live check of a condition -----------------------------------------------------------------


def _check_url(edition: Edition) -> str:
    return reverse("backoffice:editor-check", args=[edition.year])


@staff_required
@require_GET
def check_condition(request, year: int):
    """The loader's messages about a condition as typed, before saving (JSON).

    `section`, `question` or (for a question not yet added) `dans` name where the condition
    goes; the would-be definition is checked, nothing is saved."""
    edition = _edition(year)
    expression = strip_controls(request.GET.get("condition", ""))[:CONDITION_CHECK_LIMIT].strip()
    if not expression:
        return JsonResponse({"ok": True, "messages": []})
    definition = export_definition(edition)
    section = request.GET.get("section", "")
    question = request.GET.get("question", "")
    within = request.GET.get("dans", "")
    try:
        if question:
            changes.question_of(definition, question)["condition"] = expression
        elif section:
            changes.section_of(definition, section)["condition"] = expression
        else:
            probe = blank_question("verification_editeur", "text", "Vérification")
            probe["condition"] = expression
            changes.section_of(definition, within)["questions"].append(probe)
    except changes.Missing:
        return JsonResponse({"ok": False, "messages": ["Code inconnu."]}, status=404)
    try:
        check_definition(edition, definition)
    except DefinitionError as error:
        found = [m for m in plain_errors(error) if f"condition « {expression} »" in m]
        return JsonResponse({"ok": not found, "messages": found})
    return JsonResponse({"ok": True, "messages": []})
