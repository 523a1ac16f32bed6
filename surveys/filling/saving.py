"""Saving a page: the wave's state, optimistic locking, and the one write path.

Every save goes through `writing()`: one transaction, the version claimed for the page's
section (a conditional UPDATE, so two agents of a collectivité never silently overwrite each
other), and the hooks of the layers above (`surveys.hooks.answers_changing`: audit trail,
results' counts). After a save the conditions are re-applied to the whole response
(`drop_hidden_answers`): the server is the authority on what is shown.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from barometre.prepared import PreparedQuery
from respondents.models import Collectivite
from surveys.compiled import compiled_edition
from surveys.conditions import compile_condition
from surveys.filling.forms import SectionForm
from surveys.filling.previous import with_previous_id
from surveys.hooks import answers_changing
from surveys.models import Answer, Edition, Question, Response, Section
from surveys.validation import CleanAnswer
from surveys.visibility import (
    answer_values,
    drop_hidden_answers,
    stored_answers,
)

logger = logging.getLogger(__name__)

EDITABLE = (Response.Status.DRAFT,)


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
        # The actual closing time: staff may close before the planned date.
        closed = edition.closed_at if edition.status != Edition.Status.OPEN else None
        closed = closed or edition.closes_at
        since = f" depuis le {_when(closed)}" if closed else ""
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


def response_for(edition: Edition, collectivite: Collectivite) -> Response:
    """The collectivité's response to the edition, created as an empty draft on first visit
    (with the id of last edition's, see `previous_response`: one query)."""
    values = {"year": edition.year, "edition": edition.pk, "collectivite": collectivite.pk}
    response = _RESPONSE.first(**values)
    if response is None:
        # First visit: `get_or_create` without its second read (the one-per-collectivité
        # constraint decides between two first visits at once).
        try:
            with transaction.atomic():
                response = Response.objects.create(edition=edition, collectivite=collectivite)
        except IntegrityError:
            response = _RESPONSE.first(**values)
    response.edition, response.collectivite = edition, collectivite
    return response


def _response_of(year: int, edition: int, collectivite: int) -> QuerySet[Response]:
    return with_previous_id(Response.objects.all(), year).filter(
        edition_id=edition, collectivite_id=collectivite
    )


# Every page of the agent reads it: compiled once per process (barometre/prepared.py).
_RESPONSE = PreparedQuery(_response_of)


def visible_sections(response: Response, values: Mapping[str, Any] | None = None) -> list[Section]:
    """The sections shown to the response's collectivité (compiled edition's, read-only); pass
    the values when the page already has them."""
    values = answer_values(response) if values is None else values
    return [
        section
        for section in compiled_edition(response.edition).sections
        if compile_condition(section.condition or "").evaluate(values)
    ]


# No savepoint of its own: the caller's transaction (`writing`, the submission) is the boundary.
@transaction.atomic(savepoint=False)
def claim_version(
    response: Response,
    version: int,
    *,
    by_staff: bool,
    section: str | None = None,
    mark_saved: bool = False,
) -> bool:
    """Move the response to the next version, or refuse (StaleVersion, NotEditable).

    With `section` (a page's save), a stale `version` is still accepted when that section was
    not saved since: only other pages moved the version on, so nothing of this page's answers
    is overwritten; the section's entry in `section_versions` gets the new version, and with
    `mark_saved` the section joins `saved_sections`. Without it (submission), any newer
    version refuses.

    The response object gets the new state. Returns True when `version` is the version the
    response object was loaded with and nothing was written since: what the request read after
    loading it (its answers) is still current.
    """
    statuses = (*EDITABLE, *Response.COUNTED_STATUSES) if by_staff else EDITABLE
    claimable = Response.objects.filter(pk=response.pk, status__in=statuses)
    if version == response.version and _move_on(claimable, response, section, mark_saved):
        return True
    current = Response.objects.get(pk=response.pk)
    if current.status not in statuses:
        response.status = current.status
        check_can_save(response, by_staff=by_staff)
    if current.version != version:
        untouched = section is not None and current.section_versions.get(section, 0) <= version
        if not untouched or current.version < version:
            raise StaleVersion(current.version)
    # Conditional on the version just read: a save of this section in between still wins.
    if not _move_on(claimable, current, section, mark_saved):
        raise StaleVersion(current.version + 1)
    for name in ("version", "updated_at", "section_versions", "saved_sections"):
        setattr(response, name, getattr(current, name))
    return False


def _move_on(
    claimable: QuerySet[Response], known: Response, section: str | None, mark_saved: bool
) -> bool:
    """One conditional UPDATE from `known`'s version to the next (its section versions and
    saved sections, unchanged while the version is, updated with it); `known` gets them."""
    changes: dict[str, Any] = {"version": known.version + 1, "updated_at": timezone.now()}
    if section is not None:
        changes["section_versions"] = {**known.section_versions, section: changes["version"]}
        if mark_saved and section not in known.saved_sections:
            changes["saved_sections"] = [*known.saved_sections, section]
    if not claimable.filter(version=known.version).update(**changes):
        return False
    for name, value in changes.items():
        setattr(known, name, value)
    return True


@contextmanager
def writing(
    response: Response, version: int, section: str, *, by_staff: bool, mark_saved: bool = False
) -> Iterator[bool]:
    """What every write of a page's answers goes through: one transaction, the hooks of the
    layers above (audit trail, results' counts) and the version claimed for the page's
    section. Yields what `claim_version` returns."""
    with transaction.atomic(), answers_changing.around(response, by_staff=by_staff):
        yield claim_version(
            response, version, by_staff=by_staff, section=section, mark_saved=mark_saved
        )


def refresh(response: Response) -> None:
    response.refresh_from_db(
        fields=["version", "updated_at", "status", "saved_sections", "section_versions"]
    )


def write_answers(
    response: Response,
    changes: Iterable[tuple[Question, int, CleanAnswer | None]],
    answers: list[Answer] | None = None,
) -> None:
    """Upsert or delete answers, touching only the rows that change.

    `answers`: all the response's answers (`stored_answers`), known current inside the
    transaction; the list is kept as the database is (rows deleted, created, updated)."""
    changes = list(changes)
    rows: Iterable[Answer] = (
        response.answers.filter(question__in={q.pk for q, _, _ in changes})
        if answers is None
        else answers
    )
    existing = {(a.question_id, a.item): a for a in rows}
    created, updated, deleted = [], [], []
    for question, item, answer in changes:
        stored = existing.get((question.pk, item))
        if answer is None:
            if stored:
                deleted.append(stored)
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
        Answer.objects.filter(pk__in=[a.pk for a in deleted]).delete()
    if created:
        Answer.objects.bulk_create(created)
    if updated:
        Answer.objects.bulk_update(updated, ["value", "number", "other_text", "updated_at"])
    if answers is not None:
        gone = {id(a) for a in deleted}
        answers[:] = [a for a in answers if id(a) not in gone] + created


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
    code = form.section.code
    with writing(response, version, code, by_staff=by_staff, mark_saved=not by_staff) as current:
        # The answers the form read are the database's when they were read at the version
        # claimed and nothing was written since; otherwise they are read again, in the
        # transaction.
        fresh = current and form.stored_version == version
        answers = list(form.stored.values()) if fresh else stored_answers(response)
        write_answers(response, [(e.question, e.item, a) for e, a in form.changes()], answers)
        drop_hidden_answers(response, answers)
    return response
