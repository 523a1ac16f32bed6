from django import template
from django.template import engines
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

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


@register.simple_tag(takes_context=True)
def question_widget(context, w: dict) -> SafeString:
    """One question's label, help and inputs (`w`: `surveys.filling.forms.widget_context`).

    Rendered by Jinja2 (`jinja_templates/surveys/widgets/question.html`): a section page holds
    about 70 of them, and this one template was two thirds of the page's rendering in the Django
    template language. Autoescaped like the pages. What the page's context adds is last
    edition's answer left out of the prefill (`prefill_left_out`, `prefill_year`), never shown
    in a roster's item.
    """
    left_out = context.get("prefill_left_out")
    note = left_out.get(w["question"].code) if left_out and not w.get("item") else None
    html = _question_template().render(
        {"w": w, "note": note, "prefill_year": context.get("prefill_year")}
    )
    return mark_safe(html)  # noqa: S308 - Jinja2 escaped every value (autoescape)


def _question_template():
    # The engine caches the compiled template (and, with DEBUG, reloads it when edited).
    return engines["jinja2"].get_template("surveys/widgets/question.html")


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
