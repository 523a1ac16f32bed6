from django import template

from surveys.models_backoffice import EDITION_STATUS_LABELS, ResponseComment

register = template.Library()


@register.filter
def edition_status(status: str) -> str:
    """The French label of an edition status (Django's catalogue turns "Close" into "Fermer")."""
    return EDITION_STATUS_LABELS.get(status, status)


@register.simple_tag
def open_flags(response) -> list:
    """The inconsistencies staff flagged on a response and not yet lifted (agents see them)."""
    if response is None or not getattr(response, "pk", None):
        return []
    return list(
        ResponseComment.objects.filter(
            response=response, kind=ResponseComment.Kind.FLAG, resolved_at__isnull=True
        ).order_by("created_at", "pk")
    )
