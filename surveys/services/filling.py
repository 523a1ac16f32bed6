"""Filling a response: saving a page, prefill, review, submission and reopening.

Every save goes through `save_section` (or the roster helpers), which refuses a save based on an
old version of the response (optimistic locking: a conditional UPDATE of `version` inside the
transaction, so two agents of a collectivité never silently overwrite each other), then
re-applies the conditions to the whole response (`drop_hidden_answers`): the server is the
authority on what is shown.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format

from respondents.models import EmailLog
from respondents.services.emails import queue_email
from surveys.conditions import compile_condition
from surveys.events import response_submitted
from surveys.forms import SectionForm
from surveys.logic import (
    answer_values,
    drop_hidden_answers,
    edition_questions,
    is_visible,
    item_values,
)
from surveys.models import Answer, Edition, Question, Response, ResponseEvent, Section
from surveys.services.audit import agent_audit
from surveys.validation import NSP, CleanAnswer, clean_answer, format_number

logger = logging.getLogger(__name__)

EDITABLE = (Response.Status.DRAFT,)
DONE = (Response.Status.SUBMITTED, Response.Status.VALIDATED)


class FillingError(Exception):
    """A save or a submission refused, with a French message for the agent."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class StaleVersion(FillingError):
    """The response changed since the page was shown (another agent saved in between)."""

    def __init__(self, current: int):
        super().__init__(
            "Une autre personne de votre collectivité a enregistré des réponses depuis que vous "
            "avez ouvert cette page. Vos modifications n'ont pas été enregistrées : la page "
            "montre maintenant les réponses les plus récentes, et ce que vous aviez saisi est "
            "rappelé sous chaque question concernée."
        )
        self.current = current


class WaveClosed(FillingError):
    pass


class NotEditable(FillingError):
    pass


class IncompleteResponse(FillingError):
    def __init__(self, missing: list[Missing], unconfirmed: list[Warning]):
        super().__init__(
            "Votre réponse ne peut pas encore être envoyée : "
            + " ; ".join(
                part
                for part in (
                    f"{len(missing)} réponse(s) obligatoire(s) manquante(s)" if missing else "",
                    f"{len(unconfirmed)} point(s) à confirmer" if unconfirmed else "",
                )
                if part
            )
            + "."
        )
        self.missing = missing
        self.unconfirmed = unconfirmed


# -- The wave --------------------------------------------------------------------------------


def clock(moment: datetime) -> str:
    """`14 h 32`, in local time."""
    local = timezone.localtime(moment)
    return f"{local:%H}\u00a0h\u00a0{local:%M}"


def _when(moment: datetime) -> str:
    return f"{date_format(timezone.localtime(moment), 'j F Y')} à {clock(moment)}"


def wave_problem(edition: Edition, now: datetime | None = None) -> str:
    """Why answers cannot be saved now (a French message), or "" while the wave is open."""
    now = now or timezone.now()
    # The status is the authority: staff may open a wave before `opens_at` (the beat job opens
    # it at that time otherwise); `closes_at` still ends it even before the beat job runs.
    if edition.status == Edition.Status.DRAFT:
        if edition.opens_at and now < edition.opens_at:
            return (
                f"Le questionnaire {edition.year} n'est pas encore ouvert : il ouvrira le "
                f"{_when(edition.opens_at)}. Vous pourrez alors répondre avec ce même lien."
            )
        return (
            f"Le questionnaire {edition.year} n'est pas encore ouvert. Vous recevrez un message "
            "dès son ouverture."
        )
    if edition.status != Edition.Status.OPEN or (edition.closes_at and now >= edition.closes_at):
        since = f" depuis le {_when(edition.closes_at)}" if edition.closes_at else ""
        return (
            f"Le questionnaire {edition.year} est clos{since} : les réponses ne peuvent plus être "
            "modifiées ni envoyées. Vos réponses déjà enregistrées sont conservées ; si l'équipe "
            "prolonge la collecte, vous reprendrez là où vous en étiez."
        )
    return ""


def check_can_save(response: Response, *, by_staff: bool = False) -> None:
    if by_staff:
        return
    problem = wave_problem(response.edition)
    if problem:
        raise WaveClosed(problem)
    if response.status not in EDITABLE:
        raise NotEditable(
            "Votre réponse a déjà été envoyée : elle ne peut plus être modifiée. Contactez "
            "l'équipe du baromètre pour la rouvrir si besoin."
        )


