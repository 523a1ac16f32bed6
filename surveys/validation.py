"""The one validation of an answer against its question, for forms, imports and any API.

`clean_answer(question, raw)` takes input as a form or a spreadsheet gives it and returns the
stored form (see `Answer`) as a `CleanAnswer`, or None when the input is empty ("no answer":
required questions are enforced at submission, not here). It raises Django's ValidationError
with a French message otherwise.

Accepted input, by type:
- single: a choice code (a one-element list too);
- multiple: a list of codes, or one string separated by `;`, `,` or new lines;
- matrix: {row code: scale code}; rows left empty are dropped;
- ranking: {item code: rank} (ranks as ints or strings; empty ranks are dropped), or the list of
  item codes in order;
- integer, decimal, money: a number or a French-written string (`12 500,50`, `12 500,50 €`,
  `1.5`, spaces of any kind as thousands separators), or `nsp` when the question allows it;
- text, longtext: a string (≤ 500 and ≤ 10 000 characters once trimmed);
- roster: the number of items, or the list of items; stored as the number of items.

With `context` (the response's answer values and derived variables, see `surveys.visibility`), a
choice whose condition does not hold (`conseils_quartier` for a département) is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from barometre.textclean import clean_text
from surveys.conditions import compile_condition
from surveys.models import Choice, Question

NSP = "nsp"
TEXT_MAX_LENGTH = {Question.Type.TEXT: 500, Question.Type.LONGTEXT: 10_000}
OTHER_TEXT_MAX_LENGTH = 500
# Answer.number is DecimalField(max_digits=16, decimal_places=4).
MAX_DECIMAL_PLACES = 4
MAX_ABSOLUTE = Decimal("1e12")

_SPACES = re.compile(r"[\s\u00a0\u202f\u2007\u2009']+")
_CURRENCY = re.compile(r"(€|eur(os?)?)$", re.IGNORECASE)
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
_DOTTED_THOUSANDS = re.compile(r"[+-]?\d{1,3}(\.\d{3})+")
_LIST_SEPARATORS = re.compile(r"[;,\n]+")


@dataclass(frozen=True)
class CleanAnswer:
    """What to store in an Answer: `value`, `number` (numeric mirror) and `other_text`."""

    value: Any
    number: Decimal | None = None
    other_text: str = ""


def is_empty(raw: Any) -> bool:
    """True when the input means "no answer": nothing, blanks, or only empty parts."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple | set):
        return all(is_empty(part) for part in raw)
    if isinstance(raw, Mapping):
        return all(is_empty(part) for part in raw.values())
    return False


def parse_french_number(raw: Any) -> Decimal:
    """`12 500,50 €` → Decimal("12500.50"); raises ValidationError when it is not a number."""
    if isinstance(raw, bool):
        raise ValidationError("Saisissez un nombre.", code="invalid_number")
    if isinstance(raw, int | Decimal):
        number = Decimal(raw)
    elif isinstance(raw, float):
        number = Decimal(repr(raw))
    elif isinstance(raw, str):
        text = _SPACES.sub("", raw)
        text = _CURRENCY.sub("", text)
        # French: comma for decimals; dots separate thousands when there is a comma or several
        # dots (`1.500.000`), otherwise a single dot is a decimal point (`1.5`).
        whole, comma, fraction = text.partition(",")
        if comma or whole.count(".") > 1:
            if "." in whole and not _DOTTED_THOUSANDS.fullmatch(whole):
                whole = "x"
            text = whole.replace(".", "") + ("." + fraction if comma else "")
        if not _PLAIN_NUMBER.fullmatch(text):
            raise ValidationError(f"« {raw.strip()} » n'est pas un nombre.", code="invalid_number")
        number = Decimal(text)
    else:
        raise ValidationError("Saisissez un nombre.", code="invalid_number")
    if not number.is_finite():
        raise ValidationError("Saisissez un nombre.", code="invalid_number")
    return number


def format_number(number: Decimal) -> str:
    """French display of a number: `12 500,5`."""
    whole, _, fraction = canonical_decimal(number).partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    result = sign + "\u202f".join(groups)
    return f"{result},{fraction}" if fraction else result


