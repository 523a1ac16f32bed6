"""What each chart draws, derived from the figures (the template draws the same data as a table)."""

SCALE_COLOURS = ["#1b5e20", "#66bb6a", "#ffb74d", "#e65100", "#9e9e9e", "#5c6bc0", "#8d6e63"]
BAR_COLOUR = "#2f5d8a"


def question_chart(question: dict) -> dict | None:
    """A small, library-neutral description of the chart of one question's figures."""
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
                    "label": "% dans le top 3",
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
    return {
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
