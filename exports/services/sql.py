"""Vendor-specific SQL for reading JSON answers, behind one small interface.

Answers keep lists (multiple choice) and objects (matrix, ranking) in a JSON column; grouping
queries need them unnested into rows. PostgreSQL (jsonb) and SQLite (JSON1) spell it differently.
"""

from django.db import connection

SUPPORTED_VENDORS = ("postgresql", "sqlite")


def _vendor(vendor: str | None) -> str:
    vendor = vendor or connection.vendor
    if vendor not in SUPPORTED_VENDORS:
        raise NotImplementedError(f"Agrégats non disponibles pour la base « {vendor} ».")
    return vendor


def json_unnest(source: str, kind: str, vendor: str | None = None) -> str:
    """A FROM-clause item unnesting the JSON in `source` as rows `e`.

    kind "array": one row per element, its text in `e.value`; kind "object": one row per
    member, `e.key` and `e.value` (text, or a number SQLite keeps as such). `source` is a column
    expression of a preceding FROM item (the function is implicitly lateral on both vendors).
    """
    vendor = _vendor(vendor)
    if kind not in ("array", "object"):
        raise ValueError(kind)
    if vendor == "postgresql":
        if kind == "array":
            return f"jsonb_array_elements_text({source}) AS e(value)"
        return f"jsonb_each_text({source}) AS e(key, value)"
    return f"json_each({source}) AS e"


def json_scalar_text(source: str, vendor: str | None = None) -> str:
    """An expression giving the text of a JSON string scalar (a single-choice code)."""
    vendor = _vendor(vendor)
    if vendor == "postgresql":
        return f"({source} #>> '{{}}')"
    return f"json_extract({source}, '$')"
