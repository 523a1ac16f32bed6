"""One way for the editor to change an edition: through its definition, checked as a file is.

The loader's messages name a line of the file; the editor's file is generated, so the line means
nothing to staff and `plain_errors` drops it (the message still names the question or section).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from surveys.definition import (
    DefinitionError,
    dump_definition,
    export_definition,
    import_definition,
    load_definition,
)
from surveys.definition.dump import drop_stale_sources
from surveys.definition.sync import QUESTION_FIELDS
from surveys.models import Edition

__all__ = [
    "DefinitionError",
    "all_questions",
    "blank_choice",
    "blank_question",
    "blank_section",
    "STAMP",
    "change_definition",
    "edition_stamp",
    "check_definition",
    "find_question",
    "find_section",
    "plain_errors",
]

# The hidden field of the editor's forms holding `edition_stamp`, and the refusal of a form made
# from an older version of the edition (two people editing at once: the second is told).
STAMP = "edition_stamp"
STALE = (
    "Quelqu'un a modifié l'édition {year} depuis l'ouverture de cette page : rien n'est "
    "enregistré. Ce que vous avez saisi est conservé ci-dessous ; vérifiez-le au regard de la "
    "version actuelle, puis enregistrez à nouveau."
)

_LOCATION = re.compile(r"^[^:]*?, ligne \d+ : ")
_EARLIER_LINE = re.compile(r" \(déjà utilisé ligne \d+\)")


def source_name(edition: Edition) -> str:
    return f"édition {edition.year}"


def plain_errors(error: DefinitionError) -> list[str]:
    """The loader's French messages without the generated file's name and lines."""
    return [_EARLIER_LINE.sub("", _LOCATION.sub("", message)) for message in error.errors]


def check_definition(edition: Edition, definition: dict) -> dict:
    """`definition` as the loader reads it back from YAML; raises `DefinitionError`."""
    return load_definition(source_name(edition), dump_definition(definition))


def edition_stamp(edition: Edition) -> str:
    """The version of the edition a page was made from (its forms send it back as `STAMP`)."""
    return edition.updated_at.isoformat() if edition.updated_at else ""


def change_definition(
    edition: Edition, change: Callable[[dict], None], seen: str | None = None
) -> Edition:
    """Apply `change` (which edits the plain definition in place) to the edition, or refuse.

    Raises `DefinitionError` (the loader's checks, or `seen` — the stamp of the edition the
    form was made from — no longer the edition's: someone else saved a change since) or
    `ProtectedChangeError` (answers already given forbid it); nothing is written then.
    """
    if seen is not None and seen != edition_stamp(edition):
        raise DefinitionError([STALE.format(year=edition.year)])
    definition = export_definition(edition)
    change(definition)
    # Choices edited here, or those of a question another one takes its choices from: the
    # questions whose choices no longer match their source get them written out.
    drop_stale_sources(definition)
    edition, _changed = import_definition(check_definition(edition, definition))
    return edition


def all_questions(definition: dict) -> Iterator[dict]:
    """Every question of the definition, roster item questions after their roster."""
    for section in definition["sections"]:
        for question in section["questions"]:
            yield question
            yield from question.get("questions", [])


def blank_section(code: str, title: str) -> dict:
    """A new section in the plain definition's shape, with no question yet."""
    return {"code": code, "title": title, "description": "", "condition": "", "questions": []}


def blank_question(code: str, type: str, text: str) -> dict:
    """A new question in the plain definition's shape; fill its choices, rows or questions."""
    question: dict = dict.fromkeys(QUESTION_FIELDS)
    question.update(
        code=code,
        type=type,
        text=text,
        help_text="",
        required=False,
        condition="",
        allow_nsp=False,
        choices_source={},
        choices=[],
        rows=[],
        questions=[],
    )
    return question


def blank_choice(code: str, label: str) -> dict:
    return {"code": code, "label": label, "exclusive": False, "other": False, "condition": ""}


def find_section(definition: dict, code: str) -> dict | None:
    return next((s for s in definition["sections"] if s["code"] == code), None)


def find_question(definition: dict, code: str) -> dict | None:
    return next((q for q in all_questions(definition) if q["code"] == code), None)
