"""Every figure of `compute_results`, one row per figure: what the "Agrégats" sheet writes.

The results page, the public page (after `disclosure`), the benchmark, the API and the
"Agrégats" sheet all read the figures of `exports.results.aggregates.compute_results`; this
module only lays them flat, without computing anything of its own.
"""

from collections.abc import Iterator

from surveys.models import Question
from surveys.rules import NUMBER_STATS, TOP_RANKS

FIGURE_FIELDS = (
    "question",
    "intitule",
    "type",
    "figure",
    "ligne",
    "code",
    "libelle",
    "base",
    "effectif",
    "pourcentage",
    "moyenne",
    "mediane",
    "score_moyen",
)

# What a row counts (column « figure »).
FIGURE_LABELS = {
    "choix": "Choix",
    "cellule": "Cellule de matrice",
    "classement": "Élément classé ({top} premiers rangs)",
    "valeur": "Valeur chiffrée",
    "nsp": "Ne sait pas",
    "tranche": "Tranche de valeurs",
    "indicateur": "Indicateur",
    "texte": "Réponse renseignée",
}


def figure_label(row: dict) -> str:
    """What the row counts, in words (a ranking's names the ranks of its top)."""
    return FIGURE_LABELS[row["figure"]].format(top=row.get("top", TOP_RANKS))


def _row(question: dict, figure: str, **cells) -> dict:
    row = dict.fromkeys(FIGURE_FIELDS)
    row.update(question=question["code"], intitule=question["text"], type=question["type"])
    row["figure"] = figure
    row.update(cells)
    return row


def figure_rows(results: dict) -> Iterator[dict]:
    """The figures of `results` (as `compute_results` returns them), one dict per figure.

    After `disclosure`, a masked figure is None and a question hidden whole gives no row.
    """
    for q in results["questions"]:
        if q.get("hidden"):
            continue
        base = q.get("base", 0)
        if "choices" in q:
            for cell in q["choices"]:
                yield _row(
                    q, "choix", code=cell["code"], libelle=cell["label"], base=base,
                    effectif=cell["count"], pourcentage=cell["percent"],
                )  # fmt: skip
        elif "rows" in q:
            for row in q["rows"]:
                for cell in row["cells"]:
                    yield _row(
                        q, "cellule", ligne=row["code"], code=cell["code"],
                        libelle=f"{row['label']} — {cell['label']}", base=row["base"],
                        effectif=cell["count"], pourcentage=cell["percent"],
                    )  # fmt: skip
        elif "items" in q:
            for item in q["items"]:
                yield _row(
                    q, "classement", code=item["code"], libelle=item["label"], base=base,
                    effectif=item["top3"], pourcentage=item["top3_percent"],
                    score_moyen=item["mean_score"], top=q.get("top", TOP_RANKS),
                )  # fmt: skip
        elif "number" in q:
            number = q["number"]
            stats = number.get("stats", NUMBER_STATS)
            yield _row(
                q, "valeur", libelle="Valeur chiffrée", base=base, effectif=number["count"],
                moyenne=number["mean"] if "mean" in stats else None,
                mediane=number["median"] if "median" in stats else None,
            )  # fmt: skip
            nsp = number["nsp"]
            yield _row(q, "nsp", code="nsp", libelle="Ne sait pas", base=base, effectif=nsp)
            for bracket in number.get("brackets", ()):
                yield _row(
                    q, "tranche", code=bracket["code"], libelle=bracket["label"],
                    base=number["count"], effectif=bracket["count"],
                    pourcentage=bracket["percent"],
                )  # fmt: skip
            if indicator := q.get("indicator"):
                yield _row(
                    q, "indicateur", code=indicator["code"], libelle=indicator["label"],
                    base=indicator["count"], effectif=indicator["count"], moyenne=indicator["mean"],
                    mediane=indicator["median"],
                )  # fmt: skip
                if indicator.get("threshold") is not None:
                    yield _row(
                        q, "indicateur", code=f"{indicator['code']}_sous_seuil",
                        libelle=f"{indicator['label']} : sous {indicator['threshold']:g}",
                        base=indicator["count"], effectif=indicator["under"],
                        pourcentage=indicator["under_percent"],
                    )  # fmt: skip
        elif q["type"] != Question.Type.ROSTER:
            yield _row(q, "texte", libelle="Réponse renseignée", base=base, effectif=base)
