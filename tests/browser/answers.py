"""Answers for the browser tests: generated from the definitions, typed with the keyboard only.

`planned_answers()` draws a valid set of answers for a collectivité from the edition's
definitions (`surveys.synthetic`, which respects conditions, exclusive choices, *other* texts,
bounds and top-N rankings). `FieldPlan` turns them into the state each form control must reach
(field names: the contract of `surveys/forms.py`), and `answer_page_with_keyboard()` reaches it
with Tab, arrows, Space and typing only, then presses "Enregistrer et continuer".
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from surveys.models import Answer, Question, Response
from surveys.synthetic import compile_questionnaire, generate_answers
from surveys.validation import NSP, format_number

# {(question code, item): (value, other_text)}: the comparable form of stored answers.
AnswerSet = dict[tuple[str, int], tuple[Any, str]]


@dataclass
class PlannedAnswer:
    question: Question
    item: int
    value: Any
    number: Decimal | None
    other_text: str


def planned_answers(edition, collectivite, seed: int) -> list[PlannedAnswer]:
    questions = {q.pk: q for q in edition.questions.select_related("section")}
    rows = generate_answers(compile_questionnaire(edition), collectivite, random.Random(seed))
    return [PlannedAnswer(questions[qid], *rest) for qid, *rest in rows]


def store_draft(edition, collectivite, planned: list[PlannedAnswer]) -> Response:
    """A draft response holding these answers, as if an agent had saved every page."""
    response = Response.objects.create(edition=edition, collectivite=collectivite)
    Answer.objects.bulk_create(
        Answer(
            response=response,
            question=p.question,
            item=p.item,
            value=p.value,
            number=p.number,
            other_text=p.other_text,
        )
        for p in planned
    )
    return response


def as_answer_set(planned: list[PlannedAnswer]) -> AnswerSet:
    return {(p.question.code, p.item): (p.value, p.other_text) for p in planned}


def stored_answer_set(response: Response) -> AnswerSet:
    rows = Answer.objects.filter(response=response).values_list(
        "question__code", "item", "value", "other_text"
    )
    return {(code, item): (value, other_text) for code, item, value, other_text in rows}


def typed_number(value: str) -> str:
    """A number as an agent types it: French decimal comma, ordinary spaces between thousands."""
    return format_number(Decimal(value)).replace("\u202f", " ")


@dataclass
class FieldPlan:
    """What each control of a section page must hold once the agent is done with it."""

    radios: dict[str, str] = field(default_factory=dict)
    checked: set[tuple[str, str]] = field(default_factory=set)
    texts: dict[str, str] = field(default_factory=dict)
    selects: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, planned: list[PlannedAnswer]) -> FieldPlan:
        plan = cls()
        for answer in planned:
            if answer.item:
                raise ValueError("les listes répétables ne se remplissent pas ainsi")
            plan.add(answer.question, answer.value, answer.other_text)
        return plan

    def add(self, question: Question, value: Any, other_text: str) -> None:
        name, kind = question.code, question.type
        if kind == Question.Type.SINGLE:
            self.radios[name] = value
        elif kind == Question.Type.MULTIPLE:
            self.checked.update((name, code) for code in value)
        elif kind == Question.Type.MATRIX:
            self.radios.update({f"{name}.{row}": point for row, point in value.items()})
        elif kind == Question.Type.RANKING:
            self.selects.update({f"{name}.{item}": str(rank) for item, rank in value.items()})
        elif kind in (Question.Type.INTEGER, Question.Type.DECIMAL, Question.Type.MONEY):
            if value == NSP:
                self.checked.add((f"{name}_nsp", "1"))
            else:
                self.texts[name] = typed_number(value)
        elif kind in (Question.Type.TEXT, Question.Type.LONGTEXT):
            self.texts[name] = value
        else:
            raise ValueError(f"type non pris en charge : {kind}")
        if other_text:
            self.texts[f"{name}_autre"] = other_text


ACTIVE = """() => {
    const el = document.activeElement;
    return {tag: el.tagName.toLowerCase(), type: el.type || '', name: el.name || '',
            value: el.value ?? '', checked: !!el.checked, text: el.textContent.trim()};
}"""
MAX_TABS = 600


def active(page) -> dict:
    return page.evaluate(ACTIVE)


def _choose_radio(page, want: str, name: str) -> None:
    """Focus is on a radio of the group: arrows move (and check), Space checks the focused one."""
    for _ in range(40):
        if active(page)["value"] == want:
            page.keyboard.press("Space")
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"choix {want!r} introuvable au clavier dans le groupe {name}")


def answer_page_with_keyboard(page, plan: FieldPlan, button: str = "continue") -> None:
    """Tab through the form, set every planned control, then press the `action` button."""
    done_groups: set[str] = set()
    typed: set[str] = set()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        el = active(page)
        name = el["name"]
        if el["tag"] == "button" and name == "action" and el["value"] == button:
            missing = (
                set(plan.radios) - done_groups
                | set(plan.texts) - typed
                | {n for n in plan.selects if n not in typed}
            )
            assert not missing, f"champs jamais atteints au clavier : {sorted(missing)}"
            page.keyboard.press("Enter")
            return
        if el["type"] == "radio" and name in plan.radios and name not in done_groups:
            _choose_radio(page, plan.radios[name], name)
            done_groups.add(name)
        elif el["type"] == "checkbox":
            if ((name, el["value"]) in plan.checked) != el["checked"]:
                page.keyboard.press("Space")
        elif el["tag"] == "select" and name in plan.selects:
            page.keyboard.type(plan.selects[name])
            assert active(page)["value"] == plan.selects[name], f"rang non choisi dans {name}"
            typed.add(name)
        elif el["tag"] in ("input", "textarea") and name in plan.texts and name not in typed:
            page.keyboard.press("Control+A")
            page.keyboard.type(plan.texts[name])
            typed.add(name)
    raise AssertionError(f"bouton {button!r} jamais atteint après {MAX_TABS} tabulations")


def comparable(answers: AnswerSet) -> AnswerSet:
    """The order of the codes of a multiple answer carries no meaning."""
    return {
        key: (sorted(value) if isinstance(value, list) else value, other)
        for key, (value, other) in answers.items()
    }
