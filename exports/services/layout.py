"""The columns of an export, read from the edition's definition.

Réponses has one row per collectivité: its identity, then one or more columns per question
(single → one; multiple → one 0/1 column per choice `<code>_<choice>` plus the list of chosen
answers under `<code>`; matrix → `<code>_<row>`; ranking → `<code>_<item>` holding the rank;
précisez texts under `<code>_autre`), then the edition's derived indicators. Dispositifs has one
row per roster item. The same layout reads an export back (see `exports.services.importer`).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.utils import timezone

from respondents.classification import TRANCHE_LABELS, TYPES_COLLECTIVITE, tranche_population
from respondents.models import Collectivite
from respondents.regions import REGIONS
from surveys.models import Edition, Question, Response
from surveys.rules import rules_of

NSP = "nsp"
NSP_LABEL = "Ne sait pas"
# Why a number column is empty, in its companion `<code>__statut` column: a number column holds
# numbers only, so that Excel, R, pandas, SPSS and Stata type it without cleaning.
SANS_OBJET = "sans_objet"
SANS_OBJET_LABEL = "Sans objet (question non posée)"
STATUS_SUFFIX = "__statut"
EURO = "€"
LIST_SEPARATOR = " ; "
T = Question.Type

STATUS_LABELS = {value: str(label) for value, label in Response.Status.choices}
TYPE_LABELS: dict[str, str] = {
    T.SINGLE: "choix unique",
    T.MULTIPLE: "choix multiples",
    T.MATRIX: "matrice",
    T.RANKING: "classement",
    T.INTEGER: "nombre entier",
    T.DECIMAL: "nombre décimal",
    T.MONEY: "montant (€)",
    T.TEXT: "texte court",
    T.LONGTEXT: "texte long",
    T.ROSTER: "liste répétable",
}


@dataclass
class Column:
    """One column of a sheet; `kind` is its Table Schema type."""

    name: str
    title: str
    kind: str = "string"
    question: str = ""
    question_type: str = ""
    role: str = ""  # value, choice, list, other, row, item, count, identity, derived
    # (code, label) pairs the column may hold, for the dictionary and the schema.
    choices: list[tuple[str, str]] = field(default_factory=list)
    # Allowed values as exported (codes or labels), for the Table Schema enum.
    enum: list = field(default_factory=list)
    unit: str = ""  # "€" for amounts
    description: str = ""


def local_naive(value: datetime | None) -> datetime | None:
    """Spreadsheets have no time zones: local time, to the second."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


def to_number(value):
    """A stored decimal string as a number (int when whole), `nsp` kept as is."""
    if value is None or value == "":
        return None
    if type(value) is Decimal:
        # What the general path below gives (an indicator per row: the common case).
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return float(value) if "." in value else int(value)
        except ValueError:
            pass
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return value
    if number == number.to_integral_value():
        return int(number)
    return float(number)


@cache
def type_collectivite(kind: str, epci_type: str) -> str:
    """The same rule as `Collectivite.type_collectivite`, without building an instance."""
    return Collectivite(kind=kind, epci_type=epci_type).type_collectivite


NUMBER_TYPES = (T.INTEGER, T.DECIMAL, T.MONEY)


def is_conditional(question: Question) -> bool:
    """Whether a condition (its own, its section's or its roster's) may hide the question."""
    roster = question.roster
    return bool(
        question.condition
        or question.section.condition
        or (roster is not None and (roster.condition or roster.section.condition))
    )


def number_statuses(question: Question) -> list[tuple[str, str]]:
    """The reasons why a number question may have no value, as (code, label) pairs."""
    statuses = [(NSP, NSP_LABEL)] if question.allow_nsp else []
    if is_conditional(question):
        statuses.append((SANS_OBJET, SANS_OBJET_LABEL))
    return statuses


