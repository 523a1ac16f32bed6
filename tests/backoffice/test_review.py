from django.template.loader import render_to_string
from django.urls import reverse

from surveys import filling
from surveys.backoffice import conversation, review
from surveys.backoffice.models import AnswerAudit, ResponseComment, ResponseEvent, StaffEntry
from surveys.models import Response
from tests.backoffice.conftest import commune, invite, make_contact, submitted_response
from tests.surveys.filling_helpers import bound_form, stored


def post_section(client, response, section, motif="Confirmé par téléphone", **fields):
    response.refresh_from_db()
    return client.post(
        reverse("backoffice:response-section", args=[response.pk, section]),
        {"version": response.version, "motif": motif, **fields},
    )


def test_staff_read_every_section_of_a_response(client, alice, edition, rennes):
    response = submitted_response(edition, rennes)
    client.force_login(alice)
    page = client.get(reverse("backoffice:response", args=[response.pk])).content.decode()
    for text in ("Profil", "Moyens", "DGS", "Question nb_reunions", "Envoyée"):
        assert text in page


def test_staff_validate_a_submitted_response_once(client, alice, edition, rennes):
    response = submitted_response(edition, rennes)
    client.force_login(alice)
    url = reverse("backoffice:response-validate", args=[response.pk])
    client.post(url)
    response.refresh_from_db()
    assert response.status == "validated"
    assert response.validated_by == alice and response.validated_at is not None
    assert response.review_events.get().kind == ResponseEvent.Kind.VALIDATED
    again = client.post(url, follow=True)
    assert "Cette réponse est déjà validée." in again.content.decode()


def test_a_draft_cannot_be_validated(client, alice, edition, rennes):
    draft = Response.objects.create(edition=edition, collectivite=rennes)
    client.force_login(alice)
    page = client.post(reverse("backoffice:response-validate", args=[draft.pk]), follow=True)
    assert "Seule une réponse envoyée peut être validée" in page.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_flagged_inconsistency_is_shown_to_the_agents_until_lifted(
    client, alice, edition, rennes
):
    response = submitted_response(edition, rennes)
    client.force_login(alice)
    client.post(
        reverse("backoffice:response-flag", args=[response.pk]),
        {
            "body": "12 réunions pour 5 000 € : <b>vérifiez</b> le budget.",
            "question": "nb_reunions",
        },
    )
    flag = ResponseComment.objects.get()
    assert (flag.author, flag.question_code, flag.kind) == (alice, "nb_reunions", "flag")
    response.refresh_from_db()  # as the agents' next page reads it
    shown = render_to_string("surveys/includes/notices_for_agents.html", {"response": response})
    assert "Question « Question nb_reunions » :" in shown
    assert "&lt;b&gt;vérifiez&lt;/b&gt;" in shown
    client.post(reverse("backoffice:response-resolve", args=[response.pk, flag.pk]))
    assert "vérifiez" not in render_to_string(
        "surveys/includes/notices_for_agents.html", {"response": response}
    )


def test_the_agents_see_the_flag_on_their_overview_and_review_pages(client, alice, edition, rennes):
    response = submitted_response(edition, rennes)
    review.reopen(response, alice)
    conversation.flag(response, alice, "Le budget semble très élevé : pouvez-vous vérifier ?")
    contact = make_contact(rennes, "rose@rennes.test")
    token = invite(contact, edition).issue_token()
    client.post(reverse("access:magic-link", args=[token]))
    for name in ("answering:home", "answering:review"):
        page = client.get(reverse(name, args=[2031]))
        assert page.status_code == 200
        assert "Le budget semble très élevé : pouvez-vous vérifier ?" in page.content.decode()
        assert "Points à vérifier signalés par l'équipe" in page.content.decode()


def test_an_empty_flag_is_refused_in_french(client, alice, edition, rennes):
    response = submitted_response(edition, rennes)
    client.force_login(alice)
    page = client.post(
        reverse("backoffice:response-flag", args=[response.pk]), {"body": "  "}, follow=True
    )
    assert "Écrivez le commentaire que verra la collectivité." in page.content.decode()
    assert not ResponseComment.objects.exists()


