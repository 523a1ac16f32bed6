"""The rules editor and the differences with the previous edition (staff only).

Views stay thin: every change goes through `draft.change_definition`, so the loader checks it
as it would check the file and refuses it whole, with its French messages; nothing is saved on
a refusal and the form comes back as typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from barometre.roles import staff_required
from surveys.backoffice.editor import rules_forms
from surveys.backoffice.editor.diff import VERDICTS, edition_diff, set_breaks
from surveys.backoffice.editor.draft import (
    STAMP,
    DefinitionError,
    all_questions,
    change_definition,
    check_definition,
    plain_errors,
)
from surveys.backoffice.editor.rules_forms import (
    BracketFormSet,
    BracketQuestionForm,
    BreaksForm,
    IndicatorForm,
    MappingFormSet,
    ReportingForm,
    RoundingForm,
    RuleForm,
    WarningForm,
    describe_fields,
    place_errors,
)
from surveys.backoffice.editor.views import editor_context
from surveys.definition import export_definition
from surveys.definition.format import NUMBER_TYPES
from surveys.models import Edition
from surveys.protection import ProtectedChangeError
from surveys.rules import (
    DECIMALS_PUBLIC,
    DECIMALS_STAFF,
    LOWER_BOUNDS,
    UPPER_BOUNDS,
    parse_rules,
)
from surveys.validation import format_number

Refusal = DefinitionError | ProtectedChangeError


def _problems(error: Refusal) -> list[str]:
    return plain_errors(error) if isinstance(error, DefinitionError) else list(error.messages)


def _refusal(error: Refusal) -> list[tuple[str, str]]:
    """The refusal's French messages, for the error summary (no field to link to)."""
    return [("", problem) for problem in _problems(error)]


def _rules_url(edition: Edition, anchor: str = "") -> str:
    url = reverse("backoffice:editor-rules", args=[edition.year])
    return f"{url}#{anchor}" if anchor else url


# Differences with the previous edition -----------------------------------------------------


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
        verdicts = {code: form.cleaned_data[code] for code in form.fields}
        set_breaks(edition, verdicts, seen=request.POST.get(STAMP))
    except (DefinitionError, ProtectedChangeError) as error:
        return _diff_page(request, edition, form, errors=_refusal(error), status=400)
    messages.success(request, "Les ruptures de série ont été enregistrées.")
    return redirect("backoffice:editor-differences", year=year)


# The rules' overview -----------------------------------------------------------------------


def _bounds_text(bracket: dict) -> str:
    signs = {"from": "≥", "above": ">", "below": "<", "upto": "≤"}
    parts = [
        f"{signs[key]} {format_number(Decimal(str(bracket[key])))}"
        for key in (*LOWER_BOUNDS, *UPPER_BOUNDS)
        if key in bracket
    ]
    return " et ".join(parts)


def _rules_page(request, edition: Edition, rounding_form: RoundingForm | None = None, status=200):
    definition = export_definition(edition)
    rules = definition.get("rules") or {}
    texts = {question["code"]: question["text"] for question in all_questions(definition)}
    rounding = rules.get("rounding") or {}
    if rounding_form is None:
        rounding_form = RoundingForm(
            initial={
                "public": rounding.get("public", DECIMALS_PUBLIC),
                "staff": rounding.get("staff", DECIMALS_STAFF),
            }
        )
    describe_fields(rounding_form)
    trends = rules.get("trends") or {}
    diff = edition_diff(edition)
    return render(
        request,
        "backoffice/editor/rules.html",
        {
            "edition": edition,
            "warnings": rules.get("warnings", []),
            "indicators": [
                {"decimals": 2, **indicator} for indicator in rules.get("indicators", [])
            ],
            "brackets": [
                (code, texts.get(code, ""), [(b, _bounds_text(b)) for b in items])
                for code, items in (rules.get("brackets") or {}).items()
            ],
            "scale_mapping": (trends.get("scale_mapping") or {}).items(),
            "breaks": diff.breaks,
            # Verdicts written in the file on questions the comparison does not find changed.
            "other_verdicts": [
                (code, VERDICTS.get(verdict, verdict))
                for code, verdict in (trends.get("breaks") or {}).items()
                if code not in {question.code for question in diff.breaks}
            ],
            "unconfirmed": diff.unconfirmed,
            "previous": diff.previous,
            "texts": texts,
            "rounding_form": rounding_form,
            "reporting": _reporting_rows(definition),
        },
        status=status,
    )


@staff_required
@require_GET
def rules_home(request, year: int):
    return _rules_page(request, get_object_or_404(Edition, year=year))


