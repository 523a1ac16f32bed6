"""The condition language of the questionnaire: small, safe, never `eval`.

A condition decides whether a section, a question or a choice is shown. It reads answers by
question code and the derived variables (`type_collectivite`, `population`, …).

    reseaux_sociaux = oui                      single answer equals a code
    reseaux_sociaux != oui                     answered, and not that code
    outils_crise has consultation_crise        multiple answer contains a code
    outils_crise has [entraide, autre]         … contains at least one of these codes
    outils_numeriques has_other_than aucun     answered with at least one code other than `aucun`
    synthese has_other_than non                (the spec's "`synthese` is not `non`")
    type_collectivite in [commune, intercommunalite]
    type_collectivite not in [departement, region]
    population >= 10000                        numbers: = != < <= > >=
    service_intitule is answered               any answer, `nsp` included
    service_intitule is not answered
    effets_crise.perte_lien = tout_a_fait      one row of a matrix (or an item's rank)
    visio_deliberations = oui or visio_ateliers = oui
    not (a = oui and (b = non or c is answered))
    budget_participation > 10 * precedent.budget_participation
                                               a number against another code's, times a factor
                                               (warnings only: `precedent.<code>` is last
                                               edition's answer)

Precedence, loosest first: `or`, `and`, `not`; parentheses group. Values are codes written bare
(`oui`, `5k_10k`, `53`) or quoted ('Autre chose'); lists are `[a, b, c]`. Keywords (`and`, `or`,
`not`, `in`, `has`, `has_other_than`, `is`, `answered`) are lower-case.

Semantics: on a list answer (multiple), `=` means `has` and `!=` means "answered without that
code"; `in` is true when the answer (or one of its codes) is in the list. A comparison on an
unanswered code (missing, None, "", [] or {}) is false, so `x != oui` is false when `x` is
unanswered while `not x = oui` is true. A number compares with a number or a numeric string
("12.5"); `nsp` never satisfies `<`, `>`, …. An empty condition is always true.

Errors raise `ConditionError` (a ValueError) with `.position`, the 0-based offset of the faulty
token; its French message shows the position counted from 1, as an editor does:
"position 13 : code inconnu « resaux_sociaux »".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from surveys.derived import DERIVED_CODES

KEYWORDS = {"and", "or", "not", "in", "has", "has_other_than", "is", "answered"}
COMPARISONS = {"=", "!=", "<", "<=", ">", ">="}

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<op>!=|<=|>=|=|<|>)
  | (?P<punct>[()\[\],*])
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<word>-?[A-Za-z0-9_][A-Za-z0-9_.\-]*)
    """,
    re.VERBOSE,
)
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


class ConditionError(ValueError):
    """A malformed condition or an unknown code, with the place it occurs."""

    def __init__(self, message: str, position: int, expression: str = ""):
        self.position = position
        self.expression = expression
        self.detail = message
        super().__init__(f"position {position + 1} : {message}")


@dataclass(frozen=True)
class _Token:
    kind: str  # "op", "punct", "string", "word", "end"
    text: str
    position: int

    @property
    def value(self) -> str:
        return self.text[1:-1] if self.kind == "string" else self.text


def _tokenize(expr: str) -> list[_Token]:
    tokens = []
    position = 0
    while position < len(expr):
        match = _TOKEN.match(expr, position)
        if match is None:
            raise ConditionError(f"caractère inattendu « {expr[position]} »", position, expr)
        # Every alternative of _TOKEN is a named group, so a match always has one.
        assert match.lastgroup is not None
        if match.lastgroup != "space":
            tokens.append(_Token(match.lastgroup, match.group(), position))
        position = match.end()
    tokens.append(_Token("end", "", len(expr)))
    return tokens


def is_answered(value: Any) -> bool:
    """True when a stored value counts as an answer (`nsp` does)."""
    return value is not None and value != "" and value != [] and value != {}


