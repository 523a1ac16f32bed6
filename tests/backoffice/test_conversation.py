"""The conversation on a response, staff side: flags as threads, replies both ways, resolution,
the inbox, the e-mails (locmem here; through the real SMTP server in the browser test) and the
reasons of corrections."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from respondents.models import EmailLog
from surveys import hooks
from surveys.backoffice import conversation, review
from surveys.backoffice.models import AnswerAudit, ConversationMessage, ResponseEvent
from tests.backoffice.conftest import commune, invite, make_contact, submitted_response


@pytest.fixture
def rose(rennes):
    return make_contact(rennes, "rose@rennes.test", first_name="Rose", last_name="Le Goff")


@pytest.fixture
def response(edition, rennes, rose):
    invite(rose, edition, opened=True)
    return submitted_response(edition, rennes)


def sent(capture) -> list:
    """Run the queued tasks (the e-mails) and return the messages sent."""
    for callback in capture:
        callback()
    return mail.outbox


def test_a_flag_names_its_question_by_its_label_and_emails_the_contacts(
    alice, response, rose, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        thread = conversation.flag(response, alice, "12 réunions pour 5 000 € ?", "nb_reunions")
    [message] = mail.outbox
    assert message.to == ["rose@rennes.test"]
    assert message.subject == "Baromètre 2031 : un point à vérifier dans la réponse de Rennes"
    assert "« Question nb_reunions »" in message.body
    assert "12 réunions pour 5 000 € ?" in message.body
    assert f"/repondre/2031/section/moyens/#echange-{thread.pk}" in message.body
    assert "/acces/" not in message.body.split("lien perdu")[0], "no new magic link"
    assert EmailLog.objects.get().kind == EmailLog.Kind.FLAG


def test_a_flag_on_the_whole_response_links_to_its_own_page(
    alice, response, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        thread = conversation.flag(response, alice, "Toute la réponse est-elle à jour ?")
    [message] = mail.outbox
    assert f"/repondre/2031/echanges/{thread.pk}/#echange-{thread.pk}" in message.body
    assert "à la question" not in message.body


def test_a_flag_on_a_question_of_another_edition_or_a_roster_sheet_is_refused(alice, response):
    for code in ("inconnue", "nom"):
        with pytest.raises(ValidationError, match="choisissez-la dans la liste"):
            conversation.flag(response, alice, "?", code)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("   ", "Écrivez le commentaire"),
        ("x" * 2001, "ne doit pas dépasser 2000 caractères (il en fait 2001)"),
        ("Un octet\x00 égaré", "caractère de contrôle non autorisé (U+0000)"),
    ],
)
def test_a_bad_message_is_refused_in_french(alice, response, body, message):
    with pytest.raises(ValidationError) as refused:
        conversation.flag(response, alice, body)
    assert message in " ".join(refused.value.messages)


def test_the_agents_reply_through_the_hook_and_the_staff_are_told(
    alice, response, rose, settings, django_capture_on_commit_callbacks
):
    settings.STAFF_NOTIFICATION_EMAILS = ["equipe@decider-ensemble.test", "lea@de.test"]
    thread = conversation.flag(response, alice, "Le budget ?", "budget_participation")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answered = hooks.agent_reply.send(
            response, thread=thread.pk, body="Oui,\r\nc'est bien 5 000 €.", contact=rose
        )
    assert answered == thread
    reply = ConversationMessage.objects.get()
    assert (reply.author_kind, reply.contact, reply.body) == (
        "agent",
        rose,
        "Oui,\nc'est bien 5 000 €.",
    )
    assert reply.signature == "Rose Le Goff (agent de la collectivité)"
    assert sorted(m.to[0] for m in mail.outbox) == ["equipe@decider-ensemble.test", "lea@de.test"]
    assert mail.outbox[0].subject == "Baromètre 2031 : Rennes a répondu à un signalement"
    assert f"/equipe/reponses/{response.pk}/#echange-{thread.pk}" in mail.outbox[0].body
    assert list(conversation.threads_awaiting_staff(alice)) == [thread]


def test_nobody_on_the_staff_list_means_no_email_but_the_inbox(alice, response, rose, settings):
    settings.STAFF_NOTIFICATION_EMAILS = []
    thread = conversation.flag(response, alice, "Le budget ?")
    hooks.agent_reply.send(response, thread=thread.pk, body="Vu.", contact=rose)
    assert not EmailLog.objects.filter(kind=EmailLog.Kind.AGENT_REPLY).exists()
    assert [t.pk for t in conversation.inbox()] == [thread.pk]


def test_an_agent_cannot_reply_to_another_collectivites_flag_nor_a_resolved_one(
    alice, edition, response, rose
):
    metz = commune("Metz", "57463", 120_000)
    other = conversation.flag(submitted_response(edition, metz), alice, "Et Metz ?")
    assert hooks.agent_reply.send(response, thread=other.pk, body="Intrus", contact=rose) is None
    mine = conversation.flag(response, alice, "Et Rennes ?")
    conversation.resolve(mine, alice)
    assert hooks.agent_reply.send(response, thread=mine.pk, body="Trop tard", contact=rose) is None
    assert not ConversationMessage.objects.exists()


def test_a_resolved_flag_leaves_the_agents_view_and_stays_in_the_history(client, alice, response):
    thread = conversation.flag(response, alice, "À vérifier")
    conversation.reply_as_staff(thread, alice, "Merci de regarder.")
    assert hooks.agent_notices.collect(response) == [thread]
    client.force_login(alice)
    client.post(reverse("backoffice:response-resolve", args=[response.pk, thread.pk]))
    thread.refresh_from_db()
    assert thread.resolved_by == alice and thread.resolved_at is not None
    assert hooks.agent_notices.collect(response) == []
    page = client.get(reverse("backoffice:response", args=[response.pk])).content.decode()
    assert "Merci de regarder." in page and "Levé le" in page and "par alice" in page


def test_the_staff_thread_links_to_the_question_in_its_section(client, alice, response):
    thread = conversation.flag(response, alice, "Le nombre ?", "nb_reunions")
    client.force_login(alice)
    page = client.get(reverse("backoffice:response", args=[response.pk])).content.decode()
    link = reverse("backoffice:response-section", args=[response.pk, "moyens"])
    assert f'href="{link}#question-nb_reunions"' in page
    assert f'id="echange-{thread.pk}"' in page


def test_validating_resolves_the_open_flags_and_says_so_in_the_history(
    alice, response, django_capture_on_commit_callbacks
):
    conversation.flag(response, alice, "Un")
    conversation.flag(response, alice, "Deux")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review.validate(response, alice)
    assert not conversation.open_flags(response).exists()
    assert {t.resolved_by for t in conversation.flags(response)} == {alice}
    event = response.review_events.get(kind=ResponseEvent.Kind.VALIDATED)
    assert event.note == "2 signalements levés à la validation"
    [message] = mail.outbox
    assert message.subject == "Baromètre 2031 : la réponse de Rennes est validée"
    assert "/repondre/2031/mes-reponses/" in message.body


def test_reopening_emails_the_contacts_with_the_open_flags(
    alice, edition, response, rose, django_capture_on_commit_callbacks
):
    revoked = make_contact(response.collectivite, "ancien@rennes.test")
    invite(revoked, edition).revoke(alice)
    conversation.flag(response, alice, "À revoir")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review.reopen(response, alice)
    [message] = mail.outbox
    assert message.to == ["rose@rennes.test"]
    assert message.subject == "Baromètre 2031 : la réponse de Rennes est rouverte"
    assert "Points à vérifier signalés par l'équipe : 1." in message.body


def test_a_staff_reply_emails_the_contacts_and_a_resolved_thread_takes_none(
    alice, response, django_capture_on_commit_callbacks
):
    thread = conversation.flag(response, alice, "Le nombre de réunions ?", "nb_reunions")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        conversation.reply_as_staff(thread, alice, "Précision : hors conseils municipaux.")
    [message] = mail.outbox
    assert message.subject == "Baromètre 2031 : l'équipe vous répond (réponse de Rennes)"
    assert "Précision : hors conseils municipaux." in message.body
    conversation.resolve(thread, alice)
    with pytest.raises(ValidationError, match="levé"):
        conversation.reply_as_staff(thread, alice, "Encore")


def test_the_inbox_puts_unread_agent_replies_first_and_filters(
    client, alice, edition, response, rose, rennes
):
    older = conversation.flag(response, alice, "Premier signalement")
    newer = conversation.flag(response, alice, "Second signalement")
    hooks.agent_reply.send(response, thread=older.pk, body="Réponse de Rose", contact=rose)
    closed = conversation.flag(response, alice, "Signalement levé")
    conversation.resolve(closed, alice)
    client.force_login(alice)
    url = reverse("backoffice:conversations")
    page = client.get(url).content.decode()
    order = [page.index(f'data-thread="{t.pk}"') for t in (older, newer)]
    assert order == sorted(order), "the unread reply comes first"
    assert "Réponse de l'agent non lue" in page
    assert f'data-thread="{closed.pk}"' not in page
    resolved = client.get(url, {"statut": "resolved", "edition": "2031"}).content.decode()
    assert f'data-thread="{closed.pk}"' in resolved and f'data-thread="{older.pk}"' not in resolved
    everything = client.get(url, {"statut": "tous", "edition": "abc\x00"}).content.decode()
    assert all(f'data-thread="{t.pk}"' in everything for t in (older, newer, closed))
    # Opening the response marks its replies read: nothing awaits the staff any more.
    client.get(reverse("backoffice:response", args=[response.pk]))
    assert not conversation.threads_awaiting_staff(alice).exists()


def test_the_staff_flag_form_offers_question_labels_not_codes(client, alice, response):
    client.force_login(alice)
    page = client.get(reverse("backoffice:response", args=[response.pk])).content.decode()
    assert '<option value="nb_reunions">Moyens — Question nb_reunions</option>' in page
    assert "nb_reunions —" not in page


def test_staff_reply_from_the_response_page_and_bad_text_is_refused_in_french(
    client, alice, response
):
    thread = conversation.flag(response, alice, "Le budget ?")
    client.force_login(alice)
    url = reverse("backoffice:response-thread-reply", args=[response.pk, thread.pk])
    page = client.post(url, {"body": ""}, follow=True).content.decode()
    assert "Écrivez votre message." in page
    answered = client.post(url, {"body": "<script>x</script> Merci"})
    assert answered.url.endswith(f"#echange-{thread.pk}")
    page = client.get(reverse("backoffice:response", args=[response.pk])).content.decode()
    assert "&lt;script&gt;x&lt;/script&gt; Merci" in page
    other = commune("Brest", "29019", 139_926)
    foreign = submitted_response(response.edition, other)
    wrong = reverse("backoffice:response-thread-reply", args=[foreign.pk, thread.pk])
    assert client.post(wrong, {"body": "?"}).status_code == 404


def test_a_correction_of_a_sent_response_needs_a_reason_kept_and_shown_to_the_agents(
    client, alice, response
):
    client.force_login(alice)
    url = reverse("backoffice:response-section", args=[response.pk, "moyens"])
    data = {"version": response.version, "nb_reunions": "15", "budget_participation": "5 000"}
    refused = client.post(url, {**data, "motif": "  "})
    assert refused.status_code == 400
    assert "Indiquez le motif de la correction" in refused.content.decode()
    assert 'href="#motif"' in refused.content.decode()
    assert not AnswerAudit.objects.exists()
    accepted = client.post(url, {**data, "motif": "Chiffre confirmé par la DGS au téléphone"})
    assert accepted.status_code == 302
    audit = AnswerAudit.objects.get()
    assert audit.reason == "Chiffre confirmé par la DGS au téléphone"
    event = response.review_events.get(kind=ResponseEvent.Kind.CORRECTED)
    assert event.note == audit.reason
    response.refresh_from_db()  # as the agents' next page reads it
    [shown] = hooks.agent_corrections.collect(response)
    assert (shown.before, shown.after, shown.reason) == ("12", "15", audit.reason)
    page = client.get(reverse("backoffice:response", args=[response.pk])).content.decode()
    assert "Chiffre confirmé par la DGS au téléphone" in page


def test_erasing_a_contact_forgets_the_texts_of_its_emails(alice, response, rose):
    from respondents.services.rgpd import erase_contact

    conversation.flag(response, alice, "Un message personnel")
    erase_contact(rose, alice)
    assert all(log.context == {} for log in EmailLog.objects.all())