def _apply(request, edition: Edition, change, success: str) -> list[str]:
    """Apply the change; the refusal's messages, or [] once saved (with a success message)."""
    try:
        change_definition(edition, change, seen=request.POST.get(STAMP))
    except (DefinitionError, ProtectedChangeError) as error:
        return _problems(error)
    messages.success(request, success)
    return []


@staff_required
@require_POST
def rounding(request, year: int):
    edition = get_object_or_404(Edition, year=year)
    form = RoundingForm(request.POST)
    if form.is_valid():
        problems = _apply(
            request,
            edition,
            rules_forms.put_rounding(dict(form.cleaned_data)),
            "L'arrondi des pourcentages a été enregistré.",
        )
        if not problems:
            return redirect(_rules_url(edition, "arrondi"))
        place_errors(form, problems, RoundingForm.ERRORS)
    return _rules_page(request, edition, form, status=400)


def _delete(request, year: int, slug: str, code: str):
    """The confirmation page of a rule's removal, with what the rule says; its POST removes it
    and goes back to the rules, or shows why the edition refused it."""
    edition = get_object_or_404(Edition, year=year)
    kind = _kind(slug)
    rules = edition.rules or {}
    if kind.key == "brackets":
        if code not in (rules.get("brackets") or {}):
            raise Http404
        detail = [str(bracket.get("label", "")) for bracket in rules["brackets"][code]]
        change = rules_forms.remove_brackets(code)
    else:
        item = next((item for item in rules.get(kind.key, []) if item["code"] == code), None)
        if item is None:
            raise Http404
        detail = [
            f"{label} : {item[key]}"
            for key, label in (("label", "Libellé"), ("when", "Condition"), ("message", "Message"))
            if item.get(key)
        ]
        change = rules_forms.remove_item(kind.key, code)
    refused: list[str] = []
    if request.method == "POST":
        refused = _apply(request, edition, change, kind.deleted.format(code=code))
        if not refused:
            return redirect(_rules_url(edition, kind.slug))
    context = editor_context(
        edition,
        cancel_url=_rules_url(edition, kind.slug),
        what=kind.what.format(code=code),
        detail=detail,
        summary=[("", problem) for problem in refused],
    )
    return render(request, "backoffice/editor/remove.html", context, status=400 if refused else 200)


# Warnings and indicators: one item of a list -----------------------------------------------


@dataclass(frozen=True)
class RuleKind:
    slug: str  # in the URL and the overview's anchors
    key: str  # in `rules`
    new: str  # the title of the page adding one
    saved: str  # the messages once saved and once deleted, with {code}
    deleted: str
    what: str  # what the confirmation of a removal names, with {code}
    form: type[RuleForm] | None = None


KINDS = {
    kind.slug: kind
    for kind in (
        RuleKind(
            "avertissements",
            "warnings",
            "Nouvel avertissement",
            "Avertissement « {code} » enregistré.",
            "Avertissement « {code} » supprimé.",
            "l'avertissement « {code} »",
            WarningForm,
        ),
        RuleKind(
            "indicateurs",
            "indicators",
            "Nouvel indicateur",
            "Indicateur « {code} » enregistré.",
            "Indicateur « {code} » supprimé.",
            "l'indicateur « {code} »",
            IndicatorForm,
        ),
        RuleKind(
            "tranches",
            "brackets",
            "Nouvelles tranches",
            "Tranches de « {code} » enregistrées.",
            "Tranches de « {code} » supprimées.",
            "les tranches de « {code} »",
        ),
    )
}


def _kind(slug: str) -> RuleKind:
    if slug not in KINDS:
        raise Http404
    return KINDS[slug]


def _item_page(request, edition, kind, form, original, status=200):
    describe_fields(form)
    return render(
        request,
        "backoffice/editor/rules_item.html",
        {
            "edition": edition,
            "kind": kind,
            "form": form,
            "original": original,
            "live_url": reverse("backoffice:editor-rules-check", args=[edition.year])
            if kind.key == "warnings"
            else "",
        },
        status=status,
    )


def _item_view(request, year: int, slug: str, code: str | None):
    edition = get_object_or_404(Edition, year=year)
    kind = _kind(slug)
    definition = export_definition(edition)
    items = (definition.get("rules") or {}).get(kind.key, [])
    current = next((item for item in items if item["code"] == code), None)
    if code is not None and current is None:
        raise Http404
    form_class = kind.form
    assert form_class is not None
    if request.method != "POST":
        initial = form_class.initial_of(current) if current else None
        form = form_class(initial=initial, definition=definition)
        return _item_page(request, edition, kind, form, code)
    form = form_class(request.POST, definition=definition)
    if form.is_valid():
        rule = form.rule()
        problems = _apply(
            request,
            edition,
            rules_forms.put_item(kind.key, code, rule),
            kind.saved.format(code=rule["code"]),
        )
        if not problems:
            return redirect(_rules_url(edition, kind.slug))
        form.place_errors(problems)
    return _item_page(request, edition, kind, form, code, status=400)