# -- The response --------------------------------------------------------------------------


def response_for(edition: Edition, collectivite) -> Response:
    """The collectivité's response to the edition, created as an empty draft on first visit."""
    response, _ = Response.objects.select_related("edition", "collectivite").get_or_create(
        edition=edition, collectivite=collectivite
    )
    return response


def visible_sections(response: Response, values: Mapping[str, Any] | None = None) -> list:
    values = answer_values(response) if values is None else values
    return [
        section
        for section in response.edition.sections.order_by("order", "pk")
        if compile_condition(section.condition or "").evaluate(values)
    ]


@transaction.atomic
def _claim_version(
    response: Response, version: int, *, by_staff: bool, section: str | None = None
) -> None:
    """Move the response to the next version, or refuse (StaleVersion, NotEditable).

    With `section` (a page's save), a stale `version` is still accepted when that section was
    not saved since: only other pages moved the version on, so nothing of this page's answers
    is overwritten. Without it (submission), any newer version refuses.
    """
    statuses = (*EDITABLE, *DONE) if by_staff else EDITABLE
    claimable = Response.objects.filter(pk=response.pk, status__in=statuses)
    claimed = claimable.filter(version=version).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    if not claimed:
        current = Response.objects.get(pk=response.pk)
        if current.status not in statuses:
            response.status = current.status
            check_can_save(response, by_staff=by_staff)
        untouched = section is not None and current.section_versions.get(section, 0) <= version
        if not untouched or current.version < version:
            raise StaleVersion(current.version)
        # Conditional on the version just read: a save of this section in between still wins.
        claimed = claimable.filter(version=current.version).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
        if not claimed:
            raise StaleVersion(current.version + 1)
    if section is not None:
        # The row is ours until the transaction ends (the UPDATE above locked it).
        new_version, versions = claimable.values_list("version", "section_versions").get()
        Response.objects.filter(pk=response.pk).update(
            section_versions={**versions, section: new_version}
        )


@contextmanager
def _writing(response: Response, version: int, section: str, *, by_staff: bool) -> Iterator[None]:
    """What every write of a page's answers goes through: one transaction, the audit trail
    (agents' writes once the response was sent), the results' counts (staff's writes, the only
    ones on a sent response), and the version claimed for the page's section."""
    counts = results_tracking(response) if by_staff else nullcontext()
    with transaction.atomic(), agent_audit(response, by_staff=by_staff), counts:
        _claim_version(response, version, by_staff=by_staff, section=section)
        yield


def _refresh(response: Response) -> None:
    response.refresh_from_db(fields=["version", "updated_at", "status", "saved_sections"])


def _write(response: Response, changes: Iterable[tuple[Question, int, CleanAnswer | None]]) -> None:
    """Upsert or delete answers, touching only the rows that change."""
    changes = list(changes)
    existing = {
        (a.question_id, a.item): a
        for a in response.answers.filter(question__in={q.pk for q, _, _ in changes})
    }
    created, updated, deleted = [], [], []
    for question, item, answer in changes:
        stored = existing.get((question.pk, item))
        if answer is None:
            if stored:
                deleted.append(stored.pk)
            continue
        number = answer.number
        if stored is None:
            created.append(
                Answer(
                    response=response,
                    question=question,
                    item=item,
                    value=answer.value,
                    number=number,
                    other_text=answer.other_text,
                )
            )
        elif (stored.value, stored.other_text) != (answer.value, answer.other_text) or (
            stored.number != number
        ):
            stored.value, stored.number, stored.other_text = answer.value, number, answer.other_text
            stored.updated_at = timezone.now()
            updated.append(stored)
    if deleted:
        Answer.objects.filter(pk__in=deleted).delete()
    if created:
        Answer.objects.bulk_create(created)
    if updated:
        Answer.objects.bulk_update(updated, ["value", "number", "other_text", "updated_at"])


def save_section(
    response: Response, form: SectionForm, version: int, *, by_staff: bool = False
) -> Response:
    """Store the valid answers of a bound form (invalid fields keep their stored answer).

    Raises StaleVersion when `version` is not the response's current version, WaveClosed or
    NotEditable when the agent may not save (staff may: `by_staff`). Returns the response with
    its new version.
    """
    form.is_valid()
    check_can_save(response, by_staff=by_staff)
    with _writing(response, version, form.section.code, by_staff=by_staff):
        _write(response, [(e.question, e.item, answer) for e, answer in form.changes()])
        if form.section.code not in response.saved_sections and not by_staff:
            response.saved_sections = [*response.saved_sections, form.section.code]
            Response.objects.filter(pk=response.pk).update(saved_sections=response.saved_sections)
        drop_hidden_answers(response)
    _refresh(response)
    return response


