"""The conversation on a response, agent side: the staff's flags next to their question, the
reply form, the overview's list and the corrections with their reason; only on the agent's own
response."""

import importlib
import re

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from respondents.models import Collectivite
from surveys import filling
from surveys.backoffice import conversation, review
from surveys.backoffice.models import AnswerAudit, ConversationMessage, ResponseComment
from surveys.models import Response
from tests.surveys.factories import build_edition
from tests.surveys.filling_helpers import bound_form, enter, save

YEAR = 2030


@pytest.fixture
def edition(db):
    return build_edition(YEAR)


@pytest.fixture
def agent(client, edition, rennes):
    enter(client, edition, rennes)
    return client


@pytest.fixture
def draft(agent, edition, rennes):
    response = filling.response_for(edition, rennes)
    save(response, "moyens", nb_reunions="12")
    return response


def url(name, *args):
    return reverse(name, args=[YEAR, *args])


def submit(response: Response) -> None:
    Response.objects.filter(pk=response.pk).update(
        status=Response.Status.SUBMITTED, submitted_at=timezone.now()
    )
    response.refresh_from_db()


def test_the_flag_shows_next_to_its_question_with_a_reply_form(agent, alice, draft):
    thread = conversation.flag(draft, alice, "12 réunions : <b>vraiment</b> ?", "nb_reunions")
    conversation.reply_as_staff(thread, alice, "Hors conseils municipaux.")
    html = agent.get(url("answering:section", "moyens")).content.decode()
    question_at = html.index('id="question-nb_reunions"')
    thread_at = html.index(f'id="echange-{thread.pk}"')
    assert question_at < thread_at < html.index('id="question-outils_numeriques"')
    panel = html[thread_at : html.index("</section>", thread_at)]
    assert "« Question nb_reunions »" in panel
    assert "&lt;b&gt;vraiment&lt;/b&gt;" in panel and "Hors conseils municipaux." in panel
    assert "<legend" in panel and f'<label class="form-label" for="reponse-{thread.pk}"' in panel
    assert f'form="echange-form-{thread.pk}"' in panel
    # The reply's own form sits after the section's form, never inside it.
    assert html.index(f'id="echange-form-{thread.pk}"') > html.index("</form>")
    assert 'name="retour" value="section:moyens"' in html


def test_the_overview_lists_the_open_flags_with_a_link_to_the_question(agent, alice, draft):
    thread = conversation.flag(draft, alice, "Le nombre de réunions ?", "nb_reunions")
    whole = conversation.flag(draft, alice, "Toute la réponse ?")
    html = agent.get(url("answering:home")).content.decode()
    assert "Question « Question nb_reunions » :" in html and "nb_reunions :" not in html
    assert f'href="/repondre/{YEAR}/section/moyens/#echange-{thread.pk}"' in html
    assert f'href="/repondre/{YEAR}/echanges/{whole.pk}/#echange-{whole.pk}"' in html


def test_the_agent_replies_from_the_section_page_and_goes_back_to_the_question(agent, alice, draft):
    thread = conversation.flag(draft, alice, "Le nombre ?", "nb_reunions")
    version = Response.objects.get(pk=draft.pk).version
    page = agent.post(
        url("answering:thread", thread.pk), {"body": "C'est bien 12.", "retour": "section:moyens"}
    )
    assert page.status_code == 302
    assert page.url == f"/repondre/{YEAR}/section/moyens/#echange-{thread.pk}"
    reply = ConversationMessage.objects.get()
    assert (reply.author_kind, reply.body, reply.contact.email) == (
        "agent",
        "C'est bien 12.",
        "agent@35238.test",
    )
    assert Response.objects.get(pk=draft.pk).version == version, "a reply is not an answer"
    assert "C&#x27;est bien 12." in agent.get(url("answering:section", "moyens")).content.decode()


def test_a_sent_response_shows_its_flags_with_its_answers_and_takes_replies(agent, alice, draft):
    submit(draft)
    thread = conversation.flag(draft, alice, "Le nombre ?", "nb_reunions")
    section = agent.get(url("answering:section", "moyens"))
    assert section.url == url("answering:answers")
    html = agent.get(url("answering:answers")).content.decode()
    assert f'id="echange-{thread.pk}"' in html and "Le nombre ?" in html
    overview = agent.get(url("answering:home")).content.decode()
    assert f'href="/repondre/{YEAR}/mes-reponses/#echange-{thread.pk}"' in overview
    page = agent.post(url("answering:thread", thread.pk), {"body": "Oui.", "retour": "answers"})
    assert page.url == f"/repondre/{YEAR}/mes-reponses/#echange-{thread.pk}"
    draft.refresh_from_db()
    assert draft.status == Response.Status.SUBMITTED
    assert ConversationMessage.objects.get().body == "Oui."


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Écrivez votre réponse à l&#x27;équipe."),
        ("x" * 2001, "ne doit pas dépasser 2000 caractères"),
        ("octet\x00 égaré", "caractère de contrôle non autorisé (U+0000)"),
    ],
)
def test_a_bad_reply_is_refused_in_french_and_keeps_what_was_typed(
    agent, alice, draft, body, message
):
    thread = conversation.flag(draft, alice, "Le nombre ?", "nb_reunions")
    page = agent.post(url("answering:thread", thread.pk), {"body": body, "retour": "x"})
    html = page.content.decode()
    assert page.status_code == 400
    assert 'class="error-summary"' in html and f'href="#reponse-{thread.pk}"' in html
    assert message in html
    assert not ConversationMessage.objects.exists()