def as_number(value: Any) -> Decimal | None:
    """A number written plainly (``12``, ``-3.5``, a JSON number), or None: booleans, ``nsp``,
    texts such as ``NaN``, ``1e3`` or ``12,5`` are not numbers. The one reading of a number in
    conditions, rules and their checks."""
    if isinstance(value, str):  # first, as it is the most common: a stored answer
        text = value.strip()
        return Decimal(text) if _NUMBER.fullmatch(text) else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    return None


@lru_cache(maxsize=4096)
def _literal_number(literal: str) -> Decimal | None:
    return as_number(literal)


def _same(answer: Any, literal: str) -> bool:
    if answer == literal:
        return True
    number = _literal_number(literal)
    if number is None:
        return False
    left = as_number(answer)
    return left is not None and left == number


def _codes_of(answer: Any) -> list:
    if isinstance(answer, list | tuple | set):
        return list(answer)
    if isinstance(answer, dict):
        return list(answer)
    return [answer]


# An evaluator takes the values mapping and returns a bool.
Evaluator = Callable[[Mapping[str, Any]], bool]


def _lookup(code: str, key: str | None) -> Callable[[Mapping[str, Any]], Any]:
    if key is None:
        return lambda values: values.get(code)

    def get(values: Mapping[str, Any]) -> Any:
        answer = values.get(code)
        return answer.get(key) if isinstance(answer, dict) else None

    return get


def _comparison(get, op: str, literal: str) -> Evaluator:
    if op in ("=", "!="):
        wanted = op == "="

        def equal(values):
            answer = get(values)
            if not is_answered(answer):
                return False
            if isinstance(answer, list | tuple):
                found = any(_same(code, literal) for code in answer)
            else:
                found = _same(answer, literal)
            return found is wanted

        return equal

    bound = as_number(literal)

    def compare(values):
        number = as_number(get(values))
        if number is None:
            return False
        return {
            "<": number < bound,
            "<=": number <= bound,
            ">": number > bound,
            ">=": number >= bound,
        }[op]

    return compare


def _reference_comparison(get, op: str, other, factor: Decimal) -> Evaluator:
    """`get` compared with `factor` times another value; false when either is not a number."""

    def compare(values):
        number, bound = as_number(get(values)), as_number(other(values))
        if number is None or bound is None:
            return False
        bound *= factor
        return {
            "<": number < bound,
            "<=": number <= bound,
            ">": number > bound,
            ">=": number >= bound,
        }[op]

    return compare


def _membership(get, literals: list[str], negated: bool) -> Evaluator:
    def member(values):
        answer = get(values)
        if not is_answered(answer):
            return False
        found = any(_same(code, lit) for code in _codes_of(answer) for lit in literals)
        return found is not negated

    return member


def _has(get, literals: list[str]) -> Evaluator:
    def has(values):
        answer = get(values)
        if not is_answered(answer):
            return False
        return any(_same(code, lit) for code in _codes_of(answer) for lit in literals)

    return has


def _has_other_than(get, literals: list[str]) -> Evaluator:
    def has_other(values):
        answer = get(values)
        if not is_answered(answer):
            return False
        return any(not any(_same(code, lit) for lit in literals) for code in _codes_of(answer))

    return has_other


@dataclass(frozen=True)
class Condition:
    """A compiled condition: `evaluate(values)` and the `codes` it reads."""

    source: str
    references: tuple[tuple[str, int], ...] = ()  # (code, position) in order of appearance
    _evaluate: Evaluator = field(default=lambda values: True, repr=False, compare=False)
    # The parsed tree (see `_Parser`), None when always true; the page's script evaluates it.
    tree: dict | None = field(default=None, repr=False, compare=False)

    @property
    def codes(self) -> set[str]:
        return {code for code, _ in self.references}

    @property
    def compares_codes(self) -> bool:
        """Whether a bound is another code's value (allowed in warnings, not in display)."""
        return _has_reference(self.tree)

    @property
    def is_always_true(self) -> bool:
        return not self.source.strip()

    def evaluate(self, values: Mapping[str, Any]) -> bool:
        return bool(self._evaluate(values))

    def __str__(self) -> str:
        return self.source


