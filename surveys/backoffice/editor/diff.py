"""What changed in an edition since the previous one, question by question, matched by code.

Computed on the two plain definitions (`export_definition`), so it sees what a reader of the
files would see. A question reworded, or whose choices, rows or scale changed, may no longer be
comparable with last year: staff say so in `rules.trends.breaks` (`comparable` or
`not_comparable`), which the trends read; until they do, the break is "à confirmer".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from surveys.backoffice.editor.draft import all_questions, change_definition
from surveys.definition import export_definition
from surveys.models import Edition
from surveys.rules import COMPARABLE, NOT_COMPARABLE

VERDICTS = {COMPARABLE: "Comparable", NOT_COMPARABLE: "Non comparable"}
TYPE_LABELS = {
    "single": "choix unique",
    "multiple": "choix multiple",
    "matrix": "matrice",
    "ranking": "classement",
    "integer": "nombre entier",
    "decimal": "nombre décimal",
    "money": "montant",
    "text": "texte court",
    "longtext": "texte long",
    "roster": "liste répétable",
}


@dataclass
class Change:
    """One difference of a question, said in French; `breaks` if it may break the series."""

    what: str
    breaks: bool = False
    before: str = ""
    after: str = ""


@dataclass
class QuestionDiff:
    code: str
    text: str
    status: str  # "added", "removed" or "changed"
    changes: list[Change] = field(default_factory=list)
    verdict: str = ""  # comparable, not_comparable, or "" while unconfirmed

    @property
    def possible_break(self) -> bool:
        return self.status == "changed" and any(change.breaks for change in self.changes)

    @property
    def verdict_label(self) -> str:
        return VERDICTS.get(self.verdict, "À confirmer")


@dataclass
class EditionDiff:
    edition: Edition
    previous: Edition | None
    questions: list[QuestionDiff] = field(default_factory=list)

    def with_status(self, status: str) -> list[QuestionDiff]:
        return [question for question in self.questions if question.status == status]

    @property
    def added(self) -> list[QuestionDiff]:
        return self.with_status("added")

    @property
    def removed(self) -> list[QuestionDiff]:
        return self.with_status("removed")

    @property
    def changed(self) -> list[QuestionDiff]:
        return self.with_status("changed")

    @property
    def breaks(self) -> list[QuestionDiff]:
        return [question for question in self.questions if question.possible_break]

    @property
    def other_changes(self) -> list[QuestionDiff]:
        return [q for q in self.questions if q.status == "changed" and not q.possible_break]

    @property
    def unconfirmed(self) -> list[QuestionDiff]:
        return [question for question in self.breaks if not question.verdict]


def previous_edition(edition: Edition) -> Edition | None:
    """The latest edition before this one, whatever its status."""
    return Edition.objects.filter(year__lt=edition.year).order_by("-year").first()


# How each kind of item is named: singular, plural, and the participles' feminine ending.
CHOICE, STEP, ROW = ("Choix", "Choix", ""), ("Échelon", "Échelons", ""), ("Ligne", "Lignes", "e")


def _items_changes(
    old: list[dict], new: list[dict], noun: tuple[str, str, str], mapping: dict[str, str]
) -> list[Change]:
    """Items (choices or rows) added, removed or relabelled, matched by code; an old code the
    edition's `scale_mapping` counts as a current one is said, not a break."""
    singular, plural, e = noun
    before = {item["code"]: item["label"] for item in old}
    after = {item["code"]: item["label"] for item in new}
    mapped = {
        old_code: mapping[old_code]
        for old_code in before
        if old_code not in after and mapping.get(old_code) in after
    }
    changes = []
    for code, label in after.items():
        if code not in before and code not in mapped.values():
            changes.append(Change(f"{singular} ajouté{e} : « {label} » ({code})", breaks=True))
        elif code in before and before[code].strip() != label.strip():
            changes.append(
                Change(
                    f"{singular} reformulé{e} ({code})",
                    breaks=True,
                    before=before[code],
                    after=label,
                )
            )
    for code, label in before.items():
        if code in mapped:
            changes.append(
                Change(
                    f"{singular} « {label} » ({code}) compté{e} comme "
                    f"« {after[mapped[code]]} » ({mapped[code]}) dans les tendances"
                )
            )
        elif code not in after:
            changes.append(Change(f"{singular} retiré{e} : « {label} » ({code})", breaks=True))
    if not changes and list(before) != list(after):
        changes.append(Change(f"{plural} dans un autre ordre"))
    return changes