def canonical_decimal(number: Decimal) -> str:
    """The stored decimal string: no exponent, no trailing zeros (`12500.5`, `3`)."""
    text = f"{number.normalize():f}" if number == number.to_integral() else f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _choices(question: Question) -> list[Choice]:
    return list(question.choices.all())


def _visible(choice: Choice, context: Mapping[str, Any] | None) -> bool:
    if context is None or not choice.condition:
        return True
    return compile_condition(choice.condition).evaluate(context)


def _choice_by_code(question: Question, context) -> tuple[dict[str, Choice], set[str]]:
    choices = {choice.code: choice for choice in _choices(question)}
    hidden = {code for code, choice in choices.items() if not _visible(choice, context)}
    return choices, hidden


def _unknown_choice(code: Any, choices: dict[str, Choice]) -> ValidationError:
    listed = ", ".join(choices) or "aucun"
    return ValidationError(
        f"« {code} » ne fait pas partie des choix possibles ({listed}).", code="invalid_choice"
    )


def _hidden_choice(choice: Choice) -> ValidationError:
    return ValidationError(
        f"Le choix « {choice.label} » ne s'applique pas à votre collectivité.",
        code="hidden_choice",
    )


def _other_text(picked: list[Choice], other_text: str) -> str:
    if not any(choice.other for choice in picked):
        return ""
    text = clean_text(other_text if isinstance(other_text, str) else "").strip()
    if not text:
        label = next(choice.label for choice in picked if choice.other)
        raise ValidationError(f"Précisez votre réponse « {label} ».", code="other_text_required")
    if len(text) > OTHER_TEXT_MAX_LENGTH:
        raise ValidationError(
            f"La précision ne doit pas dépasser {OTHER_TEXT_MAX_LENGTH} caractères "
            f"(actuellement {len(text)}).",
            code="other_text_too_long",
        )
    return text


