"""Definition files of an edition (YAML): load and check, import into the database, export.

The format is documented in `editions/README.md`. `load_definition()` turns a file into a plain
*definition* (dicts and lists, choice references resolved) or raises `DefinitionError` listing
every problem with its file and line; `import_definition()` creates or updates the edition so
that it matches, in one transaction; `export_definition()` builds the same plain definition from
the database and `dump_definition()` writes it back as YAML. Loading an exported file gives back
the exported definition, and exporting it again gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from django.conf import settings
from django.db import transaction

from surveys.conditions import ConditionError, compile_condition
from surveys.models import Choice, Edition, MatrixRow, Question, Section

TYPES = [choice.value for choice in Question.Type]
CHOICE_TYPES = {"single", "multiple", "ranking"}
NUMBER_TYPES = {"integer", "decimal", "money"}
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


# --- YAML with line numbers ---------------------------------------------------------------


class _Mapping(dict):
    line: int
    key_lines: dict


class _Sequence(list):
    line: int
    item_lines: list


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _LineLoader(yaml.SafeLoader):
    """A SafeLoader whose mappings and sequences remember their lines (1-based)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Mapping:
    loader.flatten_mapping(node)
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in mapping
        except TypeError as exc:
            raise _DuplicateKey(None, None, "clé invalide", key_node.start_mark) from exc
        if duplicate:
            raise _DuplicateKey(None, None, f"clé « {key} » répétée", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> _Sequence:
    sequence = _Sequence(loader.construct_object(child, deep=True) for child in node.value)
    sequence.line = node.start_mark.line + 1
    sequence.item_lines = [child.start_mark.line + 1 for child in node.value]
    return sequence


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def _line_of(container: Any, key: Any = None) -> int:
    if isinstance(container, _Mapping) and key is not None:
        return container.key_lines.get(key, container.line)
    if isinstance(container, _Sequence) and isinstance(key, int):
        return container.item_lines[key]
    return getattr(container, "line", 0)


# --- Loading and checking -----------------------------------------------------------------


def load_definition(source: str | Path, text: str | None = None) -> dict:
    """Read and check a definition file; `text` replaces reading `source` (then only a name)."""
    name = str(source)
    if text is None:
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise DefinitionError([f"{name} : lecture impossible ({exc.strerror})."]) from exc
        except UnicodeDecodeError as exc:
            raise DefinitionError([f"{name} : le fichier n'est pas en UTF-8."]) from exc
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        problem = exc.problem or exc.context or "syntaxe invalide"
        raise DefinitionError([f"{name}, ligne {line} : YAML invalide : {problem}."]) from exc
    except yaml.YAMLError as exc:
        raise DefinitionError([f"{name} : YAML invalide ({exc})."]) from exc
    return _Checker(name).check(data)


class _Checker:
    def __init__(self, name: str):
        self.name = name
        self.errors: list[str] = []
        self.question_codes: dict[str, int] = {}
        self.conditions: list[tuple[int, str, str]] = []  # (line, where, expression)
        self.references: list[tuple[int, str, dict]] = []  # (line, where, question)
        self.lists: dict[str, list[dict]] = {}
        self.questions: dict[str, dict] = {}

    def error(self, line: int, message: str) -> None:
        self.errors.append(f"{self.name}, ligne {line} : {message}")

    # The document ---------------------------------------------------------------------

    def check(self, data: Any) -> dict:
        if not isinstance(data, _Mapping):
            raise DefinitionError(
                [f"{self.name} : le fichier doit contenir « edition », « lists » et « sections »."]
            )
        self.unknown_keys(data, ("edition", "lists", "sections"), "le fichier")
        for key in ("edition", "sections"):
            if key not in data:
                self.error(data.line, f"la clé « {key} » manque.")
        definition = {
            "edition": self.edition(data.get("edition"), _line_of(data, "edition")),
            "lists": self.choice_lists(data.get("lists"), _line_of(data, "lists")),
            "sections": self.sections(data.get("sections"), _line_of(data, "sections")),
        }
        self.resolve_references()
        for question in self.questions.values():
            if not question["choices_source"]:
                where = f"question « {question['code']} »"
                self.check_choice_flags(question, question["_line"], where)
        self.check_conditions()
        if self.errors:
            raise DefinitionError(self.errors)
        return _without_lines(definition)

    def edition(self, raw: Any, line: int) -> dict:
        if not self.expect_mapping(raw, line, "« edition »"):
            return {}
        self.unknown_keys(raw, EDITION_KEYS, "l'édition")
        year = raw.get("year")
        if "year" not in raw:
            self.error(raw.line, "édition : l'année (« year ») manque.")
        elif not _is_int(year) or not 1900 <= year <= 2999:
            self.error(_line_of(raw, "year"), "édition : l'année doit être un nombre entier.")
        edition = {
            "year": year,
            "title": self.text(raw, "title", "édition", required=True, limit=TITLE_MAX_LENGTH),
            "introduction": self.text(raw, "introduction", "édition"),
            "opens_at": self.datetime(raw, "opens_at"),
            "closes_at": self.datetime(raw, "closes_at"),
        }
        if edition["opens_at"] and edition["closes_at"]:
            if edition["closes_at"] <= edition["opens_at"]:
                self.error(
                    _line_of(raw, "closes_at"),
                    "édition : la clôture (« closes_at ») doit suivre l'ouverture.",
                )
        return edition

    def choice_lists(self, raw: Any, line: int) -> list[dict]:
        if raw is None:
            return []
        if not isinstance(raw, _Mapping):
            self.error(line, "« lists » doit associer un nom à une liste de choix.")
            return []
        lists = []
        for name, choices in raw.items():
            where = f"liste « {name} »"
            key_line = _line_of(raw, name)
            if not isinstance(name, str) or not LIST_NAME.match(name):
                self.error(
                    key_line,
                    f"{where} : un nom de liste s'écrit en majuscules (lettres, chiffres, _),"
                    " par exemple LIKERT4N.",
                )
                continue
            checked = self.choices(choices, key_line, where)
            self.lists[name] = checked
            lists.append({"name": name, "choices": checked})
        return lists

    def sections(self, raw: Any, line: int) -> list[dict]:
        if not isinstance(raw, _Sequence) or not raw:
            if raw is not None:
                self.error(line, "« sections » doit être une liste non vide de sections.")
            return []
        sections, seen = [], {}
        for index, item in enumerate(raw):
            item_line = _line_of(raw, index)
            if not self.expect_mapping(item, item_line, "une section"):
                continue
            self.unknown_keys(item, SECTION_KEYS, "la section")
            code = self.code(item, "section", QUESTION_CODE, seen)
            where = f"section « {code} »"
            section = {
                "code": code,
                "title": self.text(item, "title", where, required=True, limit=TITLE_MAX_LENGTH),
                "description": self.text(item, "description", where),
                "condition": self.condition(item, where),
                "questions": self.question_list(item, where, roster=None),
            }
            if "questions" not in item:
                self.error(item.line, f"{where} : la liste « questions » manque.")
            sections.append(section)
        return sections

    # Questions --------------------------------------------------------------------------

    def question_list(self, parent: _Mapping, where: str, roster: str | None) -> list[dict]:
        raw = parent.get("questions")
        if raw is None:
            return []
        if not isinstance(raw, _Sequence) or not raw:
            self.error(
                _line_of(parent, "questions"),
                f"{where} : « questions » doit être une liste non vide.",
            )
            return []
        questions = []
        for index, item in enumerate(raw):
            if self.expect_mapping(item, _line_of(raw, index), f"{where} : une question"):
                questions.append(self.question(item, roster))
        return questions

    def question(self, raw: _Mapping, roster: str | None) -> dict:
        code = self.code(raw, "question", QUESTION_CODE, self.question_codes)
        where = f"question « {code} »"
        qtype = raw.get("type")
        if "type" not in raw:
            self.error(raw.line, f"{where} : le type (« type ») manque.")
        elif qtype not in TYPES:
            self.error(
                _line_of(raw, "type"),
                f"{where} : type inconnu « {qtype} » (types possibles : {', '.join(TYPES)}).",
            )
        allowed = COMMON_KEYS + TYPE_KEYS.get(qtype, ())
        every_type_key = {key for keys in TYPE_KEYS.values() for key in keys}
        for key in raw:
            if key in allowed:
                continue
            if qtype in TYPES and key in every_type_key:
                self.error(
                    _line_of(raw, key),
                    f"{where} : « {key} » ne s'applique pas à une question de type {qtype}.",
                )
            elif key not in every_type_key:
                self.unknown_key(raw, key, where)
        for key in REQUIRED_KEYS.get(qtype, ()):
            if key not in raw:
                self.error(
                    raw.line, f"{where} : « {key} » manque (obligatoire pour le type {qtype})."
                )
        question = {
            "code": code,
            "type": qtype,
            "text": self.text(raw, "text", where, required=True),
            "help_text": self.text(raw, "help", where),
            "required": self.boolean(raw, "required", where),
            "condition": self.condition(raw, where),
            "min_value": self.number(raw, "min", where, BOUND_LIMIT),
            "max_value": self.number(raw, "max", where, BOUND_LIMIT),
            "step": self.number(raw, "step", where, STEP_LIMIT),
            "allow_nsp": self.boolean(raw, "allow_nsp", where),
            "rank_count": self.count(raw, "rank_count", where),
            "min_items": self.count(raw, "min_items", where, minimum=0),
            "max_items": self.count(raw, "max_items", where),
            "choices_source": {},
            "choices": [],
            "rows": [],
            "questions": [],
        }
        self.check_bounds(raw, question, where)
        choices_key = "scale" if qtype == "matrix" else "choices"
        if choices_key in raw and choices_key in allowed:
            question["choices"] = self.choices_or_reference(raw, choices_key, question, where)
        if "rows" in raw and qtype == "matrix":
            question["rows"] = self.rows(raw.get("rows"), _line_of(raw, "rows"), where)
        if qtype == "roster":
            if roster:
                self.error(
                    raw.line, f"{where} : une liste répétable ne peut en contenir une autre."
                )
            else:
                question["questions"] = self.question_list(raw, where, roster=code)
        if code and qtype in TYPES:
            self.questions[code] = question
            question["_line"] = raw.line
        return question

    def check_bounds(self, raw: _Mapping, question: dict, where: str) -> None:
        low, high, step = question["min_value"], question["max_value"], question["step"]
        if low is not None and high is not None and low > high:
            self.error(
                _line_of(raw, "max"),
                f"{where} : le maximum ({high}) est inférieur au minimum ({low}).",
            )
        if step is not None and step <= 0:
            self.error(_line_of(raw, "step"), f"{where} : le pas doit être strictement positif.")
        if question["type"] == "integer":
            for key, value in (("min", low), ("max", high), ("step", step)):
                if value is not None and value != value.to_integral_value():
                    self.error(
                        _line_of(raw, key),
                        f"{where} : « {key} » doit être entier pour une question de type integer.",
                    )
        if question["rank_count"] == 0:
            self.error(
                _line_of(raw, "rank_count"), f"{where} : « rank_count » doit être au moins 1."
            )
        low_items, high_items = question["min_items"], question["max_items"]
        if low_items is not None and high_items is not None and low_items > high_items:
            self.error(
                _line_of(raw, "max_items"),
                f"{where} : « max_items » ({high_items}) est inférieur à « min_items » "
                f"({low_items}).",
            )
        if high_items == 0:
            self.error(_line_of(raw, "max_items"), f"{where} : « max_items » doit être au moins 1.")

    # Choices and rows -------------------------------------------------------------------

    def choices_or_reference(self, raw: _Mapping, key: str, question: dict, where: str) -> list:
        value, line = raw[key], _line_of(raw, key)
        if isinstance(value, str):
            value = {"from": value}
        elif not isinstance(value, _Mapping):
            return self.choices(value, line, where)
        self.unknown_keys(value, ("from", "except"), f"{where} : « {key} »")
        source = value.get("from")
        if not isinstance(source, str) or not source:
            self.error(
                line,
                f"{where} : « {key} » doit être une liste de choix, le nom d'une liste "
                "partagée ou « from: <code de question> ».",
            )
            return []
        excluded = value.get("except", [])
        if not isinstance(excluded, list) or not all(isinstance(code, str) for code in excluded):
            self.error(line, f"{where} : « except » doit être une liste de codes.")
            excluded = []
        question["choices_source"] = {"from": source, "except": list(excluded)}
        self.references.append((line, where, question))
        return []

    def resolve_references(self) -> None:
        for line, where, question in self.references:
            source = question["choices_source"]["from"]
            excluded = question["choices_source"]["except"]
            if source in self.lists:
                choices = self.lists[source]
            elif source in self.questions:
                target = self.questions[source]
                if target["choices_source"]:
                    self.error(
                        line,
                        f"{where} : « {source} » reprend elle-même ses choix d'ailleurs ; "
                        "renvoyez à la source.",
                    )
                    continue
                if target["type"] not in CHOICE_TYPES | {"matrix"}:
                    self.error(line, f"{where} : la question « {source} » n'a pas de choix.")
                    continue
                choices = target["choices"]
            else:
                self.error(
                    line,
                    f"{where} : « {source} » n'est ni une liste partagée (« lists ») ni une "
                    "question de l'édition.",
                )
                continue
            known = {choice["code"] for choice in choices}
            for code in excluded:
                if code not in known:
                    self.error(
                        line,
                        f"{where} : « except » : le choix « {code} » n'existe pas dans "
                        f"« {source} ».",
                    )
            question["choices"] = [
                dict(choice) for choice in choices if choice["code"] not in excluded
            ]
            if not question["choices"]:
                self.error(line, f"{where} : aucun choix ne reste après « except ».")
            self.check_choice_flags(question, line, where)

    def choices(self, raw: Any, line: int, where: str) -> list[dict]:
        if not isinstance(raw, _Sequence) or not raw:
            self.error(line, f"{where} : les choix doivent former une liste non vide.")
            return []
        choices, seen = [], {}
        for index, item in enumerate(raw):
            if not self.expect_mapping(item, _line_of(raw, index), f"{where} : un choix"):
                continue
            self.unknown_keys(item, CHOICE_KEYS, f"{where} : le choix")
            code = self.code(item, f"{where} : choix", CHOICE_CODE, seen)
            choice_where = f"{where}, choix « {code} »"
            choices.append(
                {
                    "code": code,
                    "label": self.text(
                        item, "label", choice_where, required=True, limit=LABEL_MAX_LENGTH
                    ),
                    "exclusive": self.boolean(item, "exclusive", choice_where),
                    "other": self.boolean(item, "other", choice_where),
                    "condition": self.condition(item, choice_where),
                    "_line": item.line,
                }
            )
        return choices

    def check_choice_flags(self, question: dict, line: int, where: str) -> None:
        if question["rank_count"] and question["rank_count"] > len(question["choices"]):
            self.error(
                line,
                f"{where} : « rank_count » ({question['rank_count']}) dépasse le nombre de "
                f"choix ({len(question['choices'])}).",
            )
        for choice in question["choices"]:
            if choice["exclusive"] and question["type"] != "multiple":
                self.error(
                    line,
                    f"{where} : le choix « {choice['code']} » est exclusif, ce qui n'a de sens "
                    "que pour le type multiple.",
                )
            if choice["other"] and question["type"] not in ("single", "multiple"):
                self.error(
                    line,
                    f"{where} : le choix « {choice['code']} » demande une précision (« other »), "
                    "ce que seuls les types single et multiple permettent.",
                )

    def rows(self, raw: Any, line: int, where: str) -> list[dict]:
        if not isinstance(raw, _Sequence) or not raw:
            self.error(line, f"{where} : les lignes (« rows ») doivent former une liste non vide.")
            return []
        rows, seen = [], {}
        for index, item in enumerate(raw):
            if not self.expect_mapping(item, _line_of(raw, index), f"{where} : une ligne"):
                continue
            self.unknown_keys(item, ROW_KEYS, f"{where} : la ligne")
            code = self.code(item, f"{where} : ligne", CHOICE_CODE, seen)
            label = self.text(
                item, "label", f"{where}, ligne « {code} »", required=True, limit=LABEL_MAX_LENGTH
            )
            rows.append({"code": code, "label": label})
        return rows

    # Conditions -------------------------------------------------------------------------

    def condition(self, raw: _Mapping, where: str) -> str:
        expression = self.text(raw, "condition", where)
        if expression:
            self.conditions.append((_line_of(raw, "condition"), where, expression))
        return expression

    def check_conditions(self) -> None:
        known = set(self.question_codes)
        for line, where, expression in self.conditions:
            try:
                compile_condition(expression, known)
            except ConditionError as exc:
                self.error(line, f"{where} : condition « {expression} » : {exc}.")

    # Scalars ----------------------------------------------------------------------------

    def code(self, raw: _Mapping, what: str, pattern: re.Pattern, seen: dict) -> str:
        code = raw.get("code")
        if "code" not in raw:
            self.error(raw.line, f"{what} : le code (« code ») manque.")
            return ""
        line = _line_of(raw, "code")
        if not isinstance(code, str):
            self.error(
                line,
                f"{what} : le code « {code} » doit être du texte (mettez-le entre guillemets).",
            )
            return ""
        if not pattern.match(code) or len(code) > CODE_MAX_LENGTH:
            self.error(
                line,
                f"{what} : code invalide « {code} » (minuscules sans accents, chiffres et _, "
                f"{CODE_MAX_LENGTH} caractères au plus).",
            )
        if code in seen:
            self.error(
                line, f"{what} : code « {code} » en double (déjà utilisé ligne {seen[code]})."
            )
        else:
            seen[code] = line
        return code

    def text(
        self, raw: _Mapping, key: str, where: str, required: bool = False, limit: int | None = None
    ) -> str:
        if key not in raw or raw[key] is None:
            if required:
                self.error(raw.line, f"{where} : « {key} » manque.")
            return ""
        value = raw[key]
        if not isinstance(value, str):
            self.error(_line_of(raw, key), f"{where} : « {key} » doit être du texte.")
            return ""
        if required and not value.strip():
            self.error(_line_of(raw, key), f"{where} : « {key} » est vide.")
        if limit and len(value) > limit:
            self.error(_line_of(raw, key), f"{where} : « {key} » dépasse {limit} caractères.")
        return value

    def boolean(self, raw: _Mapping, key: str, where: str) -> bool:
        value = raw.get(key, False)
        if not isinstance(value, bool):
            self.error(_line_of(raw, key), f"{where} : « {key} » vaut true ou false.")
            return False
        return value

    def count(self, raw: _Mapping, key: str, where: str, minimum: int = 0) -> int | None:
        value = raw.get(key)
        if value is None:
            return None
        if not _is_int(value) or value < minimum or value > 32767:
            self.error(_line_of(raw, key), f"{where} : « {key} » doit être un entier positif.")
            return None
        return value

    def number(self, raw: _Mapping, key: str, where: str, limit: Decimal) -> Decimal | None:
        value = raw.get(key)
        if value is None:
            return None
        line = _line_of(raw, key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(line, f"{where} : « {key} » doit être un nombre (point décimal : 0.1).")
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.error(line, f"{where} : « {key} » n'est pas un nombre fini.")
            return None
        if not number.is_finite() or abs(number) >= limit:
            self.error(
                line,
                f"{where} : « {key} » est hors limites (moins de {limit:,.0f}).".replace(",", " "),
            )
            return None
        if number != number.quantize(Decimal("0.01")):
            self.error(line, f"{where} : « {key} » a plus de deux décimales.")
            return None
        return _canonical(number)

    def datetime(self, raw: _Mapping, key: str) -> dt.datetime | None:
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            self.error(
                _line_of(raw, key),
                f"édition : « {key} » doit être une date et une heure (2021-03-01 09:00:00+01:00).",
            )
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
        return value

    # Structure --------------------------------------------------------------------------

    def expect_mapping(self, raw: Any, line: int, what: str) -> bool:
        if isinstance(raw, _Mapping):
            return True
        self.error(line, f"{what} doit être un ensemble de clés (« clé: valeur »).")
        return False

    def unknown_keys(self, raw: _Mapping, allowed: tuple, where: str) -> None:
        for key in raw:
            if key not in allowed:
                self.unknown_key(raw, key, where, allowed)

    def unknown_key(self, raw: _Mapping, key: Any, where: str, allowed: tuple = ()) -> None:
        hint = f" (clés possibles : {', '.join(allowed)})" if allowed else ""
        self.error(_line_of(raw, key), f"{where} : clé inconnue « {key} »{hint}.")


def _without_lines(value: Any) -> Any:
    """Plain dicts and lists, without the line numbers kept for error messages."""
    if isinstance(value, dict):
        return {key: _without_lines(item) for key, item in value.items() if key != "_line"}
    if isinstance(value, list):
        return [_without_lines(item) for item in value]
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _canonical(number: Decimal) -> Decimal:
    """The same number written the shortest way (10000.00 → 10000, 0.10 → 0.1)."""
    normalized = number.normalize()
    return normalized.quantize(Decimal(1)) if normalized == normalized.to_integral() else normalized


# --- Import ---------------------------------------------------------------------------------


QUESTION_FIELDS = (
    "type",
    "text",
    "help_text",
    "required",
    "condition",
    "min_value",
    "max_value",
    "step",
    "allow_nsp",
    "rank_count",
    "min_items",
    "max_items",
    "choices_source",
)


def import_definition(definition: dict) -> tuple[Edition, bool]:
    """Create or update the edition to match `definition`; returns (edition, changed).

    Everything is matched by code. Destructive changes to an edition that has answers are refused
    (`surveys.services.editions.ProtectedChangeError`) and the transaction leaves it untouched.
    """
    from surveys.services.editions import check_definition_change

    with transaction.atomic():
        header = definition["edition"]
        edition = Edition.objects.select_for_update().filter(year=header["year"]).first()
        if edition is not None:
            check_definition_change(edition, definition)
        sync = _Sync()
        edition = sync.edition(edition, header, definition["lists"])
        sync.sections(edition, definition["sections"])
    return edition, sync.changed


class _Sync:
    def __init__(self):
        self.changed = False

    def save(self, instance, values: dict) -> None:
        if instance.pk is not None and all(
            _same(getattr(instance, field), value) for field, value in values.items()
        ):
            return
        for field, value in values.items():
            setattr(instance, field, value)
        instance.save()
        self.changed = True

    def delete(self, queryset) -> None:
        if queryset.exists():
            queryset.delete()
            self.changed = True

    def delete_missing(self, model, existing: list, wanted: list[dict]) -> None:
        codes = {item["code"] for item in wanted}
        obsolete = [instance.pk for instance in existing if instance.code not in codes]
        if obsolete:
            model.objects.filter(pk__in=obsolete).delete()
            self.changed = True

    def edition(self, edition: Edition | None, header: dict, lists: list) -> Edition:
        edition = edition or Edition(year=header["year"])
        values = {
            "title": header["title"],
            "introduction": header["introduction"],
            "opens_at": header["opens_at"],
            "closes_at": header["closes_at"],
            "choice_lists": [
                {"name": item["name"], "choices": [_strip(choice) for choice in item["choices"]]}
                for item in lists
            ],
        }
        self.save(edition, values)
        return edition

    def sections(self, edition: Edition, sections: list[dict]) -> None:
        existing = {section.code: section for section in edition.sections.all()}
        questions = {q.code: q for q in edition.questions.prefetch_related("choices", "rows")}
        kept_questions = set()
        for order, data in enumerate(sections, start=1):
            section = existing.get(data["code"]) or Section(edition=edition, code=data["code"])
            self.save(
                section,
                {
                    "title": data["title"],
                    "description": data["description"],
                    "condition": data["condition"],
                    "order": order,
                },
            )
            for q_order, q_data in enumerate(data["questions"], start=1):
                parent = self.question(edition, section, None, questions, q_data, q_order)
                kept_questions.add(parent.code)
                for c_order, child in enumerate(q_data["questions"], start=1):
                    self.question(edition, section, parent, questions, child, c_order)
                    kept_questions.add(child["code"])
        obsolete = edition.questions.exclude(code__in=kept_questions)
        self.delete(obsolete.filter(roster__isnull=False))
        self.delete(obsolete)
        self.delete(edition.sections.exclude(code__in=[data["code"] for data in sections]))

    def question(self, edition, section, roster, existing, data, order) -> Question:
        question = existing.get(data["code"])
        # Choices and rows of an existing question come prefetched; a new one has none.
        old_choices = list(question.choices.all()) if question else []
        old_rows = list(question.rows.all()) if question else []
        question = question or Question(edition=edition, code=data["code"])
        values = {field: data[field] for field in QUESTION_FIELDS}
        values.update(section=section, roster=roster, order=order)
        self.save(question, values)
        choices = {choice.code: choice for choice in old_choices}
        for c_order, choice_data in enumerate(data["choices"], start=1):
            choice = choices.get(choice_data["code"]) or Choice(
                question=question, code=choice_data["code"]
            )
            self.save(choice, {**_choice_values(choice_data), "order": c_order})
        self.delete_missing(Choice, old_choices, data["choices"])
        rows = {row.code: row for row in old_rows}
        for r_order, row_data in enumerate(data["rows"], start=1):
            row = rows.get(row_data["code"]) or MatrixRow(question=question, code=row_data["code"])
            self.save(row, {"label": row_data["label"], "order": r_order})
        self.delete_missing(MatrixRow, old_rows, data["rows"])
        return question


def _choice_values(choice: dict) -> dict:
    return {key: choice[key] for key in ("label", "exclusive", "other", "condition")}


def _same(current: Any, wanted: Any) -> bool:
    if isinstance(current, Decimal) or isinstance(wanted, Decimal):
        if current is None or wanted is None:
            return current is wanted
        return Decimal(current) == Decimal(wanted)
    if hasattr(current, "pk") and hasattr(wanted, "pk"):
        return current.pk == wanted.pk
    return current == wanted


# --- Export ---------------------------------------------------------------------------------


def export_definition(edition: Edition) -> dict:
    """The plain definition of an edition as stored, in the shape `load_definition()` returns."""
    questions = list(edition.questions.order_by("order", "pk").prefetch_related("choices", "rows"))
    children: dict[int, list[Question]] = {}
    by_section: dict[int, list[Question]] = {}
    for question in questions:
        if question.roster_id:
            children.setdefault(question.roster_id, []).append(question)
        else:
            by_section.setdefault(question.section_id, []).append(question)

    def question_data(question: Question) -> dict:
        data = {field: getattr(question, field) for field in QUESTION_FIELDS}
        for field in ("min_value", "max_value", "step"):
            if data[field] is not None:
                data[field] = _canonical(Decimal(data[field]))
        data["code"] = question.code
        data["choices"] = [
            {
                "code": c.code,
                "label": c.label,
                "exclusive": c.exclusive,
                "other": c.other,
                "condition": c.condition,
            }
            for c in question.choices.all()
        ]
        data["rows"] = [{"code": r.code, "label": r.label} for r in question.rows.all()]
        data["questions"] = [question_data(child) for child in children.get(question.pk, [])]
        return data

    sections = [
        {
            "code": section.code,
            "title": section.title,
            "description": section.description,
            "condition": section.condition,
            "questions": [question_data(q) for q in by_section.get(section.pk, [])],
        }
        for section in edition.sections.order_by("order", "pk")
    ]
    definition = {
        "edition": {
            "year": edition.year,
            "title": edition.title,
            "introduction": edition.introduction,
            "opens_at": edition.opens_at,
            "closes_at": edition.closes_at,
        },
        "lists": [
            {"name": item["name"], "choices": [dict(c) for c in item["choices"]]}
            for item in edition.choice_lists
        ],
        "sections": sections,
    }
    _drop_stale_sources(definition)
    return definition


def _drop_stale_sources(definition: dict) -> None:
    """Write out the choices of a question edited since import instead of a wrong reference."""
    lists = {item["name"]: item["choices"] for item in definition["lists"]}
    questions = {}
    for section in definition["sections"]:
        for question in section["questions"]:
            questions[question["code"]] = question
            for child in question["questions"]:
                questions[child["code"]] = child
    for question in questions.values():
        source = question["choices_source"]
        if not source:
            continue
        origin = lists.get(source.get("from"))
        if origin is None and source.get("from") in questions:
            target = questions[source["from"]]
            origin = None if target["choices_source"] else target["choices"]
        expected = [
            _strip(choice) for choice in origin or [] if choice["code"] not in source["except"]
        ]
        if not origin or expected != [_strip(choice) for choice in question["choices"]]:
            question["choices_source"] = {}


def _strip(choice: dict) -> dict:
    return {key: choice[key] for key in CHOICE_KEYS}


# --- YAML output -----------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as people write YAML by hand.
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    if value == value.to_integral_value():
        return dumper.represent_int(int(value))
    return dumper.represent_scalar("tag:yaml.org,2002:float", str(value))


class _Flow(list):
    """A list written on one line: `[a, b]`."""


class _FlowMapping(dict):
    """A mapping written on one line: `{code: oui, label: Oui}`."""


def _represent_flow(dumper: yaml.SafeDumper, value: list) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


def _represent_flow_mapping(dumper: yaml.SafeDumper, value: dict) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=True)


def _represent_datetime(dumper: yaml.SafeDumper, value: dt.datetime) -> yaml.ScalarNode:
    local = value.astimezone(ZoneInfo(settings.TIME_ZONE))
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", local.isoformat(" "))


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_representer(_Flow, _represent_flow)
_Dumper.add_representer(_FlowMapping, _represent_flow_mapping)
_Dumper.add_representer(dt.datetime, _represent_datetime)


def dump_definition(definition: dict) -> str:
    """The YAML text of a definition: only non-default keys, shared lists referenced."""
    edition = {key: definition["edition"][key] for key in EDITION_KEYS}
    for key in ("introduction", "opens_at", "closes_at"):
        if not edition[key]:
            del edition[key]
    document: dict[str, Any] = {"edition": edition}
    if definition["lists"]:
        document["lists"] = {
            item["name"]: [_choice_out(c) for c in item["choices"]] for item in definition["lists"]
        }
    document["sections"] = [_section_out(section) for section in definition["sections"]]
    header = (
        "# Définition d'une édition du Baromètre (format : editions/README.md).\n"
        f"# Import : python manage.py import_edition <fichier> ; "
        f"export : python manage.py export_edition {edition['year']}\n"
    )
    body = yaml.dump(
        document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000, indent=2
    )
    return header + body


def _section_out(section: dict) -> dict:
    out = {"code": section["code"], "title": section["title"]}
    for key in ("description", "condition"):
        if section[key]:
            out[key] = section[key]
    out["questions"] = [_question_out(q) for q in section["questions"]]
    return out


def _question_out(question: dict) -> dict:
    out: dict[str, Any] = {
        "code": question["code"],
        "type": question["type"],
        "text": question["text"],
    }
    if question["help_text"]:
        out["help"] = question["help_text"]
    if question["required"]:
        out["required"] = True
    if question["condition"]:
        out["condition"] = question["condition"]
    for key, field in (("min", "min_value"), ("max", "max_value"), ("step", "step")):
        if question[field] is not None:
            out[key] = question[field]
    if question["allow_nsp"]:
        out["allow_nsp"] = True
    for key in ("rank_count", "min_items", "max_items"):
        if question[key] is not None:
            out[key] = question[key]
    if question["type"] == "matrix":
        out["rows"] = [_FlowMapping(code=r["code"], label=r["label"]) for r in question["rows"]]
    if question["type"] in CHOICE_TYPES | {"matrix"}:
        key = "scale" if question["type"] == "matrix" else "choices"
        source = question["choices_source"]
        if source and source["except"]:
            out[key] = _FlowMapping({"from": source["from"], "except": _Flow(source["except"])})
        elif source:
            out[key] = source["from"]
        else:
            out[key] = [_choice_out(c) for c in question["choices"]]
    if question["type"] == "roster":
        out["questions"] = [_question_out(child) for child in question["questions"]]
    return out


def _choice_out(choice: dict) -> dict:
    out = _FlowMapping(code=choice["code"], label=choice["label"])
    for key in ("exclusive", "other"):
        if choice[key]:
            out[key] = True
    if choice["condition"]:
        out["condition"] = choice["condition"]
    return out
