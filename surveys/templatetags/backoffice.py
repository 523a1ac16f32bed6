from django import template

from surveys.models_backoffice import EDITION_STATUS_LABELS

register = template.Library()


@register.filter
def edition_status(status: str) -> str:
    """The French label of an edition status (Django's catalogue turns "Close" into "Fermer")."""
    return EDITION_STATUS_LABELS.get(status, status)
