"""The trends as a table, one row per figure: every respondent's, then each step's constant panel,
with their bases (what the trends page shows, for a spreadsheet)."""

from collections.abc import Iterator

from exports.services.exporters import ListExporter, Sheet
from exports.services.layout import Column

ALL_RESPONDENTS = "Tous les répondants"
PANEL = "Panel constant"

TREND_COLUMNS = [
    Column("question", "Code de la question"),
    Column("intitule", "Intitulé"),
    Column("serie", "Code de la série (choix, ligne:choix, élément, moyenne, médiane)"),
    Column("libelle", "Libellé"),
    Column("lecture", "Lecture (tous les répondants ou panel constant)"),
    Column("etape", "Étape du panel (édition de départ → d'arrivée)"),
    Column("annee", "Édition", "integer"),
    Column("base", "Base : collectivités ayant répondu à la question", "integer"),
    Column("panel", "Collectivités du panel (ayant répondu aux deux éditions)", "integer"),
    Column("valeur", "Valeur", "number"),
    Column("unite", "Unité"),
    Column("masque", "Masqué (moins de 5 répondants, ou son complément)"),
]


class TrendsExporter(ListExporter):
    """The rows of `exports.results.trends.get_trends(edition, panel=True)`."""

    identifier = "tendances"
    verbose_name = "Tendances entre éditions"

    def __init__(self, trends: dict, **kwargs):
        super().__init__(**kwargs)
        self.trends = trends

    def sheets(self) -> list[Sheet]:
        return [Sheet("tendances", "Tendances", TREND_COLUMNS)]

    def iterate_tendances(self) -> Iterator[list]:
        for trend in self.trends["questions"]:
            head = [trend["code"], trend["text"]]
            unit = trend["unit"] or None
            for series in trend["series"]:
                for year, base, value in zip(
                    trend["years"], trend["bases"], series["values"], strict=True
                ):
                    yield [
                        *head, series["code"], series["label"], ALL_RESPONDENTS, None, year,
                        base, None, value, unit, "non",
                    ]  # fmt: skip
            for step in trend.get("panel", []):
                label = " → ".join(str(year) for year in step["years"])
                for series in step["series"]:
                    for year, base, cell in zip(
                        step["years"], step["bases"], series["cells"], strict=True
                    ):
                        yield [
                            *head, series["code"], series["label"], PANEL, label, year, base,
                            step["panel"], cell["value"], unit, "oui" if cell["masked"] else "non",
                        ]  # fmt: skip