def _roster_count_answer(response: Response, roster: Question) -> Answer | None:
    return response.answers.filter(question=roster, item=0).first()


def _stored_count(response: Response, roster: Question) -> int:
    stored = _roster_count_answer(response, roster)
    return int(stored.value) if stored else 0


def add_roster_item(
    response: Response, roster: Question, version: int, *, by_staff: bool = False
) -> int:
    """Add an empty item at the end of a roster; returns its number."""
    check_can_save(response, by_staff=by_staff)
    with _writing(response, version, roster.section.code, by_staff=by_staff):
        count = _stored_count(response, roster)
        try:
            cleaned = clean_answer(roster, count + 1)
        except ValidationError as error:
            raise FillingError(error.messages[0]) from error
        _write(response, [(roster, 0, cleaned)])
    _refresh(response)
    return count + 1


def roster_item_exists(response: Response, roster: Question, item: int) -> bool:
    return 1 <= item <= _stored_count(response, roster)


def remove_roster_item(
    response: Response, roster: Question, item: int, version: int, *, by_staff: bool = False
) -> None:
    """Delete a roster item; the following items move up one place with all their answers."""
    check_can_save(response, by_staff=by_staff)
    with _writing(response, version, roster.section.code, by_staff=by_staff):
        stored = _roster_count_answer(response, roster)
        count = int(stored.value) if stored else 0
        if not 1 <= item <= count:
            raise FillingError("Cette fiche n'existe pas ou a déjà été supprimée.")
        children = roster.item_questions.all()
        response.answers.filter(question__in=children, item=item).delete()
        # One item at a time, upwards, so that (response, question, item) stays unique.
        for later in range(item + 1, count + 1):
            response.answers.filter(question__in=children, item=later).update(item=later - 1)
        stored.value, stored.number = count - 1, Decimal(count - 1)
        stored.save(update_fields=["value", "number", "updated_at"])
    _refresh(response)


# -- Prefill -------------------------------------------------------------------------------


def previous_response(response: Response) -> Response | None:
    """The collectivité's response to the latest earlier edition it submitted."""
    return (
        Response.objects.filter(
            collectivite_id=response.collectivite_id,
            edition__year__lt=response.edition.year,
            status__in=DONE,
        )
        .select_related("edition")
        .order_by("-edition__year")
        .first()
    )


def prefill_for(response: Response, section: Section) -> tuple[dict[str, CleanAnswer], int | None]:
    """Last edition's answers valid for this section's questions, until the page is saved.

    Same code, same type, and a value the current question accepts (choices still offered,
    bounds…); roster sheets are taken over on request instead (`copy_previous_roster`).
    Returns ({code: answer}, the year).
    """
    if section.code in response.saved_sections or response.status not in EDITABLE:
        return {}, None
    previous = previous_response(response)
    if previous is None:
        return {}, None
    questions = {
        q.code: q
        for q in section.questions.filter(roster__isnull=True).prefetch_related("choices", "rows")
        if q.type != Question.Type.ROSTER
    }
    answered = set(
        response.answers.filter(question__section=section).values_list("question__code", flat=True)
    )
    prefill = {}
    values = answer_values(response)
    old_answers = previous.answers.filter(item=0, question__code__in=questions).select_related(
        "question"
    )
    for old in old_answers:
        question = questions[old.question.code]
        if question.code in answered or old.question.type != question.type:
            continue
        try:
            cleaned = clean_answer(question, old.value, other_text=old.other_text, context=values)
        except ValidationError:
            continue
        if cleaned is not None:
            prefill[question.code] = cleaned
    return prefill, previous.edition.year


def _previous_sheets(response: Response, roster: Question) -> tuple[int, Response] | None:
    """(number of sheets, the response) of last edition's roster of the same code, while this
    one is still empty; None when there is nothing to take over."""
    if response.status not in EDITABLE or _stored_count(response, roster):
        return None
    previous = previous_response(response)
    if previous is None:
        return None
    old = (
        previous.answers.filter(
            item=0, question__code=roster.code, question__type=Question.Type.ROSTER
        )
        .values_list("value", flat=True)
        .first()
    )
    count = int(old or 0)
    if roster.max_items is not None:
        count = min(count, roster.max_items)
    return (count, previous) if count else None