def question_changes(old: dict, new: dict, mapping: dict[str, str] | None = None) -> list[Change]:
    """The differences between two versions of a question with the same code."""
    mapping = mapping or {}
    changes = []
    if old["text"].strip() != new["text"].strip():
        changes.append(
            Change("Intitulé reformulé", breaks=True, before=old["text"], after=new["text"])
        )
    if old["type"] != new["type"]:
        changes.append(
            Change(
                "Type changé",
                breaks=True,
                before=TYPE_LABELS.get(old["type"], old["type"]),
                after=TYPE_LABELS.get(new["type"], new["type"]),
            )
        )
    if new["type"] == "matrix" and old["type"] == "matrix":
        scale = _items_changes(old["choices"], new["choices"], STEP, mapping)
        if scale:
            changes.append(Change("Échelle modifiée", breaks=any(c.breaks for c in scale)))
            changes.extend(scale)
    else:
        changes.extend(_items_changes(old["choices"], new["choices"], CHOICE, mapping))
    changes.extend(_items_changes(old["rows"], new["rows"], ROW, {}))
    if old.get("rank_count") != new.get("rank_count"):
        changes.append(
            Change(
                "Nombre de rangs à classer changé",
                before=str(old.get("rank_count") or "tous"),
                after=str(new.get("rank_count") or "tous"),
            )
        )
    for key, label in (("min_value", "Minimum"), ("max_value", "Maximum"), ("step", "Pas")):
        if old.get(key) != new.get(key):
            changes.append(
                Change(
                    f"{label} changé",
                    before=_bound(old.get(key)),
                    after=_bound(new.get(key)),
                )
            )
    if (old.get("condition") or "") != (new.get("condition") or ""):
        changes.append(
            Change(
                "Condition d'affichage changée",
                before=old.get("condition") or "toujours posée",
                after=new.get("condition") or "toujours posée",
            )
        )
    if (old.get("help_text") or "").strip() != (new.get("help_text") or "").strip():
        changes.append(Change("Aide modifiée", before=old["help_text"], after=new["help_text"]))
    return changes


def _bound(value) -> str:
    return "aucun" if value is None else str(value).replace(".", ",")


def diff_definitions(old: dict, new: dict) -> list[QuestionDiff]:
    """Questions added, removed and changed from `old` to `new`, in the new edition's order
    (the removed ones last, in the old edition's order)."""
    before = {question["code"]: question for question in all_questions(old)}
    after = {question["code"]: question for question in all_questions(new)}
    trends = (new.get("rules") or {}).get("trends") or {}
    breaks, mapping = trends.get("breaks") or {}, trends.get("scale_mapping") or {}
    result = []
    for code, question in after.items():
        if code not in before:
            result.append(QuestionDiff(code, question["text"], "added"))
            continue
        changes = question_changes(before[code], question, mapping)
        if changes:
            result.append(
                QuestionDiff(code, question["text"], "changed", changes, breaks.get(code, ""))
            )
    result.extend(
        QuestionDiff(code, question["text"], "removed")
        for code, question in before.items()
        if code not in after
    )
    return result


def edition_diff(edition: Edition) -> EditionDiff:
    previous = previous_edition(edition)
    if previous is None:
        return EditionDiff(edition, None)
    return EditionDiff(
        edition,
        previous,
        diff_definitions(export_definition(previous), export_definition(edition)),
    )


def unconfirmed_breaks(edition: Edition) -> list[QuestionDiff]:
    """The possible series breaks staff have not judged yet (for a warning elsewhere)."""
    return edition_diff(edition).unconfirmed


def set_breaks(edition: Edition, verdicts: dict[str, str], seen: str | None = None) -> Edition:
    """Write staff's verdicts {question code: comparable | not_comparable | ""} into
    `rules.trends.breaks` ("" forgets a verdict); other codes' verdicts are kept."""
    return change_definition(edition, _breaks_change(verdicts), seen=seen)


def _breaks_change(verdicts: dict[str, str]) -> Callable[[dict], None]:
    def change(definition: dict) -> None:
        rules = definition.setdefault("rules", {})
        trends = rules.setdefault("trends", {})
        breaks = dict(trends.get("breaks") or {})
        for code, verdict in verdicts.items():
            if verdict:
                breaks[code] = verdict
            else:
                breaks.pop(code, None)
        if breaks:
            trends["breaks"] = breaks
        else:
            trends.pop("breaks", None)
        if not trends:
            rules.pop("trends", None)

    return change
