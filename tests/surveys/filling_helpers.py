"""Helpers for the filling tests: POST data as a browser sends it, and saved answers."""

from django.http import QueryDict

from respondents.access import SESSION_KEY
from respondents.models import Contact, Invitation
from surveys import filling
from surveys.filling.forms import SectionForm
from surveys.models import Answer, Question, Section


def form_data(fields: dict | None = None, **more) -> QueryDict:
    """A QueryDict as a browser posts it; list values become repeated keys."""
    data = QueryDict(mutable=True)
    for name, value in {**(fields or {}), **more}.items():
        if isinstance(value, list | tuple):
            data.setlist(name, [str(v) for v in value])
        else:
            data[name] = str(value)
    return data


def section(response, code: str) -> Section:
    return response.edition.sections.get(code=code)


def bound_form(response, code: str, fields: dict | None = None, **more) -> SectionForm:
    return SectionForm(response, section(response, code), form_data(fields, **more))


def save(response, code: str, fields: dict | None = None, **more) -> SectionForm:
    """Save a section page at the response's current version; returns the bound form."""
    form = bound_form(response, code, fields, **more)
    filling.save_section(response, form, response.version)
    return form


def stored(response, code: str, item: int = 0):
    answer = Answer.objects.filter(response=response, question__code=code, item=item).first()
    return None if answer is None else answer.value


def stored_answer(response, code: str, item: int = 0) -> Answer | None:
    return Answer.objects.filter(response=response, question__code=code, item=item).first()


def question(response, code: str) -> Question:
    return Question.objects.get(edition=response.edition, code=code)


def invite(edition, collectivite, email: str = "") -> Invitation:
    """A contact of the collectivité invited to the edition."""
    contact, _ = Contact.objects.get_or_create(
        collectivite=collectivite,
        email=email or f"agent@{collectivite.code}.test",
        defaults={"first_name": "Agent", "last_name": collectivite.name},
    )
    return Invitation.objects.create(
        edition=edition,
        collectivite=collectivite,
        contact=contact,
    )


def enter(client, edition, collectivite, email: str = "") -> Invitation:
    """Give the test client a respondent session, as `open_respondent_session` does."""
    invitation = invite(edition, collectivite, email)
    session = client.session
    access = dict(session.get(SESSION_KEY, {}))
    access[str(edition.pk)] = {
        "collectivite": collectivite.pk,
        "contact": invitation.contact_id,
        "invitation": invitation.pk,
    }
    session[SESSION_KEY] = access
    session.save()
    return invitation