def roster_offer(response: Response, roster: Question) -> tuple[int, int] | None:
    """(number of sheets, year) the collectivité described in this roster last edition, which
    it may take over while its roster is still empty; None when there is nothing to offer."""
    sheets = _previous_sheets(response, roster)
    return (sheets[0], sheets[1].edition.year) if sheets else None


def roster_offers(response: Response, section: Section) -> dict[str, tuple[int, int]]:
    """`roster_offer` of each roster of the section, by roster code."""
    offers = {}
    for roster in section.questions.filter(type=Question.Type.ROSTER):
        offer = roster_offer(response, roster)
        if offer:
            offers[roster.code] = offer
    return offers


def copy_previous_roster(
    response: Response, roster: Question, version: int, *, by_staff: bool = False
) -> int:
    """Take over last edition's sheets of this (empty) roster; returns how many.

    Every copied answer goes through `clean_answer` against this edition's question: an answer
    it no longer accepts (a choice withdrawn, a bound changed) is left out, as in the prefill.
    """
    check_can_save(response, by_staff=by_staff)
    sheets = _previous_sheets(response, roster)
    if sheets is None:
        raise FillingError("Il n'y a pas de fiches de l'édition précédente à reprendre ici.")
    count, previous = sheets
    children = {q.code: q for q in roster.item_questions.prefetch_related("choices", "rows")}
    with _writing(response, version, roster.section.code, by_staff=by_staff):
        if _stored_count(response, roster):  # someone added a sheet in between
            raise FillingError("Cette liste a déjà des fiches : elles n'ont pas été remplacées.")
        values = answer_values(response)
        changes = [(roster, 0, clean_answer(roster, count))]
        old_answers = previous.answers.filter(
            item__gte=1,
            item__lte=count,
            question__roster__code=roster.code,
            question__code__in=children,
        ).select_related("question")
        for old in old_answers:
            question = children[old.question.code]
            if old.question.type != question.type:
                continue
            try:
                cleaned = clean_answer(
                    question, old.value, other_text=old.other_text, context=values
                )
            except ValidationError:
                continue
            if cleaned is not None:
                changes.append((question, old.item, cleaned))
        _write(response, changes)
        drop_hidden_answers(response)
    _refresh(response)
    return count


# -- Overview, review, warnings ------------------------------------------------------------


@dataclass
class Missing:
    section: Section
    question: Question
    item: int = 0
    anchor: str = ""

    @property
    def label(self) -> str:
        prefix = f"Fiche {self.item} — " if self.item else ""
        return f"{prefix}{self.question.text}"


@dataclass(frozen=True)
class Warning:
    code: str
    question_code: str
    message: str


@dataclass
class SectionState:
    section: Section
    state: str  # not_started, in_progress, complete
    answered: int = 0
    missing: list[Missing] = field(default_factory=list)

    LABELS = {"not_started": "Non commencée", "in_progress": "En cours", "complete": "Complète"}

    @property
    def label(self) -> str:
        return self.LABELS[self.state]


@dataclass
class Review:
    """What the overview and the review page show for a response."""

    sections: list[SectionState]
    answers: dict[tuple[int, int], Answer]
    values: dict[str, Any]
    items: dict[int, dict[str, Any]]
    questions: list[Question]
    warnings: list[Warning]

    @property
    def missing(self) -> list[Missing]:
        return [m for s in self.sections for m in s.missing]

    @property
    def complete_count(self) -> int:
        return sum(1 for s in self.sections if s.state == "complete")


def _number(value: Any) -> Decimal | None:
    if value in (None, "", NSP) or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def _budget_warning(values: Mapping[str, Any]) -> str:
    per_inhabitant = values.get("budget_par_habitant")
    if per_inhabitant is not None and per_inhabitant > 50:
        return (
            f"Le budget de participation représente {format_number(per_inhabitant)} € par "
            "habitant, ce qui est inhabituel (plus de 50 € par habitant). Vérifiez le montant "
            "(en euros, hors masse salariale)."
        )
    return ""


def _etp_warning(values: Mapping[str, Any]) -> str:
    etp, population = _number(values.get("etp_participation")), values.get("population")
    if etp is not None and etp > 50 and population is not None and population < 10_000:
        return (
            f"{format_number(etp)} ETP dédiés à la participation pour une collectivité de moins "
            "de 10 000 habitants, c'est inhabituel. Vérifiez le nombre (en équivalents temps "
            "plein)."
        )
    return ""