class _Parser:
    def __init__(self, expr: str):
        self.expr = expr
        self.tokens = _tokenize(expr)
        self.index = 0
        self.references: list[tuple[str, int]] = []

    # -- helpers --
    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at_word(self, *words: str) -> bool:
        return self.current.kind == "word" and self.current.text in words

    def error(self, message: str, token: _Token | None = None) -> ConditionError:
        token = token or self.current
        return ConditionError(message, token.position, self.expr)

    def describe(self, token: _Token) -> str:
        return "la fin de la condition" if token.kind == "end" else f"« {token.text} »"

    def expect_punct(self, text: str) -> _Token:
        if self.current.kind != "punct" or self.current.text != text:
            raise self.error(f"« {text} » attendu, trouvé {self.describe(self.current)}")
        return self.advance()

    # -- grammar: a tree of {"or": [..]}, {"and": [..]}, {"not": node} and tests
    # {"code", "key", "op", "values"}, op one of = != < <= > >= in not_in has has_other_than
    # answered not_answered. --
    def parse(self) -> dict:
        tree = self.parse_or()
        if self.current.kind != "end":
            raise self.error(f"« and » ou « or » attendu, trouvé {self.describe(self.current)}")
        return tree

    def parse_or(self) -> dict:
        parts = [self.parse_and()]
        while self.at_word("or"):
            self.advance()
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else {"or": parts}

    def parse_and(self) -> dict:
        parts = [self.parse_not()]
        while self.at_word("and"):
            self.advance()
            parts.append(self.parse_not())
        return parts[0] if len(parts) == 1 else {"and": parts}

    def parse_not(self) -> dict:
        if self.at_word("not"):
            self.advance()
            return {"not": self.parse_not()}
        return self.parse_primary()

    def parse_primary(self) -> dict:
        token = self.current
        if token.kind == "punct" and token.text == "(":
            self.advance()
            inner = self.parse_or()
            self.expect_punct(")")
            return inner
        if token.kind != "word" or token.text in KEYWORDS or _NUMBER.fullmatch(token.text):
            raise self.error(f"code de question attendu, trouvé {self.describe(token)}")
        self.advance()
        code, _, key = token.text.partition(".")
        if not code or (key == "" and token.text.endswith(".")) or "." in key:
            raise self.error(f"code mal formé « {token.text} »", token)
        self.references.append((code, token.position))
        return self.parse_test(code, key or None, token)

    def parse_test(self, code: str, key: str | None, subject: _Token) -> dict:
        def test(op: str, values: list[str]) -> dict:
            return {"code": code, "key": key, "op": op, "values": values}

        token = self.current
        if token.kind == "op":
            self.advance()
            if token.text not in ("=", "!=") and self.at_reference():
                return {**test(token.text, []), "ref": self.parse_reference()}
            literal = self.parse_value()
            if token.text not in ("=", "!=") and as_number(literal.value) is None:
                raise self.error(
                    f"nombre attendu après « {token.text} », trouvé « {literal.text} »", literal
                )
            return test(token.text, [literal.value])
        if self.at_word("in"):
            self.advance()
            return test("in", self.parse_list())
        if self.at_word("not"):
            self.advance()
            if not self.at_word("in"):
                raise self.error(
                    f"« in » attendu après « not », trouvé {self.describe(self.current)}"
                )
            self.advance()
            return test("not_in", self.parse_list())
        if self.at_word("has"):
            self.advance()
            return test("has", self.parse_values())
        if self.at_word("has_other_than"):
            self.advance()
            return test("has_other_than", self.parse_values())
        if self.at_word("is"):
            self.advance()
            negated = self.at_word("not")
            if negated:
                self.advance()
            if not self.at_word("answered"):
                raise self.error(f"« answered » attendu, trouvé {self.describe(self.current)}")
            self.advance()
            return test("not_answered" if negated else "answered", [])
        raise self.error(
            f"opérateur attendu après « {subject.text} » (=, !=, <, >, in, has, "
            f"has_other_than, is answered), trouvé {self.describe(token)}"
        )

    def at_reference(self) -> bool:
        """After <, <=, > or >=: `code`, `code.key` or `number * code` rather than a number."""
        token = self.current
        if token.kind != "word" or token.text in KEYWORDS:
            return False
        if not _NUMBER.fullmatch(token.text):
            return True
        following = self.tokens[self.index + 1]
        return following.kind == "punct" and following.text == "*"

    def parse_reference(self) -> dict:
        factor = "1"
        if _NUMBER.fullmatch(self.current.text):
            factor = self.advance().text
            self.expect_punct("*")
        token = self.current
        if token.kind != "word" or token.text in KEYWORDS or _NUMBER.fullmatch(token.text):
            raise self.error(f"code de question attendu, trouvé {self.describe(token)}")
        self.advance()
        code, _, key = token.text.partition(".")
        if not code or (key == "" and token.text.endswith(".")) or "." in key:
            raise self.error(f"code mal formé « {token.text} »", token)
        self.references.append((code, token.position))
        return {"code": code, "key": key or None, "factor": factor}

    def parse_value(self) -> _Token:
        token = self.current
        if token.kind not in ("word", "string"):
            raise self.error(f"valeur attendue, trouvé {self.describe(token)}")
        return self.advance()

    def parse_values(self) -> list[str]:
        if self.current.kind == "punct" and self.current.text == "[":
            return self.parse_list()
        return [self.parse_value().value]

    def parse_list(self) -> list[str]:
        self.expect_punct("[")
        values = [self.parse_value().value]
        while self.current.kind == "punct" and self.current.text == ",":
            self.advance()
            values.append(self.parse_value().value)
        self.expect_punct("]")
        return values


