"""Exporters: small classes that yield the rows of their sheets (pretix's `ListExporter` shape).

The writers (`exports.services.writers`) turn the rows into XLSX or CSV. Responses are read in
batches of `BATCH_SIZE` ids, with a fixed number of queries per batch, so that memory stays flat
whatever the number of respondents.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.db.models import Q, QuerySet

from exports.results.aggregates import ResultFilters, compute_results
from exports.results.figures import figure_label, figure_rows
from exports.results.representativeness import (
    cell_order,
    cell_row,
    cells,
    rake,
    representativeness_of,
)
from exports.services.layout import (
    TYPE_LABELS,
    Column,
    Layout,
)
from exports.services.response_rows import Encoder, Record, RowPlan, read_records
from respondents.classification import TRANCHES_POPULATION
from respondents.models import Collectivite
from surveys.models import Answer, Edition, Question, Response
from surveys.visibility import is_visible, values_with_derived

T = Question.Type
BATCH_SIZE = 2000
NOTHING_HIDDEN: frozenset[int] = frozenset()

FILTER_KEYS = ("type_collectivite", "tranche_population", "region", "status")

RESPONSE_FIELDS = (
    "pk",
    "status",
    "created_at",
    "submitted_at",
    "validated_at",
    "collectivite__kind",
    "collectivite__code",
    "collectivite__siren",
    "collectivite__name",
    "collectivite__epci_type",
    "collectivite__population",
    "collectivite__region_code",
)


def filter_responses(edition: Edition, filters: dict | None) -> QuerySet[Response]:
    """The responses of `edition` matching the export filters (each a list of codes)."""
    responses = Response.objects.filter(edition=edition)
    filters = filters or {}
    if types := filters.get("type_collectivite"):
        condition = Q()
        for code in types:
            condition |= Collectivite.type_filter(code, "collectivite__")
        responses = responses.filter(condition)
    if tranches := filters.get("tranche_population"):
        condition = Q()
        for code, *_ in TRANCHES_POPULATION:
            if code in tranches:
                condition |= Collectivite.tranche_filter(code, "collectivite__")
        responses = responses.filter(condition)
    if regions := filters.get("region"):
        responses = responses.filter(collectivite__region_code__in=regions)
    if statuses := filters.get("status"):
        responses = responses.filter(status__in=statuses)
    return responses


def batched(values: list, size: int) -> Iterator[list]:
    iterator = iter(values)
    while batch := list(islice(iterator, size)):
        yield batch


@dataclass
class Sheet:
    identifier: str
    title: str
    columns: list[Column]


class ListExporter:
    """Yields the rows of one or more sheets; `on_progress(done, total)` follows the work."""

    identifier = ""
    verbose_name = ""

    def __init__(
        self,
        on_progress: Callable[[int, int], None] | None = None,
        *,
        header_labels: bool = False,
    ):
        self.on_progress = on_progress or (lambda done, total: None)
        self.header_labels = header_labels

    def header(self, column: Column) -> str:
        """A column's heading: its code, or its title (`header_labels`)."""
        return column.title if self.header_labels else column.name

    def sheets(self) -> list[Sheet]:
        raise NotImplementedError

    def iterate_sheet(self, identifier: str) -> Iterator[list]:
        return getattr(self, f"iterate_{identifier}")()

    def encoded_sheet(
        self, identifier: str, encode: "Encoder", dates_as_text: str | None = None
    ) -> Iterator[list] | None:
        """The sheet's rows as lists of parts, each `encode(cells, first_column)` of consecutive
        cells (equal cells may share one encoding), when the exporter plans that sheet; None
        otherwise (the writer then reads `iterate_sheet`). With `dates_as_text`, the writer
        takes dates as ISO texts with that separator (see `response_rows.read_records`)."""
        return None


