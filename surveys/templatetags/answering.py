from django import template
from django.urls import reverse

from surveys.hooks import agent_corrections as corrections
from surveys.hooks import agent_notices as notices

register = template.Library()


@register.simple_tag
def agent_notices(response) -> list:
    """What the layers above want the agent to read about the response: the open flags, each
    with its `question` (None for the whole response), `body` and `replies`."""
    if response is None or not getattr(response, "pk", None):
        return []
    return notices.collect(response)


@register.simple_tag
def agent_corrections(response) -> list:
    """The staff's corrections of the response's answers, each with its reason."""
    if response is None or not getattr(response, "pk", None):
        return []
    return corrections.collect(response)


@register.filter
def left_out_for(left_out: dict | None, code: str) -> object:
    """Last edition's answer to the question `code` left out of the prefill, or None."""
    return (left_out or {}).get(code)


@register.simple_tag
def thread_url(response, thread) -> str:
    """Where the agent reads a flag and replies: next to its question on the section page (or
    its answers once sent), else the flag's own page."""
    year = response.edition.year
    question = getattr(thread, "question", None)
    if question is None:
        url = reverse("answering:thread", args=[year, thread.pk])
        return f"{url}#echange-{thread.pk}"
    if response.status == "draft":
        url = reverse("answering:section", args=[year, question.section.code])
    else:
        url = reverse("answering:answers", args=[year])
    return f"{url}#echange-{thread.pk}"