def test_no_url_opens_another_collectivites_flag(agent, alice, edition, draft):
    metz = Collectivite.objects.create(kind="commune", code="57463", name="Metz")
    other = filling.response_for(edition, metz)
    foreign = conversation.flag(other, alice, "Pour Metz seulement", "nb_reunions")
    assert agent.get(url("answering:thread", foreign.pk)).status_code == 404
    assert agent.post(url("answering:thread", foreign.pk), {"body": "Intrus"}).status_code == 404
    assert "Pour Metz seulement" not in agent.get(url("answering:home")).content.decode()
    assert not ConversationMessage.objects.exists()


def test_a_resolved_flag_leaves_the_agents_view(agent, alice, draft):
    thread = conversation.flag(draft, alice, "Déjà réglé", "nb_reunions")
    conversation.resolve(thread, alice)
    assert "Déjà réglé" not in agent.get(url("answering:home")).content.decode()
    assert "Déjà réglé" not in agent.get(url("answering:section", "moyens")).content.decode()
    assert agent.get(url("answering:thread", thread.pk)).status_code == 404


def test_without_a_session_the_thread_says_the_session_ended(alice, edition, rennes):
    response = filling.response_for(edition, rennes)
    thread = conversation.flag(response, alice, "?")
    page = Client().get(url("answering:thread", thread.pk))
    assert page.status_code == 403 and "Votre session est terminée" in page.content.decode()
    assert Client().post(url("answering:thread", thread.pk), {"body": "?"}).status_code == 403


def test_a_junk_return_address_leads_back_to_the_thread(agent, alice, draft):
    thread = conversation.flag(draft, alice, "Le nombre ?")
    for retour in ("section:inconnue", "https://ailleurs.test/", "section:../.."):
        page = agent.post(url("answering:thread", thread.pk), {"body": "Vu", "retour": retour})
        assert page.url == f"/repondre/{YEAR}/echanges/{thread.pk}/#echange-{thread.pk}"


def test_the_agents_read_the_staff_corrections_with_their_reason(agent, alice, draft):
    submit(draft)
    form = bound_form(draft, "moyens", nb_reunions="15")
    review.save_as_staff(draft, form, draft.version, alice, "Confirmé par la DGS")
    html = agent.get(url("answering:home")).content.decode()
    corrections = html[html.index("Corrections de l'équipe") :]
    assert re.search(
        r"« Question nb_reunions ».*12 → 15\. Motif : Confirmé par la DGS", corrections
    )


def test_flags_and_corrections_are_looked_for_only_once_the_staff_made_one(
    agent, alice, draft, django_assert_max_num_queries
):
    """`Response.staff_notes` spares the agents' pages two queries while the response has no flag
    nor correction; the first of either sets it, and the page then shows it."""
    assert not Response.objects.get(pk=draft.pk).staff_notes
    agent.get(url("answering:home"))  # the edition's structure is read once per process
    with django_assert_max_num_queries(4):
        html = agent.get(url("answering:home")).content.decode()
    assert "Points à vérifier signalés" not in html
    # An agent's own change after a reopening is audited, but is no staff correction.
    submit(draft)
    review.reopen(draft, alice)
    draft.refresh_from_db()
    save(draft, "moyens", nb_reunions="13")
    assert AnswerAudit.objects.filter(response=draft, changed_by__isnull=True).exists()
    assert not Response.objects.get(pk=draft.pk).staff_notes
    submit(draft)
    form = bound_form(draft, "moyens", nb_reunions="15")
    review.save_as_staff(draft, form, draft.version, alice, "Confirmé par la DGS")
    assert Response.objects.get(pk=draft.pk).staff_notes
    html = agent.get(url("answering:home")).content.decode()
    assert "Confirmé par la DGS" in html


def test_a_flag_marks_the_response_and_the_section_page_shows_it(agent, alice, draft):
    thread = conversation.flag(draft, alice, "Vraiment 12 ?", "nb_reunions")
    assert Response.objects.get(pk=draft.pk).staff_notes
    html = agent.get(url("answering:section", "moyens")).content.decode()
    assert f'id="echange-{thread.pk}"' in html


def test_the_migration_marks_the_responses_flagged_or_corrected_before_it(alice, draft, edition):
    """Flags and corrections written before `staff_notes` existed (or by SQL) are found again."""
    migration = importlib.import_module(
        "surveys.backoffice.migrations.0003_staff_notes_of_flagged_responses"
    )
    metz = Collectivite.objects.create(kind="commune", code="57463", name="Metz")
    nancy = Collectivite.objects.create(kind="commune", code="54395", name="Nancy")
    lyon = Collectivite.objects.create(kind="commune", code="69123", name="Lyon")
    corrected = Response.objects.create(edition=edition, collectivite=metz)
    by_agent = Response.objects.create(edition=edition, collectivite=nancy)
    noted = Response.objects.create(edition=edition, collectivite=lyon)
    ResponseComment.objects.create(response=draft, author=alice, kind="flag", body="?")
    ResponseComment.objects.create(response=noted, author=alice, kind="note", body="interne")
    AnswerAudit.objects.create(
        response=corrected, question_code="x", changed_by=alice, reason="DGS"
    )
    AnswerAudit.objects.create(response=by_agent, question_code="x", changed_by_label="Agent")
    Response.objects.update(staff_notes=False)
    migration.mark_flagged_and_corrected(apps, None)
    marked = set(Response.objects.filter(staff_notes=True).values_list("pk", flat=True))
    assert marked == {draft.pk, corrected.pk}