class ResponsesExporter(ListExporter):
    """The responses of an edition: Réponses, Dispositifs, Dictionnaire, Agrégats."""

    identifier = "reponses"
    verbose_name = "Réponses au questionnaire"

    def __init__(
        self,
        edition: Edition,
        *,
        labels: bool = True,
        filters: dict | None = None,
        sections: list[str] | None = None,
        questions: list[str] | None = None,
        omit: list[str] | None = None,
        header_labels: bool = False,
        batch_size: int = BATCH_SIZE,
        on_progress: Callable[[int, int], None] | None = None,
    ):
        super().__init__(on_progress, header_labels=header_labels)
        self.edition = edition
        self.layout = Layout(edition, labels, sections, questions)
        self.filters = filters or {}
        self.omit = set(omit or ())
        self.batch_size = batch_size
        self._ids: list[int] | None = None
        self._done = 0
        # Positions of the columns kept in each sheet of answers (`keep_column`), and the
        # sheets that lose some (their rows are narrowed as they stream by).
        self.kept: dict[str, list[int]] = {}
        self.narrowed: set[str] = set()
        for identifier, columns in (
            ("reponses", self.layout.response_columns),
            ("dispositifs", self.layout.roster_columns),
        ):
            self.kept[identifier] = [i for i, c in enumerate(columns) if self.keep_column(c)]
            if len(self.kept[identifier]) < len(columns):
                self.narrowed.add(identifier)

    def keep_column(self, column: Column) -> bool:
        """Whether the export writes `column`, given the column groups to leave out."""
        return not any(
            group in self.omit and column_in_group(column, group) for group in COLUMN_GROUPS
        )

    def sheets(self) -> list[Sheet]:
        def kept(identifier: str, columns: list[Column]) -> list[Column]:
            return [columns[index] for index in self.kept[identifier]]

        sheets = [Sheet("reponses", "Réponses", kept("reponses", self.layout.response_columns))]
        if self.layout.item_blocks:
            roster_columns = kept("dispositifs", self.layout.roster_columns)
            sheets.append(Sheet("dispositifs", "Dispositifs", roster_columns))
        sheets.append(Sheet("dictionnaire", "Dictionnaire", DICTIONARY_COLUMNS))
        sheets.append(Sheet("agregats", "Agrégats", AGGREGATE_COLUMNS))
        sheets.append(Sheet("representativite", "Représentativité", REPRESENTATIVENESS_COLUMNS))
        return sheets

    def iterate_sheet(self, identifier: str) -> Iterator[list]:
        rows = super().iterate_sheet(identifier)
        positions = self.kept.get(identifier)
        # Réponses comes narrowed from its plan.
        if positions is None or identifier not in self.narrowed or identifier == "reponses":
            return rows
        return ([row[index] for index in positions] for row in rows)

    @property
    def response_ids(self) -> list[int]:
        """The ids of the exported responses, in a stable order (ids only: small)."""
        if self._ids is None:
            self._ids = list(
                filter_responses(self.edition, self.filters)
                .order_by("collectivite__kind", "collectivite__code", "pk")
                .values_list("pk", flat=True)
            )
        return self._ids

    @property
    def total_work(self) -> int:
        passes = 2 if self.layout.item_blocks else 1
        return passes * len(self.response_ids)

    def _advance(self, count: int) -> None:
        self._done += count
        self.on_progress(self._done, self.total_work)

    def _responses(self, batch: list[int]) -> list[tuple]:
        rows = {
            row[0]: row
            for row in Response.objects.filter(pk__in=batch).values_list(*RESPONSE_FIELDS)
        }
        return [rows[pk] for pk in batch if pk in rows]

    def _identity(self, response: tuple) -> list:
        return self.layout.identity_cells(
            response[5], response[6], response[7], response[8], response[9], response[10],
            response[11],
        )  # fmt: skip

    def _values(self, response: tuple, answers: dict) -> dict:
        """What the conditions read for a response: its answers by code and derived variables."""
        collectivite = Collectivite(
            kind=response[5], epci_type=response[9], population=response[10],
            region_code=response[11] or "",
        )  # fmt: skip
        return values_with_derived(collectivite, answers, self.edition)

    def _by_code(self, answers: dict) -> dict:
        codes = self.layout.codes_by_id
        return {codes[pk]: value for pk, (value, _other) in answers.items() if pk in codes}

    def encoded_sheet(
        self, identifier: str, encode: Encoder, dates_as_text: str | None = None
    ) -> Iterator[list] | None:
        if identifier == "reponses":
            return self.encoded_reponses(encode, dates_as_text)
        return None

    def encoded_reponses(self, encode: Encoder, dates_as_text: str | None = None) -> Iterator[list]:
        """The Réponses rows, each as the list of its parts encoded by `encode` (a writer's
        form of consecutive cells, reused for equal answers), narrowed to the kept columns."""
        conditional = {
            block.question.pk
            for block in self.layout.top_blocks
            if block.statuses and block.conditional
        }
        # A plan per encoder: its caches hold that encoder's forms.
        plan = RowPlan(self.layout, self.kept["reponses"], conditional, encode)
        for batch in batched(self.response_ids, self.batch_size):
            records = read_records(batch, plan.keys, bool(plan.conditional), dates_as_text)
            if plan.conditional:
                for record in records:
                    yield plan.encode_row(record, self._hidden(plan, record))
            else:
                for record in records:
                    yield plan.encode_row(record, NOTHING_HIDDEN)
            self._advance(len(batch))

    def _hidden(self, plan: RowPlan, record: Record) -> set[int]:
        """The unanswered questions of `plan.conditional` that the response was not asked."""
        own = record.answers or {}
        missing = set(plan.conditional.values()) - own.keys()
        if not missing:
            return set()
        values = self._values(
            (None, None, None, None, None, record.kind, None, None, None, record.epci_type,
             record.population, record.region_code),
            self._by_code(own),
        )  # fmt: skip
        by_pk = self.layout.by_id
        return {pk for pk in missing if not is_visible(by_pk[pk], values)}

    def iterate_reponses(self) -> Iterator[list]:
        for parts in self.encoded_reponses(as_cells):
            yield [cell for part in parts for cell in part]

    def iterate_dispositifs(self) -> Iterator[list]:
        # The responses that have roster items, read once (ids only): a batch without any costs
        # no query.
        with_items = set(
            Answer.objects.filter(response__edition=self.edition, item__gt=0)
            .order_by()
            .values_list("response_id", flat=True)
            .distinct()
        )
        for batch in batched(self.response_ids, self.batch_size):
            if ids := [pk for pk in batch if pk in with_items]:
                yield from self._dispositifs(ids)
            self._advance(len(batch))

    def _dispositifs(self, batch: list[int]) -> Iterator[list]:
        """The Dispositifs rows of the responses of `batch` (ids, in the export's order)."""
        layout = self.layout
        positions = {}
        start = 0
        for block in layout.item_blocks:
            positions[block.question.pk] = (start, block)
            start += block.width
        width = start
        by_id = layout.by_id
        items: dict[tuple, list] = {}
        item_answers: dict[tuple, dict] = defaultdict(dict)
        for response_id, question_id, item, value, other_text in (
            Answer.objects.filter(response_id__in=batch, item__gt=0)
            .order_by()
            .values_list("response_id", "question_id", "item", "value", "other_text")
        ):
            question = by_id.get(question_id)
            if question is None or question.roster_id is None:
                continue
            key = (response_id, question.roster_id, item)
            cells = items.setdefault(key, [None] * width)
            offset, block = positions[question_id]
            cells[offset : offset + block.width] = block.cells((value, other_text))
            item_answers[key][question.code] = value
        keys_by_response = defaultdict(list)
        for key in items:
            keys_by_response[key[0]].append(key)
        # Only the responses with items of an exported roster are read again, in order.
        with_items = [pk for pk in batch if pk in keys_by_response]
        conditional = any(b.statuses and b.conditional for b in layout.item_blocks)
        top: dict[int, dict] = defaultdict(dict)
        if conditional:
            for response_id, question_id, value in Answer.objects.filter(
                response_id__in=with_items, item=0
            ).values_list("response_id", "question_id", "value"):
                top[response_id][question_id] = (value, "")
        for response in self._responses(with_items):
            identity = self._identity(response)
            key_cells = [identity[1], identity[2], identity[0], identity[3]]
            for key in sorted(keys_by_response[response[0]]):
                cells = items[key]
                if conditional:
                    self._mark_not_asked(response, top[response[0]], item_answers[key], key, cells)
                roster_code = layout.codes_by_id[key[1]]
                yield key_cells + [roster_code, key[2]] + cells

    def _mark_not_asked(self, response, top: dict, own: dict, key: tuple, cells: list) -> None:
        """Fill the status of the unanswered number questions that an item's conditions hid."""
        values = None
        start = 0
        for block in self.layout.item_blocks:
            question = block.question
            if (
                block.statuses
                and block.conditional
                and question.roster_id == key[1]
                and question.code not in own
            ):
                if values is None:
                    values = self._values(response, self._by_code(top) | own)
                if not is_visible(question, values):
                    cells[start : start + block.width] = block.cells(None, hidden=True)
            start += block.width

    def iterate_dictionnaire(self) -> Iterator[list]:
        questions = {q.code: q for q in self.layout.questions}
        answers = [s for s in self.sheets() if s.identifier in ("reponses", "dispositifs")]
        for sheet in answers:
            for column in sheet.columns:
                question = questions.get(column.question)
                yield [
                    sheet.title,
                    column.name,
                    column.question or None,
                    column.title,
                    TYPE_LABELS.get(column.question_type, column.role),
                    f"{column.kind} ({column.unit})" if column.unit else column.kind,
                    " ; ".join(f"{code} = {label}" for code, label in column.choices) or None,
                    question.section.title if question else None,
                    column.description or None,
                ]

    def result_filters(self) -> ResultFilters:
        """The export's filters as the results' (several codes of a filter joined by commas)."""
        return ResultFilters(
            type=",".join(self.filters.get("type_collectivite") or ()),
            tranche=",".join(self.filters.get("tranche_population") or ()),
            region=",".join(self.filters.get("region") or ()),
        )

    def iterate_agregats(self) -> Iterator[list]:
        """The figures of the results page (`compute_results`) for the export's collectivités.

        Like every figure, they count the submitted and validated responses only, whatever
        statuses the export's rows include.
        """
        exported = {q.code for q in self.layout.questions}
        results = compute_results(self.edition, self.result_filters())
        results["questions"] = [q for q in results["questions"] if q["code"] in exported]
        for row in figure_rows(results):
            row["type"] = TYPE_LABELS.get(row["type"], row["type"])
            row["figure"] = figure_label(row)
            yield [row[column.name] for column in AGGREGATE_COLUMNS]

    def iterate_representativite(self) -> Iterator[list]:
        """The respondents against the referential (the whole edition, whatever the filters),
        then each cell with its raking weight (see `exports.results.representativeness`)."""
        respondents, referential = cells(self.edition)
        data = representativeness_of(respondents, referential)
        fields = (
            "respondents", "referential", "rate", "share_respondents", "share_referential",
            "ratio", "reading",
        )  # fmt: skip
        for table in data["tables"]:
            for row in table["rows"]:
                yield [table["label"], row["code"], row["label"], *(row[f] for f in fields), None]
        raking = rake(respondents, referential)
        total_answered = sum(respondents.values())
        total = sum(referential.values())
        for cell in sorted(set(respondents) | set(referential), key=cell_order):
            answered, existing = respondents.get(cell, 0), referential.get(cell, 0)
            row = cell_row(cell, answered, existing, total_answered, total)
            weight = raking.weights.get(cell)
            yield [
                "Cellule (type × tranche × région)", ":".join(cell), row["label"],
                *(row[f] for f in fields), None if weight is None else round(weight, 6),
            ]  # fmt: skip
        for note in raking.notes:
            yield ["Pondération", None, note, *([None] * (len(fields) + 1))]