def _etp_without_budget_warning(values: Mapping[str, Any]) -> str:
    etp, budget = _number(values.get("etp_participation")), values.get("budget_participation")
    if etp is not None and etp >= 5 and _number(budget) == 0:
        return (
            f"{format_number(etp)} ETP dédiés à la participation, mais un budget de 0 € : "
            "confirmez-vous qu'aucun budget (hors masse salariale) n'y est consacré ?"
        )
    return ""


# (code, the question it is about, rule returning a message or "")
WARNING_RULES: list[tuple[str, str, Callable[[Mapping[str, Any]], str]]] = [
    ("budget_par_habitant_eleve", "budget_participation", _budget_warning),
    ("etp_eleve_petite_collectivite", "etp_participation", _etp_warning),
    ("etp_sans_budget", "budget_participation", _etp_without_budget_warning),
]


def warnings_for(values: Mapping[str, Any]) -> list[Warning]:
    """Plausible but unusual answers, to be confirmed before submission."""
    found = []
    for code, question_code, rule in WARNING_RULES:
        message = rule(values)
        if message:
            found.append(Warning(code, question_code, message))
    return found


def review(response: Response) -> Review:
    """Each visible section's state and missing required answers, and the warnings."""
    questions = edition_questions(response.edition)
    answers = {
        (a.question_id, a.item): a for a in response.answers.select_related("question").all()
    }
    values = answer_values(response)
    items = item_values(response)
    counts = {
        q.pk: int(answers[q.pk, 0].value)
        for q in questions
        if q.type == Question.Type.ROSTER and (q.pk, 0) in answers
    }
    states = []
    for section in visible_sections(response, values):
        section_questions = [q for q in questions if q.section_id == section.pk]
        answered = sum(1 for q in section_questions if any(k[0] == q.pk for k in answers))
        missing = []
        for question in section_questions:
            if question.roster_id is None:
                if not is_visible(question, values):
                    continue
                if question.type == Question.Type.ROSTER:
                    count = counts.get(question.pk, 0)
                    if question.min_items and count < question.min_items:
                        missing.append(Missing(section, question, 0, f"q-{question.code}"))
                elif question.required and (question.pk, 0) not in answers:
                    missing.append(Missing(section, question, 0, f"q-{question.code}"))
                continue
            if not question.required:
                continue
            for item in range(1, counts.get(question.roster_id, 0) + 1):
                context = {**values, **items.get(item, {})}
                if is_visible(question, context) and (question.pk, item) not in answers:
                    anchor = f"q-{question.roster.code}-{item}-{question.code}"
                    missing.append(Missing(section, question, item, anchor))
        saved = section.code in response.saved_sections
        if saved and not missing:
            state = "complete"
        elif saved or answered:
            state = "in_progress"
        else:
            state = "not_started"
        states.append(SectionState(section, state, answered, missing))
    return Review(states, answers, values, items, questions, warnings_for(values))


# -- Display of stored answers -------------------------------------------------------------


def display_answer(question: Question, answer: Answer | None) -> list[str]:
    """Human-readable lines for a stored answer (empty when unanswered)."""
    if answer is None:
        return []
    value = answer.value
    labels = {c.code: c.label for c in question.choices.all()}
    kind = question.type
    if kind == Question.Type.SINGLE:
        line = labels.get(value, value)
        return [f"{line} : {answer.other_text}" if answer.other_text else line]
    if kind == Question.Type.MULTIPLE:
        lines = [labels.get(code, code) for code in value]
        if answer.other_text:
            lines.append(f"Précision : {answer.other_text}")
        return lines
    if kind == Question.Type.MATRIX:
        rows = {r.code: r.label for r in question.rows.all()}
        return [f"{rows.get(r, r)} : {labels.get(p, p)}" for r, p in value.items()]
    if kind == Question.Type.RANKING:
        ordered = sorted(value.items(), key=lambda pair: pair[1])
        return [f"{rank}. {labels.get(code, code)}" for code, rank in ordered]
    if kind in (Question.Type.INTEGER, Question.Type.DECIMAL, Question.Type.MONEY):
        if value == NSP:
            return ["Ne sait pas"]
        unit = " €" if kind == Question.Type.MONEY else ""
        return [f"{format_number(Decimal(str(value)))}{unit}"]
    if kind == Question.Type.ROSTER:
        return [f"{value} fiche{'s' if value != 1 else ''}"]
    return [str(value)]


