from django import template

from surveys.models_backoffice import ResponseComment

register = template.Library()


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