@staff_required
@require_http_methods(["GET", "POST"])
def warning_add(request, year: int):
    return _item_view(request, year, "avertissements", None)


@staff_required
@require_http_methods(["GET", "POST"])
def warning_edit(request, year: int, warning: str):
    return _item_view(request, year, "avertissements", warning)


@staff_required
@require_http_methods(["GET", "POST"])
def indicator_add(request, year: int):
    return _item_view(request, year, "indicateurs", None)


@staff_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request, year: int, indicator: str):
    return _item_view(request, year, "indicateurs", indicator)


@staff_required
@require_http_methods(["GET", "POST"])
def warning_delete(request, year: int, warning: str):
    return _delete(request, year, "avertissements", warning)


@staff_required
@require_http_methods(["GET", "POST"])
def indicator_delete(request, year: int, indicator: str):
    return _delete(request, year, "indicateurs", indicator)


@staff_required
@require_http_methods(["GET", "POST"])
def brackets_delete(request, year: int, bracketed: str):
    return _delete(request, year, "tranches", bracketed)


@staff_required
@require_GET
def check_warning(request, year: int):
    """The loader's messages on a warning's condition and message as typed, without saving
    (the editor's live check): {"fields": {"when": [...], "message": [...]}}."""
    edition = get_object_or_404(Edition, year=year)
    definition = export_definition(edition)
    data = request.GET
    questions = [question["code"] for question in all_questions(definition)]
    question = data.get("question", "")
    rule = {
        # A placeholder code and message while they are still being typed: only the
        # condition's and the message's own problems are reported.
        "code": "verification_en_direct",
        "question": question if question in questions or not questions else questions[0],
        "when": data.get("when", "").strip(),
        "message": data.get("message", "").strip() or "…",
    }
    fields: dict[str, list[str]] = {"when": [], "message": []}
    if not rule["when"]:
        fields["when"].append("Saisissez une condition.")
        return JsonResponse({"fields": fields})
    original = data.get("original") or None
    rules_forms.put_item("warnings", original, rule)(definition)
    try:
        check_definition(edition, definition)
    except DefinitionError as error:
        for message in plain_errors(error):
            name = next((f for marker, f in WarningForm.ERRORS if marker in message), None)
            if name in fields and "verification_en_direct" in message:
                fields[name].append(
                    message.replace("avertissement « verification_en_direct » : ", "")
                )
    return JsonResponse({"fields": fields})


# Brackets of a question --------------------------------------------------------------------


def _formset_errors(formset, what: str) -> list[tuple[str, str]]:
    """Every error of the formset's rows, for the summary, each linked to its field."""
    errors = [("", error) for error in formset.non_form_errors()]
    for number, form in enumerate(formset, start=1):
        errors += [("", f"{what} {number} : {error}") for error in form.non_field_errors()]
        for field in form:
            errors += [
                (field.id_for_label, f"{what} {number}, {field.label} : {error}")
                for error in field.errors
            ]
        describe_fields(form)
    return errors


def _brackets_page(request, edition, question_form, formset, original, errors=(), status=200):
    describe_fields(question_form)
    errors = [*errors, *_formset_errors(formset, "Tranche")]
    return render(
        request,
        "backoffice/editor/rules_brackets.html",
        {
            "edition": edition,
            "kind": KINDS["tranches"],
            "question_form": question_form,
            "formset": formset,
            "original": original,
            "errors": errors,
        },
        status=status,
    )


def _brackets_view(request, year: int, original: str | None):
    edition = get_object_or_404(Edition, year=year)
    definition = export_definition(edition)
    sets = (definition.get("rules") or {}).get("brackets") or {}
    if original is not None and original not in sets:
        raise Http404
    if request.method != "POST":
        question_form = BracketQuestionForm(initial={"question": original}, definition=definition)
        formset = BracketFormSet(
            initial=[rules_forms.BracketForm.initial_of(b) for b in sets.get(original, [])],
            prefix="tranches",
        )
        return _brackets_page(request, edition, question_form, formset, original)
    question_form = BracketQuestionForm(request.POST, definition=definition)
    formset = BracketFormSet(request.POST, prefix="tranches")
    errors: list[tuple[str, str]] = []
    if question_form.is_valid() and formset.is_valid():
        question = question_form.cleaned_data["question"]
        brackets = [rule for form in formset if (rule := form.rule()) is not None]
        if question != original and question in sets:
            question_form.add_error(
                "question", f"La question « {question} » a déjà des tranches : modifiez-les."
            )
        else:
            problems = _apply(
                request,
                edition,
                rules_forms.put_brackets(original, question, brackets),
                KINDS["tranches"].saved.format(code=question),
            )
            if not problems:
                return redirect(_rules_url(edition, "tranches"))
            errors = _bracket_errors(formset, problems)
    return _brackets_page(
        request, edition, question_form, formset, original, errors=errors, status=400
    )


