"""Checking what conditions and rules refer to: every code, choice and type must exist.

A condition naming a choice that does not exist (`service_dedie = ouii`) would load and never
hold; a rule naming a question renamed since would silently lose its figure. Both are refused
here, each with the file's line and the code concerned. Used by `Checker` once the questions
are known; it only reads the checker's questions and reports through `checker.error`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Protocol

from respondents.classification import TRANCHES_POPULATION, TYPES_COLLECTIVITE
from respondents.regions import REGIONS
from surveys.conditions import ConditionError, as_number, compile_condition, tests_of
from surveys.definition.format import (
    CHOICE_CODE,
    LABEL_MAX_LENGTH,
    NUMBER_TYPES,
    QUESTION_CODE,
    Mapping,
    Sequence,
    line_of,
)
from surveys.derived import DERIVED_CODES
from surveys.rules import (
    COMPARABLE,
    LOWER_BOUNDS,
    NOT_COMPARABLE,
    NUMBER_STATS,
    PER_ATTRIBUTES,
    PLACEHOLDER,
    PREVIOUS,
    UPPER_BOUNDS,
)


class Checker(Protocol):
    """What these checks use of the file's checker (`surveys.definition.checks.Checker`), which
    calls them: its questions, its error list and its scalar readers."""

    questions: dict[str, dict]

    def error(self, line: int, message: str) -> None: ...

    def code(self, raw: Mapping, what: str, pattern: re.Pattern, seen: dict) -> str: ...

    def text(
        self, raw: Mapping, key: str, where: str, required: bool = False, limit: int | None = None
    ) -> str: ...

    def count(self, raw: Mapping, key: str, where: str, minimum: int = 0) -> int | None: ...

    def number(self, raw: Mapping, key: str, where: str, limit: Decimal) -> Decimal | None: ...

    def expect_mapping(self, raw: Any, line: int, what: str) -> bool: ...

    def unknown_keys(self, raw: Mapping, allowed: tuple, where: str) -> None: ...


RULES_KEYS = ("indicators", "brackets", "warnings", "trends", "rounding", "reporting")
RANKING_REPORTING_KEYS = ("top", "points")
NUMBER_REPORTING_KEYS = ("stats",)
ROUNDING_KEYS = ("public", "staff")
# Decimals of a percentage: whole percentages up to hundredths.
ROUNDING_MAX_DECIMALS = 2
INDICATOR_KEYS = ("code", "label", "question", "per", "unit", "decimals", "threshold")
BRACKET_KEYS = ("code", "label", *LOWER_BOUNDS, *UPPER_BOUNDS)
WARNING_KEYS = ("code", "question", "when", "message")
TRENDS_KEYS = ("scale_mapping", "breaks")
CHOICE_OPS = {"=", "!=", "in", "not_in", "has", "has_other_than"}
NUMBER_OPS = {"<", "<=", ">", ">="}
# The values the collectivité's attributes may take, for conditions such as
# `type_collectivite in [commune, intercommunalite]`.
ATTRIBUTE_VALUES: dict[str, set[str]] = {
    "type_collectivite": set(TYPES_COLLECTIVITE),
    "tranche_population": {code for code, *_ in TRANCHES_POPULATION},
    "region": set(REGIONS),
}


class RulesChecker:
    def __init__(self, checker: Checker):
        self.checker = checker
        self.indicators: dict[str, dict] = {}

    def error(self, line: int, message: str) -> None:
        self.checker.error(line, message)

    @property
    def questions(self) -> dict[str, dict]:
        return self.checker.questions

    @property
    def roster_questions(self) -> set[str]:
        return {
            child["code"] for question in self.questions.values() for child in question["questions"]
        }

    # Conditions ---------------------------------------------------------------------------

    def check_condition(
        self, line: int, where: str, expression: str, warning: bool = False
    ) -> None:
        """The condition parses, names known codes, choices that exist, and fits the types."""
        known = set(self.questions) | set(self.indicators)
        if warning:
            known.add(PREVIOUS)
        try:
            condition = compile_condition(expression, known)
        except ConditionError as exc:
            self.error(line, f"{where} : condition « {expression} » : {exc}.")
            return
        if condition.compares_codes and not warning:
            self.error(
                line,
                f"{where} : condition « {expression} » : comparer deux réponses n'est permis "
                "que dans un avertissement (« warnings »).",
            )
        for test in tests_of(condition.tree):
            problem = self.test_problem(test)
            if not problem and test.get("ref"):
                ref = test["ref"]
                problem = self.number_reference_problem(ref["code"], ref["key"])
            if problem:
                self.error(line, f"{where} : condition « {expression} » : {problem}.")

    def test_problem(self, test: dict) -> str:
        code, key, op, values = test["code"], test["key"], test["op"], test["values"]
        if code == PREVIOUS:
            return self.number_reference_problem(code, key)
        if op in ("answered", "not_answered"):
            return self.key_problem(code, key)
        if code in ATTRIBUTE_VALUES:
            if key:
                return f"« {code} » n'a pas de ligne « {key} »"
            if op in NUMBER_OPS:
                return f"« {code} » ne se compare pas à un nombre"
            unknown = [v for v in values if v not in ATTRIBUTE_VALUES[code]]
            if unknown:
                return f"« {code} » ne prend pas la valeur « {unknown[0]} »"
            return ""
        if code in DERIVED_CODES or code in self.indicators:
            return "" if op in NUMBER_OPS | {"=", "!="} else f"« {code} » est un nombre"
        question = self.questions.get(code)
        if question is None:
            return ""  # reported by compile_condition as an unknown code
        key_problem = self.key_problem(code, key)
        if key_problem:
            return key_problem
        qtype = question["type"]
        if qtype in NUMBER_TYPES:
            if op in NUMBER_OPS or test.get("ref"):
                return ""
            if op in ("=", "!="):
                if values and values[0] == "nsp" and question["allow_nsp"]:
                    return ""
                if values and as_number(values[0]) is not None:
                    return ""
            return f"la question « {code} » attend un nombre"
        if qtype in ("text", "longtext", "roster"):
            if op in CHOICE_OPS:
                return f"la question « {code} » (type {qtype}) n'a pas de choix à comparer"
            return f"la question « {code} » (type {qtype}) ne se compare pas à un nombre"
        if qtype == "ranking" and key:
            number = bool(values) and as_number(values[0]) is not None
            if op in NUMBER_OPS or (op in ("=", "!=") and number):
                return ""
            return f"« {code}.{key} » est un rang (un nombre)"
        if op in NUMBER_OPS:
            return f"la question « {code} » a des choix, pas un nombre"
        if not question["choices"]:
            return ""  # choices from a reference already reported as unknown
        choices = {choice["code"] for choice in question["choices"]}
        unknown = [v for v in values if v not in choices]
        if unknown:
            return f"la question « {code} » n'a pas de choix « {unknown[0]} »"
        return ""

    def key_problem(self, code: str, key: str | None) -> str:
        question = self.questions.get(code)
        if question is None:
            return ""
        qtype = question["type"]
        if qtype == "matrix":
            if not key:
                return f"précisez la ligne de la matrice « {code} » (« {code}.ligne »)"
            if key not in {row["code"] for row in question["rows"]}:
                return f"la matrice « {code} » n'a pas de ligne « {key} »"
        elif qtype == "ranking":
            if key and key not in {choice["code"] for choice in question["choices"]}:
                return f"la question « {code} » n'a pas d'élément « {key} »"
        elif key:
            return f"la question « {code} » (type {qtype}) n'a pas de ligne « {key} »"
        return ""

    def number_reference_problem(self, code: str, key: str | None) -> str:
        if code == PREVIOUS:
            if not key:
                return f"« {PREVIOUS} » s'écrit « {PREVIOUS}.code_de_question »"
            code, key = key, None
        if code in DERIVED_CODES or code in self.indicators:
            return ""
        question = self.questions.get(code)
        if question is None:
            return f"code inconnu « {code} »"
        if question["type"] not in NUMBER_TYPES or key:
            return f"la question « {code} » n'est pas un nombre"
        return ""

    # Rules --------------------------------------------------------------------------------

    def rules(self, raw: Any, line: int) -> dict:
        if raw is None:
            return {}
        checker = self.checker
        if not checker.expect_mapping(raw, line, "« rules »"):
            return {}
        checker.unknown_keys(raw, RULES_KEYS, "les règles")
        rules: dict[str, Any] = {}
        indicators = self.indicator_list(raw.get("indicators"), line_of(raw, "indicators"))
        if indicators:
            rules["indicators"] = indicators
        brackets = self.bracket_sets(raw.get("brackets"), line_of(raw, "brackets"))
        if brackets:
            rules["brackets"] = brackets
        warnings = self.warning_list(raw.get("warnings"), line_of(raw, "warnings"))
        if warnings:
            rules["warnings"] = warnings
        trends = self.trends(raw.get("trends"), line_of(raw, "trends"))
        if trends:
            rules["trends"] = trends
        rounding = self.rounding(raw.get("rounding"), line_of(raw, "rounding"))
        if rounding:
            rules["rounding"] = rounding
        reporting = self.reporting(raw.get("reporting"), line_of(raw, "reporting"))
        if reporting:
            rules["reporting"] = reporting
        return rules

    def per_question(
        self, raw: Any, line: int, not_a_mapping: str, what: str
    ) -> Iterator[tuple[str, Any, int, str, dict]]:
        """(code, its value, its line, « <what> de « code » », the question) of a block keyed by
        question codes (`reporting`, `brackets`); the codes that name no question of the edition
        refused with their line, nothing when the block is absent."""
        if raw is None:
            return
        if not isinstance(raw, Mapping):
            self.error(line, not_a_mapping)
            return
        for code, item in raw.items():
            key_line = line_of(raw, code)
            where = f"{what} de « {code} »"
            question = self.questions.get(code)
            if question is None:
                self.error(key_line, f"{where} : « {code} » n'est pas une question de l'édition.")
                continue
            yield code, item, key_line, where, question

    def reporting(self, raw: Any, line: int) -> dict[str, dict]:
        """{question code: how it is reported}: top and points of a ranking, stats of a number."""
        checked = {}
        refusal = "« reporting » associe un code de question à sa présentation."
        for code, item, key_line, where, question in self.per_question(
            raw, line, refusal, "présentation"
        ):
            if not self.checker.expect_mapping(item, key_line, f"« reporting », « {code} »"):
                continue
            self.checker.unknown_keys(
                item, RANKING_REPORTING_KEYS + NUMBER_REPORTING_KEYS, f"la {where}"
            )
            for key in item:
                fits = (
                    question["type"] == "ranking"
                    if key in RANKING_REPORTING_KEYS
                    else question["type"] in NUMBER_TYPES
                )
                if key in RANKING_REPORTING_KEYS + NUMBER_REPORTING_KEYS and not fits:
                    kind = "classement" if key in RANKING_REPORTING_KEYS else "nombre"
                    self.error(
                        line_of(item, key),
                        f"{where} : « {key} » ne vaut que pour une question de type {kind} "
                        f"(type {question['type']}).",
                    )
            if question["type"] == "ranking":
                checked[code] = self.ranking_reporting(item, question, where)
            elif question["type"] in NUMBER_TYPES:
                checked[code] = self.number_reporting(item, where)
        return {code: item for code, item in checked.items() if item}

    def ranking_reporting(self, item: Mapping, question: dict, where: str) -> dict:
        """`top`: how many first ranks count as the top; `points`: the points of each rank."""
        ranks = question["rank_count"] or len(question["choices"])
        out: dict[str, Any] = {}
        if "top" in item:
            top = item["top"]
            if not _is_int(top) or not 1 <= top <= ranks:
                self.error(
                    line_of(item, "top"),
                    f"{where} : « top » : un nombre de rangs entre 1 et {ranks}, les rangs que "
                    f"la question fait classer (trouvé « {top} »).",
                )
            else:
                out["top"] = top
        if "points" in item:
            points = item["points"]
            line = line_of(item, "points")
            if not isinstance(points, Sequence) or not all(_is_int(p) and p >= 0 for p in points):
                self.error(
                    line,
                    f"{where} : « points » : une liste de nombres entiers positifs ou nuls, "
                    "un par rang.",
                )
            elif len(points) != ranks:
                self.error(
                    line,
                    f"{where} : « points » : {len(points)} valeur(s) pour {ranks} rangs ; "
                    "il en faut une par rang.",
                )
            elif any(later > earlier for earlier, later in zip(points, points[1:], strict=False)):
                self.error(
                    line,
                    f"{where} : « points » : un rang ne peut rapporter plus de points que le "
                    "rang qui le précède.",
                )
            else:
                out["points"] = list(points)
        return out

    def number_reporting(self, item: Mapping, where: str) -> dict:
        """`stats`: the statistics shown, among mean and median."""
        if "stats" not in item:
            return {}
        stats = item["stats"]
        line = line_of(item, "stats")
        known = ", ".join(NUMBER_STATS)
        if not isinstance(stats, Sequence) or isinstance(stats, str) or not stats:
            self.error(
                line, f"{where} : « stats » : une liste d'au moins une statistique parmi {known}."
            )
            return {}
        unknown = [str(stat) for stat in stats if stat not in NUMBER_STATS]
        if unknown:
            self.error(
                line,
                f"{where} : « stats » : statistique inconnue « {', '.join(unknown)} » "
                f"(possibles : {known}).",
            )
            return {}
        if len(set(stats)) != len(stats):
            self.error(line, f"{where} : « stats » : une statistique est citée deux fois.")
            return {}
        return {"stats": list(stats)}

    def rounding(self, raw: Any, line: int) -> dict:
        """{public: decimals, staff: decimals} of the percentages, each from 0 to 2."""
        if raw is None:
            return {}
        checker = self.checker
        if not checker.expect_mapping(raw, line, "« rounding »"):
            return {}
        checker.unknown_keys(raw, ROUNDING_KEYS, "l'arrondi")
        rounding = {}
        for key in ROUNDING_KEYS:
            value = raw.get(key)
            if value is None:
                continue
            if not _is_int(value) or not 0 <= value <= ROUNDING_MAX_DECIMALS:
                self.error(
                    line_of(raw, key),
                    f"arrondi, « {key} » : un nombre de décimales entre 0 et "
                    f"{ROUNDING_MAX_DECIMALS} (trouvé « {value} »).",
                )
                continue
            rounding[key] = value
        return rounding

    def items(self, raw: Any, line: int, what: str) -> list[Mapping]:
        if raw is None:
            return []
        if not isinstance(raw, Sequence):
            self.error(line, f"« {what} » doit être une liste.")
            return []
        return [
            item
            for index, item in enumerate(raw)
            if self.checker.expect_mapping(item, line_of(raw, index), f"« {what} » : un élément")
        ]

    def indicator_list(self, raw: Any, line: int) -> list[dict]:
        checker = self.checker
        indicators: list[dict] = []
        seen: dict[str, int] = {}
        for item in self.items(raw, line, "indicators"):
            checker.unknown_keys(item, INDICATOR_KEYS, "l'indicateur")
            code = checker.code(item, "indicateur", QUESTION_CODE, seen)
            where = f"indicateur « {code} »"
            if code in self.questions or code in DERIVED_CODES or code == PREVIOUS:
                self.error(
                    line_of(item, "code"),
                    f"{where} : ce code est déjà celui d'une question ou d'une variable.",
                )
            indicator: dict[str, Any] = {
                "code": code,
                "label": checker.text(item, "label", where, required=True, limit=LABEL_MAX_LENGTH),
                "question": checker.text(item, "question", where, required=True),
            }
            question = self.questions.get(indicator["question"])
            if indicator["question"] and question is None:
                self.error(
                    line_of(item, "question"),
                    f"{where} : la question « {indicator['question']} » n'existe pas.",
                )
            elif question is not None and question["type"] not in NUMBER_TYPES:
                self.error(
                    line_of(item, "question"),
                    f"{where} : la question « {indicator['question']} » n'est pas un nombre "
                    f"(type {question['type']}).",
                )
            elif question is not None and question["code"] in self.roster_questions:
                self.error(
                    line_of(item, "question"),
                    f"{where} : la question « {indicator['question']} » est posée dans une liste "
                    "répétable ; un indicateur porte sur une question posée une fois.",
                )
            elif any(other["question"] == indicator["question"] for other in indicators):
                self.error(
                    line_of(item, "question"),
                    f"{where} : la question « {indicator['question']} » a déjà un indicateur.",
                )
            per = item.get("per", "population")
            if per not in PER_ATTRIBUTES:
                self.error(
                    line_of(item, "per"),
                    f"{where} : « per » vaut {', '.join(PER_ATTRIBUTES)} (trouvé « {per} »).",
                )
            elif per != "population":
                indicator["per"] = per
            unit = checker.text(item, "unit", where, limit=40)
            if unit:
                indicator["unit"] = unit
            decimals = checker.count(item, "decimals", where)
            if decimals is not None:
                if decimals > 4:
                    self.error(line_of(item, "decimals"), f"{where} : « decimals » : 4 au plus.")
                indicator["decimals"] = decimals
            threshold = checker.number(item, "threshold", where, Decimal("1e12"))
            if threshold is not None:
                indicator["threshold"] = threshold
            if code:
                self.indicators[code] = indicator
            indicators.append(indicator)
        return indicators

    def bracket_sets(self, raw: Any, line: int) -> dict[str, list[dict]]:
        sets = {}
        refusal = "« brackets » associe un code de question à une liste de tranches."
        for code, items, key_line, where, question in self.per_question(
            raw, line, refusal, "tranches"
        ):
            if question["type"] not in NUMBER_TYPES:
                kind = question["type"]
                self.error(key_line, f"{where} : la question n'est pas un nombre (type {kind}).")
                continue
            sets[code] = self.brackets(items, key_line, where)
        return sets

    def brackets(self, raw: Any, line: int, where: str) -> list[dict]:
        checker = self.checker
        brackets: list[dict] = []
        intervals: list[tuple[Decimal | None, bool, Decimal | None, bool, str, int]] = []
        seen: dict[str, int] = {}
        items = self.items(raw, line, where)
        if not items:
            self.error(line, f"{where} : au moins une tranche.")
        for item in items:
            checker.unknown_keys(item, BRACKET_KEYS, f"{where} : la tranche")
            code = checker.code(item, f"{where} : tranche", CHOICE_CODE, seen)
            bracket_where = f"{where}, tranche « {code} »"
            bracket: dict[str, Any] = {
                "code": code,
                "label": checker.text(
                    item, "label", bracket_where, required=True, limit=LABEL_MAX_LENGTH
                ),
            }
            lower = [key for key in LOWER_BOUNDS if key in item]
            upper = [key for key in UPPER_BOUNDS if key in item]
            if len(lower) > 1 or len(upper) > 1:
                self.error(
                    item.line,
                    f"{bracket_where} : une seule borne basse (from ou above) et une seule borne "
                    "haute (below ou upto).",
                )
                continue
            if not lower and not upper:
                self.error(item.line, f"{bracket_where} : au moins une borne.")
                continue
            bounds: dict[str, Decimal | None] = {}
            for key in lower + upper:
                bounds[key] = checker.number(item, key, bracket_where, Decimal("1e12"))
                if bounds[key] is not None:
                    bracket[key] = bounds[key]
            low = bounds.get(lower[0]) if lower else None
            high = bounds.get(upper[0]) if upper else None
            if low is not None and high is not None and high <= low:
                self.error(item.line, f"{bracket_where} : la borne haute doit dépasser la basse.")
                continue
            intervals.append(
                (
                    low,
                    LOWER_BOUNDS[lower[0]] if lower else True,
                    high,
                    UPPER_BOUNDS[upper[0]] if upper else False,
                    code,
                    item.line,
                )
            )
            brackets.append(bracket)
        for (_, _, high, high_in, code, _), (low, low_in, _, _, next_code, next_line) in zip(
            intervals, intervals[1:], strict=False
        ):
            if high is None or low is None or low < high or (low == high and high_in and low_in):
                self.error(
                    next_line,
                    f"{where} : la tranche « {next_code} » doit commencer après la fin de "
                    f"« {code} » (dans l'ordre croissant, sans chevauchement).",
                )
        return brackets

    def warning_list(self, raw: Any, line: int) -> list[dict]:
        checker = self.checker
        warnings: list[dict] = []
        seen: dict[str, int] = {}
        for item in self.items(raw, line, "warnings"):
            checker.unknown_keys(item, WARNING_KEYS, "l'avertissement")
            code = checker.code(item, "avertissement", QUESTION_CODE, seen)
            where = f"avertissement « {code} »"
            warning = {
                "code": code,
                "question": checker.text(item, "question", where, required=True),
                "when": checker.text(item, "when", where, required=True),
                "message": checker.text(item, "message", where, required=True),
            }
            if warning["question"] and warning["question"] not in self.questions:
                self.error(
                    line_of(item, "question"),
                    f"{where} : la question « {warning['question']} » n'existe pas.",
                )
            if warning["when"]:
                self.check_condition(line_of(item, "when"), where, warning["when"], warning=True)
            for match in PLACEHOLDER.finditer(warning["message"]):
                code_in_message, _, key = match.group(1).partition(".")
                problem = (
                    self.number_reference_problem(code_in_message, key or None)
                    if code_in_message == PREVIOUS
                    else ""
                    if code_in_message in self.questions
                    or code_in_message in self.indicators
                    or code_in_message in DERIVED_CODES
                    else f"code inconnu « {code_in_message} »"
                )
                if problem:
                    placeholder = "{" + match.group(1) + "}"
                    self.error(
                        line_of(item, "message"), f"{where} : message, {placeholder} : {problem}."
                    )
            warnings.append(warning)
        return warnings

    def trends(self, raw: Any, line: int) -> dict:
        if raw is None:
            return {}
        checker = self.checker
        if not checker.expect_mapping(raw, line, "« trends »"):
            return {}
        checker.unknown_keys(raw, TRENDS_KEYS, "les tendances")
        trends: dict[str, Any] = {}
        mapping = self.scale_mapping(raw.get("scale_mapping"), line_of(raw, "scale_mapping"))
        if mapping:
            trends["scale_mapping"] = mapping
        breaks = self.breaks(raw.get("breaks"), line_of(raw, "breaks"))
        if breaks:
            trends["breaks"] = breaks
        return trends

    def scale_mapping(self, mapping: Any, line: int) -> dict:
        if mapping is None:
            return {}
        where = "tendances, « scale_mapping »"
        if not isinstance(mapping, Mapping):
            self.error(line, f"{where} : associe un code à un code.")
            return {}
        choices = {c["code"] for q in self.questions.values() for c in q["choices"]}
        checked = {}
        for old, new in mapping.items():
            key_line = line_of(mapping, old)
            if not isinstance(old, str) or not CHOICE_CODE.match(old):
                self.error(key_line, f"{where} : code invalide « {old} ».")
            elif new not in choices:
                self.error(
                    key_line,
                    f"{where} : « {old} » est compté comme « {new} », qui n'est un choix "
                    "d'aucune question de l'édition.",
                )
            else:
                checked[old] = new
        return checked

    def breaks(self, raw: Any, line: int) -> dict:
        """{question code: comparable | not_comparable}: a question changed in this edition."""
        if raw is None:
            return {}
        where = "tendances, « breaks »"
        if not isinstance(raw, Mapping):
            self.error(line, f"{where} : associe une question à comparable ou not_comparable.")
            return {}
        checked = {}
        for code, verdict in raw.items():
            key_line = line_of(raw, code)
            if code not in self.questions:
                self.error(key_line, f"{where} : la question « {code} » n'existe pas.")
            elif verdict not in (COMPARABLE, NOT_COMPARABLE):
                self.error(
                    key_line,
                    f"{where} : « {code} » vaut {COMPARABLE} ou {NOT_COMPARABLE} "
                    f"(trouvé « {verdict} »).",
                )
            else:
                checked[code] = verdict
        return checked


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
