"""What a definition file may contain, and the error that lists what is wrong with one.

Kept apart so that the checker, the loader and the export share it without an import cycle; the
containers remember their lines so that every error can point into the file.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from surveys.models import Question

TYPES = [choice.value for choice in Question.Type]
TYPES_WITH_CHOICES = {str(kind) for kind in Question.TYPES_WITH_CHOICES}
NUMBER_TYPES = {str(kind) for kind in Question.NUMBER_TYPES}
COMMON_KEYS = ("code", "type", "text", "help", "required", "condition")
TYPE_KEYS = {
    "single": ("choices",),
    "multiple": ("choices",),
    "ranking": ("rank_count", "choices"),
    "matrix": ("rows", "scale"),
    "integer": ("min", "max", "step", "allow_nsp"),
    "decimal": ("min", "max", "step", "allow_nsp"),
    "money": ("min", "max", "step", "allow_nsp"),
    "text": (),
    "longtext": (),
    "roster": ("min_items", "max_items", "questions"),
}
REQUIRED_KEYS = {
    "single": ("choices",),
    "multiple": ("choices",),
    "ranking": ("choices",),
    "matrix": ("rows", "scale"),
    "roster": ("questions",),
}
EDITION_KEYS = ("year", "title", "introduction", "opens_at", "closes_at")
# The answers published per collectivité in the open dataset of a published edition.
OPENDATA_KEYS = ("questions",)
SECTION_KEYS = ("code", "title", "description", "condition", "questions")
CHOICE_KEYS = ("code", "label", "exclusive", "other", "condition")
ROW_KEYS = ("code", "label")
QUESTION_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
CHOICE_CODE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
LIST_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
CODE_MAX_LENGTH = 60
LABEL_MAX_LENGTH = 300
TITLE_MAX_LENGTH = 200
# Question.min_value/max_value: 14 digits, 2 after the point; step: 8 digits.
BOUND_LIMIT = Decimal("1e12")
STEP_LIMIT = Decimal("1e6")


class DefinitionError(Exception):
    """Every problem found in a definition file, one French line each."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


# --- Containers with line numbers ---------------------------------------------------------


class Mapping(dict):
    line: int
    key_lines: dict


class Sequence(list):
    line: int
    item_lines: list


def line_of(container: Any, key: Any = None) -> int:
    if isinstance(container, Mapping) and key is not None:
        return container.key_lines.get(key, container.line)
    if isinstance(container, Sequence) and isinstance(key, int):
        return container.item_lines[key]
    return getattr(container, "line", 0)
