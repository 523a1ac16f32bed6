from django import template

from surveys.hooks import agent_notices as notices

register = template.Library()


@register.simple_tag
def agent_notices(response) -> list:
    """What the layers above want the agent to read about the response (e.g. staff flags)."""
    if response is None or not getattr(response, "pk", None):
        return []
    return notices.collect(response)
