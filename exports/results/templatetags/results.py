"""What the results templates ask of the figures beyond their values."""

from django import template

from surveys.rules import NUMBER_STATS

register = template.Library()


@register.filter
def reports(number: dict | None, stat: str) -> bool:
    """Whether a number question's figures give `stat` (`mean`, `median`), as the edition's
    `rules.reporting` says; figures published before it existed gave every statistic."""
    return stat in ((number or {}).get("stats") or NUMBER_STATS)