# Columns an export may leave out, by group (the form's « Colonnes »).
COLUMN_GROUPS = {
    "dates": "Dates de la réponse (commencée, envoyée, validée)",
    "precisions": "Textes « précisez » (colonnes <code>_autre)",
    "listes": "Listes des choix cochés (colonne <code> des choix multiples)",
}
RESPONSE_DATES = ("cree_le", "envoye_le", "valide_le")


def column_in_group(column: Column, group: str) -> bool:
    if group == "dates":
        return column.name in RESPONSE_DATES
    if group == "precisions":
        return column.role == "other"
    return group == "listes" and column.role == "list"


DICTIONARY_COLUMNS = [
    Column("feuille", "Feuille"),
    Column("colonne", "Colonne"),
    Column("question", "Code de la question"),
    Column("intitule", "Intitulé"),
    Column("type", "Type de question"),
    Column("format", "Type de la colonne"),
    Column("choix", "Choix (code = libellé)"),
    Column("section", "Section du questionnaire"),
    Column("remarque", "Remarque (valeurs manquantes, unité)"),
]
AGGREGATE_COLUMNS = [
    Column("question", "Code de la question"),
    Column("intitule", "Intitulé"),
    Column("type", "Type de question"),
    Column("figure", "Chiffre"),
    Column("ligne", "Ligne (matrice)"),
    Column("code", "Code (choix, élément, tranche, indicateur)"),
    Column("libelle", "Libellé"),
    Column("base", "Base", "integer"),
    Column("effectif", "Effectif", "integer"),
    Column("pourcentage", "Pourcentage de la base", "number"),
    Column("moyenne", "Moyenne", "number"),
    Column("mediane", "Médiane", "number"),
    Column("score_moyen", "Score moyen (classement)", "number"),
]

REPRESENTATIVENESS_COLUMNS = [
    Column("tableau", "Tableau"),
    Column("groupe", "Code du groupe"),
    Column("libelle", "Groupe"),
    Column("repondants", "Répondants (réponses envoyées ou validées)", "integer"),
    Column("referentiel", "Collectivités actives du référentiel", "integer"),
    Column("taux_reponse", "Taux de réponse (%)", "number"),
    Column("part_repondants", "Part parmi les répondants (%)", "number"),
    Column("part_referentiel", "Part dans le référentiel (%)", "number"),
    Column("ratio", "Ratio (sur- ou sous-représentation)", "number"),
    Column("lecture", "Lecture"),
    Column("poids", "Poids de calage de chaque répondant", "number"),
]


def as_cells(cells: list, first_column: int) -> list:
    """The identity encoder: the cells themselves."""
    return cells


EXPORTERS = {ResponsesExporter.identifier: ResponsesExporter}
