"""Importing a definition: the database edition is made to match it, matched by code.

Only what differs is saved, so that re-importing an unchanged file changes nothing, and the
changes that answers already given forbid are refused before anything is written.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models import QuerySet

from surveys.compiled import muted_signals, touch_edition
from surveys.definition.evolution import check_definition_change
from surveys.definition.format import CHOICE_KEYS
from surveys.hooks import definition_changed
from surveys.models import Choice, Edition, MatrixRow, Question, Section

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
    (`surveys.protection.ProtectedChangeError`) and the transaction leaves it untouched.
    """
    with transaction.atomic():
        header = definition["edition"]
        edition = Edition.objects.select_for_update().filter(year=header["year"]).first()
        existed = edition is not None
        if edition is not None:
            check_definition_change(edition, definition)
        sync = _Sync()
        # One change of the edition's stamp for the whole import (surveys.compiled).
        with muted_signals():
            edition = sync.edition(
                edition, header, definition["lists"], definition.get("rules", {})
            )
            sync.sections(edition, definition["sections"])
            sync.save(edition, {"opendata_questions": definition["opendata"]["questions"]})
        if sync.changed:
            touch_edition(edition)
        if sync.changed and existed:
            changed = edition
            transaction.on_commit(lambda: definition_changed.send(sender=Edition, edition=changed))
    return edition, sync.changed


class _Sync:
    def __init__(self) -> None:
        self.changed = False

    def save(self, instance: models.Model, values: dict) -> None:
        if instance.pk is not None and all(
            _same(getattr(instance, field), value) for field, value in values.items()
        ):
            return
        for field, value in values.items():
            setattr(instance, field, value)
        instance.save()
        self.changed = True

    def delete(self, queryset: QuerySet[Any]) -> None:
        if queryset.exists():
            queryset.delete()
            self.changed = True

    def delete_missing(
        self, model: type[Choice | MatrixRow], existing: list, wanted: list[dict]
    ) -> None:
        codes = {item["code"] for item in wanted}
        obsolete = [instance.pk for instance in existing if instance.code not in codes]
        if obsolete:
            model.objects.filter(pk__in=obsolete).delete()
            self.changed = True

    def edition(self, edition: Edition | None, header: dict, lists: list, rules: dict) -> Edition:
        edition = edition or Edition(year=header["year"])
        values = {
            "title": header["title"],
            "introduction": header["introduction"],
            "opens_at": header["opens_at"],
            "closes_at": header["closes_at"],
            "choice_lists": [
                {"name": item["name"], "choices": [strip(choice) for choice in item["choices"]]}
                for item in lists
            ],
            "rules": json_numbers(rules),
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

    def question(
        self,
        edition: Edition,
        section: Section,
        roster: Question | None,
        existing: dict[str, Question],
        data: dict[str, Any],
        order: int,
    ) -> Question:
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


def strip(choice: dict) -> dict:
    return {key: choice[key] for key in CHOICE_KEYS}


def json_numbers(value: Any) -> Any:
    """The checked definition's Decimals as JSON numbers (10000, 0.1), for a JSONField."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral() else float(value)
    if isinstance(value, dict):
        return {key: json_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_numbers(item) for item in value]
    return value