def _evaluator(node: dict) -> Evaluator:
    """Compile a parsed tree into a closure, so evaluating never walks the tree again."""
    if "or" in node:
        parts = [_evaluator(part) for part in node["or"]]
        return lambda values: any(part(values) for part in parts)
    if "and" in node:
        parts = [_evaluator(part) for part in node["and"]]
        return lambda values: all(part(values) for part in parts)
    if "not" in node:
        inner = _evaluator(node["not"])
        return lambda values: not inner(values)
    get = _lookup(node["code"], node["key"])
    op, literals = node["op"], node["values"]
    if op in ("in", "not_in"):
        return _membership(get, literals, negated=op == "not_in")
    if op == "has":
        return _has(get, literals)
    if op == "has_other_than":
        return _has_other_than(get, literals)
    if op in ("answered", "not_answered"):
        negated = op == "not_answered"
        return lambda values: is_answered(get(values)) is not negated
    if node.get("ref"):
        ref = node["ref"]
        return _reference_comparison(
            get, op, _lookup(ref["code"], ref["key"]), Decimal(ref["factor"])
        )
    return _comparison(get, op, literals[0])


def _has_reference(node: dict | None) -> bool:
    if not node:
        return False
    for combinator in ("or", "and"):
        if combinator in node:
            return any(_has_reference(part) for part in node[combinator])
    if "not" in node:
        return _has_reference(node["not"])
    return bool(node.get("ref"))


def tests_of(node: dict | None) -> list[dict]:
    """The tests of a parsed condition tree, in order (for the definition checker)."""
    if not node:
        return []
    for combinator in ("or", "and"):
        if combinator in node:
            return [test for part in node[combinator] for test in tests_of(part)]
    if "not" in node:
        return tests_of(node["not"])
    return [node]


@lru_cache(maxsize=4096)
def _parse(expr: str) -> Condition:
    if not expr.strip():
        return Condition(expr)
    parser = _Parser(expr)
    tree = parser.parse()
    return Condition(expr, tuple(parser.references), _evaluator(tree), tree)


def compile_condition(expr: str, known_codes: Iterable[str] | None = None) -> Condition:
    """Parse `expr` (cached); with `known_codes`, refuse codes neither known nor derived."""
    condition = _parse(expr or "")
    if known_codes is not None:
        known = set(known_codes) | set(DERIVED_CODES)
        for code, position in condition.references:
            if code not in known:
                raise ConditionError(f"code inconnu « {code} »", position, expr)
    return condition