class Block:
    """The columns of one question and how an answer fills them."""

    def __init__(self, question: Question, labels: bool):
        self.question = question
        self.labels = labels
        self.choices = [(c.code, c.label) for c in question.choices.all()]
        self.choice_labels = dict(self.choices)
        self.other_choices = [c.code for c in question.choices.all() if c.other]
        self.rows = [(r.code, r.label) for r in question.rows.all()]
        self.conditional = is_conditional(question)
        self.statuses = number_statuses(question) if question.type in NUMBER_TYPES else []
        self.columns = self._columns()
        self.width = len(self.columns)
        self.empty = [None] * self.width
        self._prepare()

    def _column(
        self, name, title, kind="string", role="value", choices=None, enum=None, **extra
    ) -> Column:
        return Column(
            name=name,
            title=title,
            kind=kind,
            question=self.question.code,
            question_type=self.question.type,
            role=role,
            choices=choices or [],
            enum=enum or [],
            **extra,
        )

    def _shown(self, code: str, labels: dict) -> str:
        return labels.get(code, code) if self.labels else code

    def _enum(self, pairs):
        return [label if self.labels else code for code, label in pairs]

    def _columns(self) -> list[Column]:
        q = self.question
        code, text = q.code, q.text
        if q.type == T.SINGLE:
            columns = [
                self._column(code, text, choices=self.choices, enum=self._enum(self.choices))
            ]
        elif q.type == T.MULTIPLE:
            columns = []
            for choice, label in self.choices:
                name = f"{code}_{choice}"
                if choice in self.other_choices and name == f"{code}_autre":
                    # `<code>_autre` is the précisez text (the spec's contract).
                    name = f"{name}_coche"
                columns.append(
                    self._column(
                        name,
                        f"{text} — {label}",
                        "integer",
                        "choice",
                        [("1", "coché"), ("0", "non coché")],
                        [0, 1],
                    )
                )
            columns.append(self._column(code, f"{text} (liste)", role="list", choices=self.choices))
        elif q.type == T.MATRIX:
            columns = [
                self._column(
                    f"{code}_{row}",
                    f"{text} — {label}",
                    role="row",
                    choices=self.choices,
                    enum=self._enum(self.choices),
                )
                for row, label in self.rows
            ]
        elif q.type == T.RANKING:
            columns = [
                self._column(f"{code}_{item}", f"{text} — {label} (rang)", "integer", "item")
                for item, label in self.choices
            ]
        elif q.type in (T.INTEGER, T.DECIMAL, T.MONEY):
            kind = "integer" if q.type == T.INTEGER else "number"
            unit = EURO if q.type == T.MONEY else ""
            columns = [self._column(code, text, kind, unit=unit)]
            if self.statuses:
                name = f"{code}{STATUS_SUFFIX}"
                columns[0].description = f"Vide quand la valeur manque : la raison est dans {name}."
                columns.append(
                    self._column(
                        name,
                        f"{text} — statut de la valeur",
                        role="status",
                        choices=self.statuses,
                        enum=self._enum(self.statuses),
                        description=(
                            f"Pourquoi {code} est vide (une colonne de nombres ne contient que "
                            "des nombres) : "
                            + " ; ".join(f"{c} = {label}" for c, label in self.statuses)
                            + ". Vide : valeur donnée, ou pas de réponse."
                        ),
                    )
                )
        elif q.type == T.ROSTER:
            # Stored at item 0 as the number of items (see surveys.validation).
            columns = [self._column(code, f"{text} (nombre d'éléments)", "integer", "count")]
        else:
            columns = [self._column(code, text)]
        if self.other_choices and q.type in (T.SINGLE, T.MULTIPLE):
            columns.append(self._column(f"{code}_autre", f"{text} — précisez", role="other"))
        return columns

    def cells(self, answer, hidden: bool = False) -> list:
        """The cells for `answer`, a (value, other_text) pair or None; `hidden` when the
        response's conditions did not ask the question."""
        if answer is None:
            if hidden and self.statuses:
                return [None, self.shown_status[SANS_OBJET]]
            return self.empty
        cells = self._fill(answer[0])
        if self.other_choices:
            cells.append(answer[1] or None)
        return cells

    def _prepare(self) -> None:
        """Pick the filling function of the question's type once (rows are filled millions of
        times in a census-size export)."""
        self.shown = {code: (label if self.labels else code) for code, label in self.choices}
        self.codes = [code for code, _ in self.choices]
        self.row_codes = [code for code, _ in self.rows]
        self.shown_status = {
            code: (label if self.labels else code) for code, label in self.statuses
        }
        fillers: dict[str, Callable[[Any], list]] = {
            T.SINGLE: self._single,
            T.MULTIPLE: self._multiple,
            T.MATRIX: self._matrix,
            T.RANKING: self._ranking,
            T.INTEGER: self._number,
            T.DECIMAL: self._number,
            T.MONEY: self._number,
        }
        self._fill = fillers.get(self.question.type, self._plain)
        self.is_number = self._fill == self._number
        self.is_single = self._fill == self._single
        # Whether the answers are codes (choices, scale levels, ranks), not texts or amounts.
        self.is_coded = self._fill in (self._single, self._multiple, self._matrix, self._ranking)
        # Whether the only cell is the stored value as it is (free texts): see `BlockPlan`.
        self.is_plain_text = (
            self._fill == self._plain and not self.other_choices and self.width == 1
        )

    def _single(self, value) -> list:
        return [self.shown.get(value, value)]

    def _multiple(self, value) -> list:
        chosen = set(value or ())
        cells: list[int | str] = [1 if code in chosen else 0 for code in self.codes]
        shown = self.shown
        cells.append(LIST_SEPARATOR.join([shown[code] for code in self.codes if code in chosen]))
        return cells

    def _matrix(self, value) -> list:
        value = value or {}
        shown = self.shown
        return [
            shown.get(value[row], value[row]) if row in value else None for row in self.row_codes
        ]

    def _ranking(self, value) -> list:
        value = value or {}
        return [value.get(code) for code in self.codes]

    def _number(self, value) -> list:
        if value == NSP:
            return [None, self.shown_status[NSP]] if self.statuses else [None]
        return [to_number(value), None] if self.statuses else [to_number(value)]

    def _plain(self, value) -> list:
        return [value]


