"""The editor's changes, each a function of the plain definition (for `change_definition`).

A change finds what it edits by code; `Missing` says the code is not (or no longer) in the
edition, which the views answer with a 404.
"""

from __future__ import annotations

from collections.abc import Callable

from surveys.backoffice.editor.draft import all_questions, find_question, find_section
from surveys.definition.sync import QUESTION_FIELDS

Change = Callable[[dict], None]

# What the question form edits: the stored question fields (`sync.QUESTION_FIELDS`) but where
# the choices come from, which the choices' own list decides.
QUESTION_KEYS = ("code", *(key for key in QUESTION_FIELDS if key != "choices_source"))
SECTION_KEYS = ("code", "title", "description", "condition")


class Missing(LookupError):
    """The section or question named is not in the edition."""


class StaleOrder(ValueError):
    """An order sent for a list that no longer holds the same codes (changed meanwhile)."""


def section_of(definition: dict, code: str) -> dict:
    section = find_section(definition, code)
    if section is None:
        raise Missing(code)
    return section


def question_of(definition: dict, code: str) -> dict:
    question = find_question(definition, code)
    if question is None:
        raise Missing(code)
    return question


def siblings_of(definition: dict, code: str) -> list[dict]:
    """The list holding the question: its section's questions, or its roster's."""
    for section in definition["sections"]:
        for question in section["questions"]:
            if question["code"] == code:
                return section["questions"]
            if any(child["code"] == code for child in question.get("questions", [])):
                return question["questions"]
    raise Missing(code)


def section_holding(definition: dict, code: str) -> dict:
    for section in definition["sections"]:
        if any(q["code"] == code for q in _with_children(section["questions"])):
            return section
    raise Missing(code)


def roster_holding(definition: dict, code: str) -> dict | None:
    """The roster a question is asked in, or None for a question of a section."""
    for question in all_questions(definition):
        if any(child["code"] == code for child in question.get("questions", [])):
            return question
    return None


def _with_children(questions: list[dict]) -> list[dict]:
    return [q for question in questions for q in [question, *question.get("questions", [])]]


def _move(items: list[dict], code: str, step: int) -> None:
    index = next(i for i, item in enumerate(items) if item["code"] == code)
    target = index + step
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]


# --- Sections ----------------------------------------------------------------------------------


def update_section(code: str, values: dict) -> Change:
    def change(definition: dict) -> None:
        section_of(definition, code).update({key: values[key] for key in SECTION_KEYS})

    return change


def add_section(values: dict, first_question: dict, after: str | None = None) -> Change:
    """A new section with its first question (a section may not be empty), at the end or after
    the section `after`."""

    def change(definition: dict) -> None:
        section = {key: values[key] for key in SECTION_KEYS}
        section["questions"] = [first_question]
        sections = definition["sections"]
        index = len(sections)
        if after:
            index = sections.index(section_of(definition, after)) + 1
        sections.insert(index, section)

    return change


def move_section(code: str, step: int) -> Change:
    def change(definition: dict) -> None:
        section_of(definition, code)
        _move(definition["sections"], code, step)

    return change


def remove_section(code: str) -> Change:
    def change(definition: dict) -> None:
        definition["sections"].remove(section_of(definition, code))

    return change


# --- Questions ---------------------------------------------------------------------------------


def update_question(
    code: str,
    values: dict,
    choices: list[dict] | None = None,
    rows: list[dict] | None = None,
    section: str | None = None,
) -> Change:
    """The question's fields, and its choices and rows when given (None: left as they are);
    `section` moves a question of a section to the end of another one."""

    def change(definition: dict) -> None:
        question = question_of(definition, code)
        question.update({key: values[key] for key in QUESTION_KEYS if key in values})
        if choices is not None:
            question["choices"] = choices
        if rows is not None:
            question["rows"] = rows
        if section and roster_holding(definition, code) is None:
            current = section_holding(definition, code)
            if current["code"] != section:
                target = section_of(definition, section)
                current["questions"].remove(question)
                target["questions"].append(question)

    return change


def add_question(question: dict, section: str | None = None, roster: str | None = None) -> Change:
    """A new question at the end of a section, or of a roster (asked once per item)."""

    def change(definition: dict) -> None:
        if roster:
            parent = question_of(definition, roster)
            if parent["type"] != "roster":
                raise Missing(roster)
            parent["questions"].append(question)
        else:
            section_of(definition, section or "")["questions"].append(question)

    return change


def move_question(code: str, step: int) -> Change:
    def change(definition: dict) -> None:
        _move(siblings_of(definition, code), code, step)

    return change


def remove_question(code: str) -> Change:
    def change(definition: dict) -> None:
        siblings = siblings_of(definition, code)
        siblings.remove(question_of(definition, code))

    return change


def reorder(parent: str, codes: list[str]) -> Change:
    """The sections (`parent` empty), a section's questions or a roster's item questions in the
    order of `codes`, which must name exactly the items of that list."""

    def change(definition: dict) -> None:
        if not parent:
            items = definition["sections"]
        elif (section := find_section(definition, parent)) is not None:
            items = section["questions"]
        else:
            items = question_of(definition, parent).get("questions", [])
        by_code = {item["code"]: item for item in items}
        if sorted(by_code) != sorted(codes) or len(codes) != len(items):
            raise StaleOrder(parent)
        items[:] = [by_code[code] for code in codes]

    return change