def answer_sheet(response: Response, data: Review | None = None) -> list[dict[str, Any]]:
    """Every visible section with its visible questions and their displayed answers."""
    data = data or review(response)
    sheet = []
    for state in data.sections:
        rows = []
        for question in data.questions:
            if question.section_id != state.section.pk or question.roster_id is not None:
                continue
            if not is_visible(question, data.values):
                continue
            row = {
                "question": question,
                "lines": display_answer(question, data.answers.get((question.pk, 0))),
            }
            if question.type == Question.Type.ROSTER:
                row["items"] = _roster_sheet(question, data)
            rows.append(row)
        sheet.append({"state": state, "rows": rows})
    return sheet


def _roster_sheet(roster: Question, data: Review) -> list[dict[str, Any]]:
    answer = data.answers.get((roster.pk, 0))
    children = [q for q in data.questions if q.roster_id == roster.pk]
    items = []
    for item in range(1, (int(answer.value) if answer else 0) + 1):
        context = {**data.values, **data.items.get(item, {})}
        items.append(
            {
                "number": item,
                "rows": [
                    {"question": q, "lines": display_answer(q, data.answers.get((q.pk, item)))}
                    for q in children
                    if is_visible(q, context)
                ],
            }
        )
    return items


# -- Submission and reopening ------------------------------------------------------------


def remember_confirmations(
    response: Response, confirmed: Iterable[str], warnings: list[Warning]
) -> None:
    """Keep the warnings confirmed on the review page, with their wording, so that an agent who
    goes back to complete a page is not asked again about the same values."""
    confirmed = set(confirmed)
    kept = {w.code: w.message for w in warnings if w.code in confirmed}
    if kept != response.confirmed_warnings:
        Response.objects.filter(pk=response.pk).update(confirmed_warnings=kept)
        response.confirmed_warnings = kept


def already_confirmed(response: Response, warnings: list[Warning]) -> set[str]:
    """The warnings confirmed before whose message (hence value) is still the same."""
    stored = response.confirmed_warnings or {}
    return {w.code for w in warnings if stored.get(w.code) == w.message}


def submit_response(
    response: Response,
    version: int,
    confirmed: Iterable[str] = (),
    *,
    contact=None,
    invitation=None,
) -> Response:
    """Submit: required answers present, warnings confirmed; then the receipt e-mail.

    The receipt goes to `contact` (the agent who submits), logged and sent by the respondents
    app's e-mail task.

    Raises WaveClosed, NotEditable, StaleVersion (the answers changed since the review was
    shown) or IncompleteResponse.
    """
    check_can_save(response)
    data = review(response)
    confirmed = set(confirmed)
    unconfirmed = [w for w in data.warnings if w.code not in confirmed]
    if data.missing or unconfirmed:
        raise IncompleteResponse(data.missing, unconfirmed)
    # Counted from now on: the results' counts take the response and recompute soon after.
    with results_tracking(response):
        _claim_version(response, version, by_staff=False)
        now = timezone.now()
        Response.objects.filter(pk=response.pk).update(
            status=Response.Status.SUBMITTED, submitted_at=now
        )
        if contact is not None:
            queue_email(contact, EmailLog.Kind.RECEIPT, invitation)
    response.refresh_from_db()
    response_submitted.send(sender=Response, response=response)
    return response


def results_tracking(response: Response):
    """Around a change of a response's status or answers: the results (exports app) keep their
    pre-aggregated counts right and recompute the edition's figures, debounced.
    """
    from exports.services.results_counts import tracking

    return tracking(response)


@transaction.atomic
def reopen_response(response: Response, by_user) -> Response:
    """Staff: give a submitted (or validated) response back to its agents as a draft."""
    if response.status not in DONE:
        raise FillingError("Cette réponse n'a pas été envoyée : elle est déjà modifiable.")
    with results_tracking(response):
        Response.objects.filter(pk=response.pk).update(
            status=Response.Status.DRAFT,
            submitted_at=None,
            validated_at=None,
            validated_by=None,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
    # Logged for the back-office: the agents' later changes go to the audit trail.
    ResponseEvent.objects.create(response=response, kind=ResponseEvent.Kind.REOPENED, by=by_user)
    response.refresh_from_db()
    logger.info("Réponse %s (%s) rouverte par %s", response.pk, response, by_user)
    return response