def identity_columns(labels: bool) -> list[Column]:
    types = list(TYPES_COLLECTIVITE.items())
    tranches = list(TRANCHE_LABELS.items())
    regions = list(REGIONS.items())
    statuses = list(STATUS_LABELS.items())

    def enum(pairs):
        return [label if labels else code for code, label in pairs]

    return [
        Column("collectivite", "Nom de la collectivité", role="identity"),
        Column("code_insee", "Code INSEE (communes, départements, régions)", role="identity"),
        Column("siren", "SIREN", role="identity"),
        Column(
            "type_collectivite",
            "Type de collectivité",
            role="identity",
            choices=types,
            enum=enum(types),
        ),
        Column("population", "Population (INSEE)", "integer", role="identity"),
        Column(
            "tranche_population",
            "Tranche de population",
            role="identity",
            choices=tranches,
            enum=enum(tranches),
        ),
        Column("region", "Région", role="identity", choices=regions, enum=enum(regions)),
        Column(
            "statut", "Statut de la réponse", role="identity", choices=statuses, enum=enum(statuses)
        ),
        Column("cree_le", "Réponse commencée le", "datetime", role="identity"),
        Column("envoye_le", "Réponse envoyée le", "datetime", role="identity"),
        Column("valide_le", "Réponse validée le", "datetime", role="identity"),
    ]


ROSTER_KEY = ["code_insee", "siren", "collectivite", "type_collectivite"]


class Layout:
    """The columns of an edition's export, built once per export from its definition."""

    def __init__(
        self,
        edition: Edition,
        labels: bool,
        sections: list[str] | None = None,
        questions: list[str] | None = None,
    ):
        """`sections` (codes, empty: all) or `questions` (codes: exactly these) narrow it."""
        self.edition = edition
        self.labels = labels
        chosen = Question.objects.filter(edition=edition)
        if sections:
            chosen = chosen.filter(section__code__in=sections)
        if questions is not None:
            chosen = chosen.filter(code__in=questions, roster__isnull=True)
        selected = list(
            chosen.select_related("section", "roster__section")
            .prefetch_related("choices", "rows")
            .order_by("section__order", "section__pk", "order", "pk")
        )
        self.questions = selected
        self.top_blocks = [Block(q, labels) for q in selected if q.roster_id is None]
        self.rosters = [b.question for b in self.top_blocks if b.question.type == T.ROSTER]
        self.item_blocks = [Block(q, labels) for q in selected if q.roster_id is not None]
        self.by_id = {q.pk: q for q in selected}
        # Every question's code, exported or not: conditions may read another section.
        self.codes_by_id = dict(
            Question.objects.filter(edition=edition).values_list("pk", "code").order_by()
        )
        # The edition's indicators (definition file, `rules`), each after the answers, with the
        # question it is computed from.
        top = {q.code: q for q in selected if q.roster_id is None}
        self.indicators = [
            (indicator, top[indicator.question])
            for indicator in rules_of(edition).indicators
            if indicator.question in top
        ]
        identity = identity_columns(labels)
        derived = [
            Column(
                indicator.code,
                f"{indicator.label} ({indicator.unit}, dérivé)"
                if indicator.unit
                else f"{indicator.label} (dérivé)",
                "number",
                role="derived",
                unit=EURO if EURO in (indicator.unit or "") else "",
            )
            for indicator, _question in self.indicators
        ]
        self.response_columns = identity + [c for b in self.top_blocks for c in b.columns] + derived
        key = {c.name: c for c in identity}
        self.roster_columns = (
            [key[name] for name in ROSTER_KEY]
            + [
                Column("liste", "Liste répétable (code de la question)", role="identity"),
                Column("element", "Numéro de l'élément dans la liste", "integer", role="identity"),
            ]
            + [c for b in self.item_blocks for c in b.columns]
        )
        for columns in (self.response_columns, self.roster_columns):
            names = [c.name for c in columns]
            duplicates = {n for n in names if names.count(n) > 1}
            if duplicates:
                raise ValueError(
                    "Colonnes en double dans la définition de l'édition : "
                    + ", ".join(sorted(duplicates))
                )

    def identity_cells(self, kind, code, siren, name, epci_type, population, region_code):
        """Name, INSEE code, SIREN, type, population, tranche, region of a collectivité."""
        type_code = type_collectivite(kind, epci_type)
        tranche = tranche_population(population)
        region = region_code or None
        if self.labels:
            type_code = TYPES_COLLECTIVITE.get(type_code, type_code)
            tranche = TRANCHE_LABELS.get(tranche, tranche) if tranche else None
            region = REGIONS.get(region, region) if region else None
        insee = "" if kind == Collectivite.Kind.EPCI else code
        return [name, insee or None, siren or None, type_code, population, tranche, region]

    def status_cell(self, status: str) -> str:
        return STATUS_LABELS.get(status, status) if self.labels else status
