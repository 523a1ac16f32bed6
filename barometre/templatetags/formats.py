"""French formats for the pages: numbers with thousands separators, dates in words.

`{{ population|nombre }}` → « 12 463 067 » (narrow no-break spaces);
`{{ created_at|date_heure }}` → « 1 décembre 2026 à 20 h 55 » in Europe/Paris, from a datetime or
an ISO 8601 string (the RGPD export keeps ISO strings); `{{ day|date_jour }}` → « 1 décembre 2026 ».
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import override

register = template.Library()

PARIS = ZoneInfo("Europe/Paris")
THOUSANDS = "\u202f"
EMPTY = "—"


@register.filter
def nombre(value: int | float | Decimal | str | None) -> str:
    """A number with French thousands separators and decimal comma; "—" when there is none."""
    if value is None or value == "":
        return EMPTY
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    if number == number.to_integral_value():
        text = f"{int(number):,}"
    else:
        text = f"{number:,}"
    return text.replace(",", THOUSANDS).replace(".", ",")


def _as_datetime(value: datetime | date | str | None) -> datetime | date | None:
    if isinstance(value, str):
        try:
            # A bare date stays a date (parse_datetime would read it as midnight).
            return parse_date(value) or parse_datetime(value)
        except ValueError:
            return None
    return value


@register.filter
def date_heure(value: datetime | date | str | None) -> str:
    """« 1 décembre 2026 à 20 h 55 », in Paris time; a bare date has no time."""
    moment = _as_datetime(value)
    if moment is None:
        return EMPTY
    if not isinstance(moment, datetime):
        return date_jour(moment)
    if timezone.is_aware(moment):
        moment = moment.astimezone(PARIS)
    with override("fr"):
        return date_format(moment, "j F Y à G \\h i")


@register.filter
def date_jour(value: datetime | date | str | None) -> str:
    """« 1 décembre 2026 », the day in Paris."""
    moment = _as_datetime(value)
    if moment is None:
        return EMPTY
    if isinstance(moment, datetime) and timezone.is_aware(moment):
        moment = moment.astimezone(PARIS)
    with override("fr"):
        return date_format(moment, "j F Y")