def _code(raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise ValidationError("Choix illisible : indiquez un code.", code="invalid_choice")
    return str(raw).strip()


def _clean_single(question, raw, other_text, context) -> CleanAnswer:
    if isinstance(raw, list | tuple):
        parts = [part for part in raw if not is_empty(part)]
        if len(parts) > 1:
            raise ValidationError("Une seule réponse est possible.", code="too_many_choices")
        raw = parts[0]
    code = _code(raw)
    choices, hidden = _choice_by_code(question, context)
    if code not in choices:
        raise _unknown_choice(code, choices)
    if code in hidden:
        raise _hidden_choice(choices[code])
    choice = choices[code]
    return CleanAnswer(code, other_text=_other_text([choice], other_text))


def _clean_multiple(question, raw, other_text, context) -> CleanAnswer:
    if isinstance(raw, str):
        raw = _LIST_SEPARATORS.split(raw)
    if not isinstance(raw, list | tuple | set):
        raise ValidationError("Indiquez une liste de choix.", code="invalid_choice")
    codes = {_code(part) for part in raw if not is_empty(part)}
    choices, hidden = _choice_by_code(question, context)
    for code in sorted(codes):
        if code not in choices:
            raise _unknown_choice(code, choices)
        if code in hidden:
            raise _hidden_choice(choices[code])
    picked = [choice for choice in choices.values() if choice.code in codes]
    exclusive = [choice for choice in picked if choice.exclusive]
    if exclusive and len(picked) > 1:
        raise ValidationError(
            f"« {exclusive[0].label} » ne peut pas être combiné avec d'autres réponses.",
            code="exclusive_choice",
        )
    return CleanAnswer(
        [choice.code for choice in picked], other_text=_other_text(picked, other_text)
    )


def _clean_matrix(question, raw) -> CleanAnswer | None:
    if not isinstance(raw, Mapping):
        raise ValidationError("Indiquez une réponse par ligne du tableau.", code="invalid_matrix")
    rows = {row.code: row for row in question.rows.all()}
    scale = {choice.code: choice for choice in _choices(question)}
    answers = {}
    for row_code, point in raw.items():
        if row_code not in rows:
            raise ValidationError(
                f"« {row_code} » n'est pas une ligne de ce tableau.", code="invalid_row"
            )
        if is_empty(point):
            continue
        point = _code(point)
        if point not in scale:
            raise ValidationError(
                f"Ligne « {rows[row_code].label} » : « {point} » ne fait pas partie de "
                f"l'échelle ({', '.join(scale)}).",
                code="invalid_choice",
            )
        answers[row_code] = point
    if not answers:
        return None
    return CleanAnswer({code: answers[code] for code in rows if code in answers})


def _rank(raw: Any, label: str) -> int:
    try:
        number = parse_french_number(raw)
    except ValidationError:
        number = None
    if number is None or number != number.to_integral() or number < 1:
        raise ValidationError(
            f"« {label} » : le rang doit être un nombre entier à partir de 1.",
            code="invalid_rank",
        )
    return int(number)


def _clean_ranking(question, raw, context) -> CleanAnswer | None:
    if isinstance(raw, list | tuple):
        items = [_code(part) for part in raw if not is_empty(part)]
        if len(set(items)) != len(items):
            raise ValidationError(
                "Un même élément ne peut être classé qu'une fois.", code="repeated_item"
            )
        raw = {item: rank for rank, item in enumerate(items, start=1)}
    if not isinstance(raw, Mapping):
        raise ValidationError("Indiquez le rang de chaque élément classé.", code="invalid_rank")
    choices, hidden = _choice_by_code(question, context)
    ranks = {}
    for item, rank in raw.items():
        if item not in choices:
            raise _unknown_choice(item, choices)
        if is_empty(rank):
            continue
        if item in hidden:
            raise _hidden_choice(choices[item])
        ranks[item] = _rank(rank, choices[item].label)
    if not ranks:
        return None
    expected = question.rank_count or len(choices) - len(hidden)
    if len(ranks) != expected:
        if question.rank_count:
            message = f"Classez exactement {expected} éléments (vous en avez classé {len(ranks)})."
        else:
            message = f"Classez tous les éléments ({expected}) ; vous en avez classé {len(ranks)}."
        raise ValidationError(message, code="rank_count")
    if len(set(ranks.values())) != len(ranks):
        raise ValidationError("Deux éléments ont le même rang.", code="repeated_rank")
    if sorted(ranks.values()) != list(range(1, expected + 1)):
        raise ValidationError(
            f"Les rangs doivent aller de 1 à {expected}, sans trou.", code="rank_gap"
        )
    return CleanAnswer({item: ranks[item] for item in choices if item in ranks})


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _check_bounds(question: Question, number: Decimal, unit: str = "") -> None:
    low, high, step = _decimal(question.min_value), _decimal(question.max_value), None
    if question.step:
        step = _decimal(question.step)
    if question.type == Question.Type.MONEY and (low is None or low < 0):
        low = Decimal(0)
    if low is not None and number < low:
        if high is not None:
            raise ValidationError(
                f"Saisissez un nombre entre {format_number(low)}{unit} "
                f"et {format_number(high)}{unit}.",
                code="out_of_bounds",
            )
        raise ValidationError(
            f"Saisissez un nombre supérieur ou égal à {format_number(low)}{unit}.",
            code="below_minimum",
        )
    if high is not None and number > high:
        if low is not None:
            raise ValidationError(
                f"Saisissez un nombre entre {format_number(low)}{unit} "
                f"et {format_number(high)}{unit}.",
                code="out_of_bounds",
            )
        raise ValidationError(
            f"Saisissez un nombre inférieur ou égal à {format_number(high)}{unit}.",
            code="above_maximum",
        )
    if step:
        origin = low if low is not None else Decimal(0)
        if (number - origin) % step != 0:
            raise ValidationError(
                f"Saisissez un multiple de {format_number(step)}{unit}"
                + (f" à partir de {format_number(origin)}" if origin else "")
                + ".",
                code="step",
            )


def _clean_number(question, raw) -> CleanAnswer:
    if isinstance(raw, str) and raw.strip().lower() in (NSP, "ne sait pas"):
        if not question.allow_nsp:
            raise ValidationError(
                "« Ne sait pas » n'est pas possible pour cette question : saisissez un nombre.",
                code="nsp_not_allowed",
            )
        return CleanAnswer(NSP)
    number = parse_french_number(raw)
    unit = " €" if question.type == Question.Type.MONEY else ""
    if abs(number) >= MAX_ABSOLUTE:
        raise ValidationError("Ce nombre est trop grand.", code="too_large")
    if question.type == Question.Type.INTEGER:
        if number != number.to_integral():
            raise ValidationError("Saisissez un nombre entier.", code="not_integer")
        _check_bounds(question, number)
        return CleanAnswer(int(number), number=Decimal(int(number)))
    places = 2 if question.type == Question.Type.MONEY else MAX_DECIMAL_PLACES
    exponent = number.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # parse_french_number returns finite numbers only
    if -exponent > places:
        if question.type == Question.Type.MONEY:
            raise ValidationError(
                "Un montant a au plus deux décimales (les centimes).", code="too_many_places"
            )
        raise ValidationError(
            f"Saisissez au plus {places} chiffres après la virgule.", code="too_many_places"
        )
    _check_bounds(question, number, unit)
    text = canonical_decimal(number)
    return CleanAnswer(text, number=Decimal(text))


def _clean_text(question, raw) -> CleanAnswer:
    if not isinstance(raw, str):
        if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
            raise ValidationError("Saisissez un texte.", code="invalid_text")
        raw = str(raw)
    text = clean_text(raw).strip()
    limit = TEXT_MAX_LENGTH[question.type]
    if len(text) > limit:
        raise ValidationError(
            f"Ce texte ne doit pas dépasser {format_number(Decimal(limit))} caractères "
            f"(actuellement {format_number(Decimal(len(text)))}).",
            code="text_too_long",
        )
    return CleanAnswer(text)


def _clean_roster(question, raw) -> CleanAnswer:
    if isinstance(raw, list | tuple):
        count = len(raw)
    else:
        number = parse_french_number(raw)
        if number != number.to_integral() or number < 0:
            raise ValidationError(
                "Le nombre d'éléments doit être un entier positif.", code="invalid_count"
            )
        count = int(number)
    low, high = question.min_items, question.max_items
    if low is not None and count < low:
        raise ValidationError(
            f"Ajoutez au moins {low} élément{'s' if low > 1 else ''} (actuellement {count}).",
            code="too_few_items",
        )
    if high is not None and count > high:
        raise ValidationError(
            f"Pas plus de {high} élément{'s' if high > 1 else ''} (actuellement {count}).",
            code="too_many_items",
        )
    return CleanAnswer(count, number=Decimal(count))


def clean_answer(
    question: Question,
    raw: Any,
    *,
    other_text: str = "",
    context: Mapping[str, Any] | None = None,
) -> CleanAnswer | None:
    """Validate `raw` for `question`; None when empty, ValidationError (French) when invalid."""
    if question.type == Question.Type.ROSTER:
        # An empty list is an answer here: "no item", checked against min_items.
        blank = raw is None or (isinstance(raw, str) and not raw.strip())
        return None if blank else _clean_roster(question, raw)
    if is_empty(raw):
        return None
    kind = question.type
    if kind == Question.Type.SINGLE:
        return _clean_single(question, raw, other_text, context)
    if kind == Question.Type.MULTIPLE:
        cleaned = _clean_multiple(question, raw, other_text, context)
        return cleaned if cleaned.value else None
    if kind == Question.Type.MATRIX:
        return _clean_matrix(question, raw)
    if kind == Question.Type.RANKING:
        return _clean_ranking(question, raw, context)
    if kind in Question.NUMBER_TYPES:
        return _clean_number(question, raw)
    if kind in TEXT_MAX_LENGTH:
        return _clean_text(question, raw)
    raise ValidationError(f"Type de question inconnu « {kind} ».", code="invalid_type")
