"""Checking a loaded definition file and turning it into the plain definition.

All problems are collected before failing, each with its line, so that one run lists
everything to fix in the file rather than the first mistake only.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from surveys.definition.format import (
    BOUND_LIMIT,
    CHOICE_CODE,
    CHOICE_KEYS,
    CODE_MAX_LENGTH,
    COMMON_KEYS,
    EDITION_KEYS,
    LABEL_MAX_LENGTH,
    LIST_NAME,
    OPENDATA_KEYS,
    QUESTION_CODE,
    REQUIRED_KEYS,
    ROW_KEYS,
    SECTION_KEYS,
    STEP_LIMIT,
    TITLE_MAX_LENGTH,
    TYPE_KEYS,
    TYPES,
    TYPES_WITH_CHOICES,
    DefinitionError,
    Mapping,
    Sequence,
    line_of,
)
from surveys.definition.rules_checks import RulesChecker


class Checker:
    def __init__(self, name: str):
        self.name = name
        self.errors: list[str] = []
        self.question_codes: dict[str, int] = {}
        self.conditions: list[tuple[int, str, str]] = []  # (line, where, expression)
        self.references: list[tuple[int, str, dict]] = []  # (line, where, question)
        self.lists: dict[str, list[dict]] = {}
        self.questions: dict[str, dict] = {}
        self.roster_members: set[str] = set()

    def error(self, line: int, message: str) -> None:
        self.errors.append(f"{self.name}, ligne {line} : {message}")

    # The document ---------------------------------------------------------------------

    def check(self, data: Any) -> dict:
        if not isinstance(data, Mapping):
            raise DefinitionError(
                [f"{self.name} : le fichier doit contenir « edition », « lists » et « sections »."]
            )
        self.unknown_keys(data, ("edition", "lists", "sections", "rules", "opendata"), "le fichier")
        for key in ("edition", "sections"):
            if key not in data:
                self.error(data.line, f"la clé « {key} » manque.")
        definition = {
            "edition": self.edition(data.get("edition"), line_of(data, "edition")),
            "lists": self.choice_lists(data.get("lists"), line_of(data, "lists")),
            "sections": self.sections(data.get("sections"), line_of(data, "sections")),
        }
        definition["opendata"] = self.opendata(data.get("opendata"), line_of(data, "opendata"))
        self.resolve_references()
        for question in self.questions.values():
            if not question["choices_source"]:
                where = f"question « {question['code']} »"
                self.check_choice_flags(question, question["_line"], where)
        # The rules first: conditions may read the indicators they declare.
        self.rules_checker = RulesChecker(self)
        definition["rules"] = self.rules_checker.rules(data.get("rules"), line_of(data, "rules"))
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
            self.error(line_of(raw, "year"), "édition : l'année doit être un nombre entier.")
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
                    line_of(raw, "closes_at"),
                    "édition : la clôture (« closes_at ») doit suivre l'ouverture.",
                )
        return edition

    def opendata(self, raw: Any, line: int) -> dict:
        """The codes of the questions whose answers are published per collectivité."""
        if raw is None:
            return {"questions": []}
        if not self.expect_mapping(raw, line, "« opendata »"):
            return {"questions": []}
        self.unknown_keys(raw, OPENDATA_KEYS, "« opendata »")
        codes = raw.get("questions")
        if not isinstance(codes, Sequence):
            self.error(
                line_of(raw, "questions"),
                "opendata : « questions » doit être la liste des codes des questions publiées.",
            )
            return {"questions": []}
        published: list[str] = []
        for index, code in enumerate(codes):
            code_line = line_of(codes, index)
            question = self.questions.get(code) if isinstance(code, str) else None
            if question is None:
                self.error(code_line, f"opendata : « {code} » n'est pas une question de l'édition.")
            elif code in self.roster_members:
                self.error(
                    code_line,
                    f"opendata : « {code} » est posée dans une liste répétable ; seules les "
                    "questions posées une fois par collectivité peuvent être publiées.",
                )
            elif code in published:
                self.error(code_line, f"opendata : « {code} » est déjà dans la liste.")
            else:
                published.append(code)
        return {"questions": published}

    def choice_lists(self, raw: Any, line: int) -> list[dict]:
        if raw is None:
            return []
        if not isinstance(raw, Mapping):
            self.error(line, "« lists » doit associer un nom à une liste de choix.")
            return []
        lists = []
        for name, choices in raw.items():
            where = f"liste « {name} »"
            key_line = line_of(raw, name)
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
        if not isinstance(raw, Sequence) or not raw:
            if raw is not None:
                self.error(line, "« sections » doit être une liste non vide de sections.")
            return []
        sections: list[dict] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(raw):
            item_line = line_of(raw, index)
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

    def question_list(self, parent: Mapping, where: str, roster: str | None) -> list[dict]:
        raw = parent.get("questions")
        if raw is None:
            return []
        if not isinstance(raw, Sequence) or not raw:
            self.error(
                line_of(parent, "questions"),
                f"{where} : « questions » doit être une liste non vide.",
            )
            return []
        questions = []
        for index, item in enumerate(raw):
            if self.expect_mapping(item, line_of(raw, index), f"{where} : une question"):
                questions.append(self.question(item, roster))
        return questions

    def question(self, raw: Mapping, roster: str | None) -> dict:
        code = self.code(raw, "question", QUESTION_CODE, self.question_codes)
        where = f"question « {code} »"
        qtype = raw.get("type")
        if "type" not in raw:
            self.error(raw.line, f"{where} : le type (« type ») manque.")
        elif qtype not in TYPES:
            self.error(
                line_of(raw, "type"),
                f"{where} : type inconnu « {qtype} » (types possibles : {', '.join(TYPES)}).",
            )
        # A type that is not text (a list, a mapping) is reported above; it must not reach
        # the lookups below, where an unhashable value would raise TypeError.
        known_type = qtype if isinstance(qtype, str) else ""
        allowed = COMMON_KEYS + TYPE_KEYS.get(known_type, ())
        every_type_key = {key for keys in TYPE_KEYS.values() for key in keys}
        for key in raw:
            if key in allowed:
                continue
            if qtype in TYPES and key in every_type_key:
                self.error(
                    line_of(raw, key),
                    f"{where} : « {key} » ne s'applique pas à une question de type {qtype}.",
                )
            elif key not in every_type_key:
                self.unknown_key(raw, key, where)
        for key in REQUIRED_KEYS.get(known_type, ()):
            if key not in raw:
                self.error(
                    raw.line, f"{where} : « {key} » manque (obligatoire pour le type {qtype})."
                )
        question: dict[str, Any] = {
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
            question["rows"] = self.rows(raw.get("rows"), line_of(raw, "rows"), where)
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
            if roster:
                self.roster_members.add(code)
        return question

    def check_bounds(self, raw: Mapping, question: dict, where: str) -> None:
        low, high, step = question["min_value"], question["max_value"], question["step"]
        if low is not None and high is not None and low > high:
            self.error(
                line_of(raw, "max"),
                f"{where} : le maximum ({high}) est inférieur au minimum ({low}).",
            )
        if step is not None and step <= 0:
            self.error(line_of(raw, "step"), f"{where} : le pas doit être strictement positif.")
        if question["type"] == "integer":
            for key, value in (("min", low), ("max", high), ("step", step)):
                if value is not None and value != value.to_integral_value():
                    self.error(
                        line_of(raw, key),
                        f"{where} : « {key} » doit être entier pour une question de type integer.",
                    )
        if question["rank_count"] == 0:
            self.error(
                line_of(raw, "rank_count"), f"{where} : « rank_count » doit être au moins 1."
            )
        low_items, high_items = question["min_items"], question["max_items"]
        if low_items is not None and high_items is not None and low_items > high_items:
            self.error(
                line_of(raw, "max_items"),
                f"{where} : « max_items » ({high_items}) est inférieur à « min_items » "
                f"({low_items}).",
            )
        if high_items == 0:
            self.error(line_of(raw, "max_items"), f"{where} : « max_items » doit être au moins 1.")

    # Choices and rows -------------------------------------------------------------------

    def choices_or_reference(self, raw: Mapping, key: str, question: dict, where: str) -> list:
        value, line = raw[key], line_of(raw, key)
        if isinstance(value, str):
            value = {"from": value}
        elif not isinstance(value, Mapping):
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
                if target["type"] not in TYPES_WITH_CHOICES | {"matrix"}:
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
        if not isinstance(raw, Sequence) or not raw:
            self.error(line, f"{where} : les choix doivent former une liste non vide.")
            return []
        choices: list[dict] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(raw):
            if not self.expect_mapping(item, line_of(raw, index), f"{where} : un choix"):
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
        if not isinstance(raw, Sequence) or not raw:
            self.error(line, f"{where} : les lignes (« rows ») doivent former une liste non vide.")
            return []
        rows: list[dict] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(raw):
            if not self.expect_mapping(item, line_of(raw, index), f"{where} : une ligne"):
                continue
            self.unknown_keys(item, ROW_KEYS, f"{where} : la ligne")
            code = self.code(item, f"{where} : ligne", CHOICE_CODE, seen)
            label = self.text(
                item, "label", f"{where}, ligne « {code} »", required=True, limit=LABEL_MAX_LENGTH
            )
            rows.append({"code": code, "label": label})
        return rows

    # Conditions -------------------------------------------------------------------------

    def condition(self, raw: Mapping, where: str) -> str:
        expression = self.text(raw, "condition", where)
        if expression:
            self.conditions.append((line_of(raw, "condition"), where, expression))
        return expression

    def check_conditions(self) -> None:
        for line, where, expression in self.conditions:
            self.rules_checker.check_condition(line, where, expression)

    # Scalars ----------------------------------------------------------------------------

    def code(self, raw: Mapping, what: str, pattern: re.Pattern, seen: dict) -> str:
        code = raw.get("code")
        if "code" not in raw:
            self.error(raw.line, f"{what} : le code (« code ») manque.")
            return ""
        line = line_of(raw, "code")
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
        self, raw: Mapping, key: str, where: str, required: bool = False, limit: int | None = None
    ) -> str:
        if key not in raw or raw[key] is None:
            if required:
                self.error(raw.line, f"{where} : « {key} » manque.")
            return ""
        value = raw[key]
        if not isinstance(value, str):
            self.error(line_of(raw, key), f"{where} : « {key} » doit être du texte.")
            return ""
        if required and not value.strip():
            self.error(line_of(raw, key), f"{where} : « {key} » est vide.")
        if limit and len(value) > limit:
            self.error(line_of(raw, key), f"{where} : « {key} » dépasse {limit} caractères.")
        return value

    def boolean(self, raw: Mapping, key: str, where: str) -> bool:
        value = raw.get(key, False)
        if not isinstance(value, bool):
            self.error(line_of(raw, key), f"{where} : « {key} » vaut true ou false.")
            return False
        return value

    def count(self, raw: Mapping, key: str, where: str, minimum: int = 0) -> int | None:
        value = raw.get(key)
        if value is None:
            return None
        if not _is_int(value) or value < minimum or value > 32767:
            self.error(line_of(raw, key), f"{where} : « {key} » doit être un entier positif.")
            return None
        return value

    def number(self, raw: Mapping, key: str, where: str, limit: Decimal) -> Decimal | None:
        value = raw.get(key)
        if value is None:
            return None
        line = line_of(raw, key)
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
        return canonical(number)

    def datetime(self, raw: Mapping, key: str) -> dt.datetime | None:
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            self.error(
                line_of(raw, key),
                f"édition : « {key} » doit être une date et une heure (2021-03-01 09:00:00+01:00).",
            )
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
        return value

    # Structure --------------------------------------------------------------------------

    def expect_mapping(self, raw: Any, line: int, what: str) -> bool:
        if isinstance(raw, Mapping):
            return True
        self.error(line, f"{what} doit être un ensemble de clés (« clé: valeur »).")
        return False

    def unknown_keys(self, raw: Mapping, allowed: tuple, where: str) -> None:
        for key in raw:
            if key not in allowed:
                self.unknown_key(raw, key, where, allowed)

    def unknown_key(self, raw: Mapping, key: Any, where: str, allowed: tuple = ()) -> None:
        hint = f" (clés possibles : {', '.join(allowed)})" if allowed else ""
        self.error(line_of(raw, key), f"{where} : clé inconnue « {key} »{hint}.")


def _without_lines(value: Any) -> Any:
    """Plain dicts and lists, without the line numbers kept for error messages."""
    if isinstance(value, dict):
        return {key: _without_lines(item) for key, item in value.items() if key != "_line"}
    if isinstance(value, list):
        return [_without_lines(item) for item in value]
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def canonical(number: Decimal) -> Decimal:
    """The same number written the shortest way (10000.00 → 10000, 0.10 → 0.1)."""
    normalized = number.normalize()
    return normalized.quantize(Decimal(1)) if normalized == normalized.to_integral() else normalized
