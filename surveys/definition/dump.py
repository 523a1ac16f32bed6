"""Exporting an edition back to its definition file, written as a person would write it.

Only non-default keys are written and shared choice lists stay referenced, so that loading an
exported file gives back the exported definition and exporting it again gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from django.conf import settings

from surveys.definition.checks import canonical
from surveys.definition.format import EDITION_KEYS, TYPES_WITH_CHOICES
from surveys.definition.sync import QUESTION_FIELDS, strip
from surveys.models import Edition, Question


def _decimals(value: Any) -> Any:
    """Stored rules with their numbers as the checker gives them (canonical Decimals)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return canonical(Decimal(str(value)))
    if isinstance(value, dict):
        return {key: _decimals(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decimals(item) for item in value]
    return value


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
                data[field] = canonical(Decimal(data[field]))
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
        "rules": _decimals(edition.rules or {}),
        "opendata": {"questions": list(edition.opendata_questions)},
    }
    drop_stale_sources(definition)
    return definition


def drop_stale_sources(definition: dict) -> None:
    """Write out the choices of a question edited since import instead of a wrong reference
    (its choices no longer those of its shared list or source question)."""
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
            strip(choice) for choice in origin or [] if choice["code"] not in source["except"]
        ]
        if not origin or expected != [strip(choice) for choice in question["choices"]]:
            question["choices_source"] = {}


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
    rules = _rules_out(definition.get("rules") or {})
    if rules:
        document["rules"] = rules
    if definition["opendata"]["questions"]:
        document["opendata"] = {"questions": _Flow(definition["opendata"]["questions"])}
    header = (
        "# Définition d'une édition du Baromètre (format : editions/README.md).\n"
        f"# Import : python manage.py import_edition <fichier> ; "
        f"export : python manage.py export_edition {edition['year']}\n"
    )
    body = yaml.dump(
        document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000, indent=2
    )
    return header + body


def _rules_out(rules: dict) -> dict:
    """The rules in the order of editions/README.md, brackets and mappings one per line."""
    out: dict[str, Any] = {}
    if rules.get("indicators"):
        out["indicators"] = [dict(item) for item in rules["indicators"]]
    if rules.get("brackets"):
        out["brackets"] = {
            code: [_FlowMapping(item) for item in items]
            for code, items in rules["brackets"].items()
        }
    if rules.get("warnings"):
        out["warnings"] = [dict(item) for item in rules["warnings"]]
    trends = {key: value for key, value in (rules.get("trends") or {}).items() if value}
    if trends:
        # Every key the checker reads (`rules_checks.TRENDS_KEYS`): a verdict on a series break
        # written by the editor must survive the dump it is checked through.
        out["trends"] = {}
        if "scale_mapping" in trends:
            out["trends"]["scale_mapping"] = _FlowMapping(trends["scale_mapping"])
        if "breaks" in trends:
            out["trends"]["breaks"] = dict(trends["breaks"])
    if rules.get("rounding"):
        out["rounding"] = _FlowMapping(rules["rounding"])
    if rules.get("reporting"):
        out["reporting"] = {code: _FlowMapping(item) for code, item in rules["reporting"].items()}
    return out


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
    if question["type"] in TYPES_WITH_CHOICES | {"matrix"}:
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
