"""What each chart draws, derived from the figures (the template draws the same data as a table).

A chart says its value axis (`axis`, with its unit) and its size class (`size`), so that the
page reserves its box before any script runs and the files of the download carry the same words.
"""

from surveys.rules import TOP_RANKS

SCALE_COLOURS = ["#1b5e20", "#66bb6a", "#ffb74d", "#e65100", "#9e9e9e", "#5c6bc0", "#8d6e63"]
BAR_COLOUR = "#2f5d8a"


# The answer's unit by question type: a money answer is in euros, other numbers carry theirs in
# the question's wording (an indicator's unit comes from the edition's rules).
TYPE_UNITS = {"money": "€"}


def value_unit(question: dict) -> str:
    """The unit of one number question's answers ("€" for money, else none)."""
    return TYPE_UNITS.get(question.get("type", ""), "")


def _sized(chart: dict) -> dict:
    """The box the chart takes, one of four heights (CSS `.results-chart--<size>`)."""
    rows = len(chart["labels"])
    height = max(220, rows * (34 if chart.get("stacked") else 28) + 80)
    chart["size"] = next(
        (name for name, limit in (("s", 220), ("m", 360), ("l", 520)) if height <= limit), "xl"
    )
    chart["axis"] = f"{chart['datasets'][0]['label'] if len(chart['datasets']) == 1 else 'Part'}"
    if chart["unit"] and not chart["axis"].startswith(chart["unit"]):
        chart["axis"] = f"{chart['axis']} ({chart['unit']})"
    return chart


def question_chart(question: dict) -> dict | None:
    """A small, library-neutral description of the chart of one question's figures."""
    chart = _question_chart(question)
    return _sized(chart) if chart and chart["labels"] and chart["datasets"] else None


def _question_chart(question: dict) -> dict | None:
    if question.get("hidden"):
        return None
    kind = question["kind"]
    if kind == "choices":
        return {
            "type": "bar",
            "unit": "%",
            "labels": [c["label"] for c in question["choices"]],
            "datasets": [
                {
                    "label": "% des répondants",
                    "data": [c["percent"] for c in question["choices"]],
                    "color": BAR_COLOUR,
                }
            ],
        }
    if kind == "matrix":
        scale = (
            [(c["code"], c["label"]) for c in question["rows"][0]["cells"]]
            if question["rows"]
            else []
        )
        return {
            "type": "bar",
            "unit": "%",
            "stacked": True,
            "labels": [row["label"] for row in question["rows"]],
            "datasets": [
                {
                    "label": label,
                    "data": [row["cells"][i]["percent"] for row in question["rows"]],
                    "color": SCALE_COLOURS[i % len(SCALE_COLOURS)],
                }
                for i, (_code, label) in enumerate(scale)
            ],
        }
    if kind == "ranking":
        return {
            "type": "bar",
            "unit": "%",
            "labels": [i["label"] for i in question["items"]],
            "datasets": [
                {
                    "label": f"% dans le top {question.get('top', TOP_RANKS)}",
                    "data": [i["top3_percent"] for i in question["items"]],
                    "color": BAR_COLOUR,
                }
            ],
        }
    if kind == "number" and question["number"].get("brackets"):
        brackets = question["number"]["brackets"]
        return {
            "type": "bar",
            "unit": "%",
            "labels": [b["label"] for b in brackets],
            "datasets": [
                {
                    "label": "% des réponses chiffrées",
                    "data": [b["percent"] for b in brackets],
                    "color": BAR_COLOUR,
                }
            ],
        }
    return None


def breakdown_chart(breakdown: dict) -> dict | None:
    chart = _breakdown_chart(breakdown)
    return _sized(chart) if chart and chart["labels"] and chart["datasets"] else None


def _breakdown_chart(breakdown: dict) -> dict | None:
    question = breakdown["question"]
    groups = [g for g in breakdown["groups"] if not g.get("hidden")]
    if not groups or question["kind"] not in ("choices", "ranking"):
        return None
    key, value = (
        ("choices", "percent") if question["kind"] == "choices" else ("items", "top3_percent")
    )
    options = groups[0][key]
    return {
        "type": "bar",
        "unit": "%",
        "labels": [g["label"] for g in groups],
        "datasets": [
            {
                "label": option["label"],
                "data": [g[key][i][value] for g in groups],
                "color": SCALE_COLOURS[i % len(SCALE_COLOURS)],
            }
            for i, option in enumerate(options)
        ],
    }


def trend_chart(trend: dict) -> dict:
    return _sized(
        {
            "type": "bar",
            "unit": trend["unit"],
            "labels": [s["label"] for s in trend["series"]],
            "datasets": [
                {
                    "label": str(year),
                    "data": [s["values"][i] for s in trend["series"]],
                    "color": SCALE_COLOURS[i % len(SCALE_COLOURS)],
                }
                for i, year in enumerate(trend["years"])
            ],
        }
    )
