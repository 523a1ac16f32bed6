"""How staff pages name a collectivité's kind: the survey's word, the EPCI form in small print."""

from django import template
from django.utils.html import format_html

from respondents import classification

register = template.Library()


@register.simple_tag
def type_collectivite(collectivite) -> str:
    """« Intercommunalité <small>CA</small> » — the word the survey uses, then the legal form.

    Takes a collectivité (or anything with `kind` and `epci_type`).
    """
    kind, epci_type = collectivite.kind, getattr(collectivite, "epci_type", "") or ""
    label = classification.type_label(kind, epci_type)
    form = classification.epci_form(kind, epci_type)
    if form is None or form[0] == label:
        return format_html("{}", label)
    short, long = form
    if short == long:
        return format_html('{} <small class="text-body-secondary">{}</small>', label, short)
    return format_html(
        '{} <small class="text-body-secondary"><abbr title="{}">{}</abbr></small>',
        label,
        long,
        short,
    )