def _bracket_errors(formset, problems: list[str]) -> list[tuple[str, str]]:
    """Each message beside the bracket it names (« tranche « code » »), else at the top."""
    errors = []
    for problem in problems:
        target = next(
            (
                form
                for form in formset
                if form.cleaned_data.get("code")
                and f"tranche « {form.cleaned_data['code'].strip()} »" in problem
            ),
            None,
        )
        if target is not None:
            target.add_error("code", problem)
        else:
            errors.append(("", problem))
    return errors


@staff_required
@require_http_methods(["GET", "POST"])
def brackets_add(request, year: int):
    return _brackets_view(request, year, None)


@staff_required
@require_http_methods(["GET", "POST"])
def brackets_edit(request, year: int, bracketed: str):
    return _brackets_view(request, year, bracketed)


# Scale mapping -----------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def scale_mapping(request, year: int):
    edition = get_object_or_404(Edition, year=year)
    definition = export_definition(edition)
    mapping = ((definition.get("rules") or {}).get("trends") or {}).get("scale_mapping") or {}
    errors: list[tuple[str, str]] = []
    status = 200
    if request.method != "POST":
        formset = MappingFormSet(
            initial=[{"old": old, "new": new} for old, new in mapping.items()], prefix="codes"
        )
    else:
        formset = MappingFormSet(request.POST, prefix="codes")
        if formset.is_valid():
            wanted = {
                form.cleaned_data["old"].strip(): form.cleaned_data["new"].strip()
                for form in formset
                if form.cleaned_data.get("old") and not form.cleaned_data.get("DELETE")
            }
            problems = _apply(
                request,
                edition,
                rules_forms.put_scale_mapping(wanted),
                "La correspondance des échelles est enregistrée.",
            )
            if not problems:
                return redirect(_rules_url(edition, "tendances"))
            errors = [("", problem) for problem in problems]
        status = 400
    errors += _formset_errors(formset, "Correspondance")
    return render(
        request,
        "backoffice/editor/rules_mapping.html",
        {"edition": edition, "formset": formset, "errors": errors},
        status=status,
    )


# How each question is reported -----------------------------------------------------------


def _reported(definition: dict) -> list[dict]:
    """The questions whose reporting the edition may set: rankings and numbers."""
    return [
        question
        for question in all_questions(definition)
        if question["type"] == "ranking" or question["type"] in NUMBER_TYPES
    ]


def _reporting_rows(definition: dict) -> list[tuple[dict, str, bool]]:
    """(question, how it is reported in words, declared in the file?) for the rules page."""
    declared = (definition.get("rules") or {}).get("reporting") or {}
    rules = parse_rules(definition.get("rules"))
    rows = []
    for question in _reported(definition):
        reporting = rules.reporting_of(question["code"])
        if question["type"] == "ranking":
            ranks = question["rank_count"] or len(question["choices"])
            points = " ; ".join(str(point) for point in reporting.points_of(ranks))
            text = f"top {reporting.top_of(ranks)}, points par rang : {points}"
        else:
            text = ", ".join(rules_forms.STAT_LABELS[stat].lower() for stat in reporting.stats)
        rows.append((question, text, question["code"] in declared))
    return rows


@staff_required
@require_http_methods(["GET", "POST"])
def reporting(request, year: int, reported: str):
    edition = get_object_or_404(Edition, year=year)
    definition = export_definition(edition)
    question = next((q for q in _reported(definition) if q["code"] == reported), None)
    if question is None:
        raise Http404
    current = ((definition.get("rules") or {}).get("reporting") or {}).get(reported, {})
    status = 200
    if request.method != "POST":
        form = ReportingForm(initial=ReportingForm.initial_of(current), question=question)
    else:
        form = ReportingForm(request.POST, question=question)
        if form.is_valid():
            problems = _apply(
                request,
                edition,
                rules_forms.put_reporting(reported, form.reporting()),
                f"La présentation de « {reported} » a été enregistrée.",
            )
            if not problems:
                return redirect(_rules_url(edition, "presentation"))
            place_errors(form, problems, ReportingForm.ERRORS)
        status = 400
    describe_fields(form)
    if "stats" in form.fields:
        # The checkboxes' fieldset carries the error (one id for the group, not per box).
        form.fields["stats"].widget.attrs.pop("aria-describedby", None)
    return render(
        request,
        "backoffice/editor/rules_reporting.html",
        {"edition": edition, "question": question, "form": form},
        status=status,
    )
