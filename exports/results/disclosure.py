"""Small-cell suppression for figures shown outside the team (public page, benchmarks).

No collectivité may be singled out: a question or a group answered by fewer than
`MIN_RESPONDENTS` is hidden whole; inside it, a count between 1 and `MIN_RESPONDENTS - 1` is
hidden, and so is its complement when it could be worked out from the base (a choice nearly
everyone made, or the last visible cell of an exclusive distribution). A cell hidden for its
complement's sake says so (`"complement": True`): its own count may well be large.
"""

import copy

MIN_RESPONDENTS = 5


def _small(count: int | None) -> bool:
    return count is not None and 0 < count < MIN_RESPONDENTS


def _hide(cell: dict, *fields: str, complement: bool = False) -> None:
    for field in fields:
        cell[field] = None
    cell["suppressed"] = True
    if complement:
        cell["complement"] = True


def _suppress_exclusive(cells: list[dict]) -> None:
    """Cells of a single choice or matrix row: they add up to the base."""
    hidden = [c for c in cells if _small(c["count"])]
    for cell in hidden:
        _hide(cell, "count", "percent")
    if len(hidden) == 1:
        # One hidden cell would be the base minus the others: hide the next smallest as well.
        visible = sorted(
            (c for c in cells if c["count"] and not c.get("suppressed")), key=lambda c: c["count"]
        )
        if visible:
            _hide(visible[0], "count", "percent", complement=True)


def _suppress_independent(cells: list[dict], base: int) -> None:
    """Cells of a multiple choice: each is a yes/no split of the base."""
    for cell in cells:
        if _small(cell["count"]):
            _hide(cell, "count", "percent")
        elif _small(base - (cell["count"] or 0)):
            _hide(cell, "count", "percent", complement=True)


def suppress_question(figures: dict) -> dict:
    """A copy of one question's (or one group's) figures safe to show to anyone."""
    safe = copy.deepcopy(figures)
    base = safe.get("base", 0)
    if base < MIN_RESPONDENTS:
        kept = {
            k: safe[k]
            for k in (
                "code",
                "text",
                "type",
                "kind",
                "section",
                "unit",
                "roster",
                "label",
                "respondents",
            )
            if k in safe
        }
        return {**kept, "base": None, "hidden": True}
    if "choices" in safe:
        if safe["type"] == "multiple":
            _suppress_independent(safe["choices"], base)
        else:
            _suppress_exclusive(safe["choices"])
    for row in safe.get("rows", []):
        if row["base"] < MIN_RESPONDENTS:
            row["hidden"] = True
            for cell in row["cells"]:
                _hide(cell, "count", "percent")
        else:
            _suppress_exclusive(row["cells"])
    for item in safe.get("items", []):
        if _small(item["top3"]):
            _hide(item, "top3", "top3_percent")
        elif _small(base - item["top3"]):
            _hide(item, "top3", "top3_percent", complement=True)
    number = safe.get("number")
    if number:
        if number["count"] < MIN_RESPONDENTS:
            _hide(number, "mean", "median")
        number["nsp"] = None if _small(number["nsp"]) else number["nsp"]
        for bracket in number.get("brackets", []):
            if _small(bracket["count"]):
                _hide(bracket, "count", "percent")
    per = safe.get("indicator")
    if per:
        if per["count"] < MIN_RESPONDENTS:
            _hide(per, "mean", "median", "under", "under_percent")
        elif _small(per["under"]):
            _hide(per, "under", "under_percent")
        elif _small(per["count"] - per["under"]):
            _hide(per, "under", "under_percent", complement=True)
    return safe


def suppress_results(results: dict) -> dict:
    """Public figures: open questions dropped, every small cell hidden."""
    public = {k: v for k, v in results.items() if k != "questions"}
    public["filters"] = {}
    public["questions"] = [
        suppress_question(q) for q in results["questions"] if q["kind"] != "text"
    ]
    return public


def suppress_breakdown(breakdown: dict) -> dict:
    safe = {k: v for k, v in breakdown.items() if k != "groups"}
    kind = {k: breakdown["question"][k] for k in ("type", "kind")}
    safe["groups"] = []
    for group in breakdown["groups"]:
        shown = suppress_question({**kind, **group})
        if group["respondents"] < MIN_RESPONDENTS:
            shown["respondents"] = None
        safe["groups"].append(shown)
    return safe