def test_staff_correct_a_submitted_response_with_the_agents_validation_and_an_audit_trail(
    client, alice, edition, rennes
):
    response = submitted_response(edition, rennes)
    client.force_login(alice)
    refused = post_section(
        client, response, "moyens", nb_reunions="600", budget_participation="5 000"
    )
    assert refused.status_code == 400
    assert "Saisissez un nombre entre 0 et 500." in refused.content.decode()
    assert stored(response, "nb_reunions") == 12
    assert not AnswerAudit.objects.exists()

    accepted = post_section(
        client, response, "moyens", nb_reunions="15", budget_participation="5 000", commentaire="Vu"
    )
    assert accepted.status_code == 302
    assert stored(response, "nb_reunions") == 15
    audits = {a.question_code: a for a in AnswerAudit.objects.all()}
    assert set(audits) == {"nb_reunions", "commentaire"}
    change = audits["nb_reunions"]
    assert (change.old_value, change.new_value, change.item, change.changed_by) == (
        12,
        15,
        0,
        alice,
    )
    assert (audits["commentaire"].old_value, audits["commentaire"].new_value) == (None, "Vu")
    response.refresh_from_db()
    assert response.status == "submitted"
    post_section(client, response, "profil", fonction_repondant="elu")
    page = client.get(reverse("backoffice:response", args=[response.pk])).content.decode()
    assert "Historique des modifications après envoi" in page
    history = page.split("Historique des modifications après envoi")[1].split("Réponses</h2>")[0]
    assert "<td>(vide)</td><td>Vu</td>" in history
    assert "<td>DGS</td><td>Élu·e</td>" in history
    assert "<td>12</td><td>15</td>" in history
    assert "alice" in history


def test_reopening_gives_the_response_back_and_the_agents_changes_are_audited(
    client, alice, edition, rennes
):
    response = submitted_response(edition, rennes)
    client.force_login(alice)
    client.post(reverse("backoffice:response-reopen", args=[response.pk]))
    response.refresh_from_db()
    assert response.status == "draft" and response.submitted_at is None
    assert response.review_events.get().kind == ResponseEvent.Kind.REOPENED
    # The agent now changes an answer through the ordinary page save.
    form = bound_form(response, "moyens", nb_reunions="20", budget_participation="5 000")
    filling.save_section(response, form, response.version)
    audit = AnswerAudit.objects.get()
    assert (audit.question_code, audit.old_value, audit.new_value) == ("nb_reunions", 12, 20)
    assert audit.changed_by is None and audit.author == "Agent de la collectivité"


def test_a_draft_is_not_audited(edition, rennes):
    draft = Response.objects.create(edition=edition, collectivite=rennes)
    form = bound_form(draft, "moyens", nb_reunions="3")
    filling.save_section(draft, form, draft.version)
    assert stored(draft, "nb_reunions") == 3
    assert not AnswerAudit.objects.exists()


def test_staff_enter_a_paper_response_for_any_collectivite_with_the_same_validation(
    client, alice, edition
):
    lorient = commune("Lorient", "56121", 57_000)
    client.force_login(alice)
    search = client.get(reverse("backoffice:entry-search", args=[2031]), {"q": "lorient"})
    start_url = reverse("backoffice:entry-start", args=[2031, lorient.pk])
    assert start_url in search.content.decode()
    started = client.post(start_url, {"channel": "paper"})
    response = Response.objects.get(edition=edition, collectivite=lorient)
    assert started.url == reverse("backoffice:response", args=[response.pk])
    entry = StaffEntry.objects.get(response=response)
    assert (entry.channel, entry.entered_by) == ("paper", alice)

    refused = post_section(client, response, "moyens", nb_reunions="douze")
    assert "« douze » n&#x27;est pas un nombre." in refused.content.decode()
    assert stored(response, "nb_reunions") is None
    post_section(client, response, "moyens", nb_reunions="12")
    assert stored(response, "nb_reunions") == 12

    missing = client.post(reverse("backoffice:response-submit", args=[response.pk]), follow=True)
    assert "Il manque des réponses obligatoires" in missing.content.decode()
    post_section(client, response, "profil", fonction_repondant="dgs")
    client.post(reverse("backoffice:response-submit", args=[response.pk]))
    response.refresh_from_db()
    assert response.status == "submitted" and response.submitted_at is not None
    page = client.get(reverse("backoffice:response", args=[response.pk])).content.decode()
    assert "par l'équipe (questionnaire papier)" in page
    listing = client.get(reverse("backoffice:responses", args=[2031]), {"statut": "staff"})
    assert "Lorient" in listing.content.decode()


def test_an_unknown_channel_is_refused(client, alice, edition):
    lorient = commune("Lorient", "56121", 57_000)
    client.force_login(alice)
    page = client.post(
        reverse("backoffice:entry-start", args=[2031, lorient.pk]),
        {"channel": "pigeon"},
        follow=True,
    )
    assert "Indiquez comment la réponse a été reçue." in page.content.decode()
    assert not Response.objects.exists()
