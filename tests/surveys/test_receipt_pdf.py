"""The PDF receipt of a sent response: its number, its text read back with pypdf and compared
with the stored answers, its download by the agent and the staff, and the acknowledgement
e-mail that carries it."""

from __future__ import annotations

import io
import logging
import re
import time
from datetime import UTC, datetime
from decimal import Decimal

import pypdf
import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse

from respondents.models import EmailLog
from respondents.services.emails import build_message, email_attachments
from surveys import filling
from surveys.filling import receipt
from surveys.models import Answer, Question, Response
from tests.browser.answers import planned_answers, store_draft
from tests.browser.support import open_edition
from tests.surveys.filling_helpers import enter
from tests.surveys.receipt_helpers import flat, pdf_text

# 13:05 UTC on 6 December is 14:05 in Paris (winter time).
SUBMITTED_AT = datetime(2026, 12, 6, 13, 5, 42, 123456, tzinfo=UTC)


def submit(response: Response, at: datetime = SUBMITTED_AT) -> Response:
    Response.objects.filter(pk=response.pk).update(
        status=Response.Status.SUBMITTED, submitted_at=at
    )
    response.refresh_from_db()
    return response


def set_answer(response: Response, code: str, value, number=None, item: int = 0) -> None:
    question = Question.objects.get(edition=response.edition, code=code)
    Answer.objects.update_or_create(
        response=response,
        question=question,
        item=item,
        defaults={"value": value, "number": number, "other_text": ""},
    )


@pytest.fixture
def edition_2021(db):
    return open_edition(2021)


@pytest.fixture
def rennes_2021(edition_2021, rennes):
    """A realistic 2021 response of Rennes, every page answered, then sent."""
    response = store_draft(edition_2021, rennes, planned_answers(edition_2021, rennes, seed=7))
    set_answer(response, "etp_participation", "1.5", Decimal("1.5"))
    set_answer(response, "budget_participation", "nsp")
    return submit(response)


@pytest.fixture
def metz_2018(db, metz_metropole):
    """A sent 2018 response of Metz Métropole, with three sheets in its roster."""
    edition = open_edition(2018)
    planned = [
        p
        for p in planned_answers(edition, metz_metropole, seed=3)
        if p.question.type != Question.Type.ROSTER and p.question.roster_id is None
    ]
    response = store_draft(edition, metz_metropole, planned)
    set_answer(response, "fiches_dispositifs", 3, Decimal(3))
    for item, name in enumerate(["Budget participatif", "Carte des idées", "Pétitions"], 1):
        set_answer(response, "nom", name, item=item)
    set_answer(response, "famille", "open_data", item=2)
    return submit(response)


# -- The number ------------------------------------------------------------------------------


def test_the_number_reads_like_its_edition_and_response(rennes_2021):
    number = receipt.receipt_number(rennes_2021)
    assert re.fullmatch(rf"BDL-2021-{rennes_2021.pk:06d}-[0-9A-HJKMNP-TV-Z]{{4}}", number)


def test_the_number_stays_the_same_for_one_submission(rennes_2021):
    again = Response.objects.get(pk=rennes_2021.pk)
    assert receipt.receipt_number(again) == receipt.receipt_number(rennes_2021)


def test_the_number_changes_when_a_reopened_response_is_sent_again(rennes_2021):
    first = receipt.receipt_number(rennes_2021)
    resent = submit(rennes_2021, SUBMITTED_AT.replace(day=8))
    assert receipt.receipt_number(resent) != first


def test_a_draft_has_no_receipt(edition_2021, rennes):
    draft = store_draft(edition_2021, rennes, planned_answers(edition_2021, rennes, seed=7))
    assert not receipt.has_receipt(draft)
    with pytest.raises(ValueError, match="non envoyée"):
        receipt.render_receipt(draft)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (SUBMITTED_AT, "le 6 décembre 2026 à 14\u00a0h\u00a005"),
        (datetime(2026, 7, 1, 7, 9, tzinfo=UTC), "le 1er juillet 2026 à 09\u00a0h\u00a009"),
    ],
)
def test_the_submission_time_is_written_in_french_in_paris_time(moment, expected):
    assert receipt.french_moment(moment) == expected


# -- The PDF ---------------------------------------------------------------------------------


def test_the_pdf_names_the_collectivite_the_edition_the_time_and_the_number(rennes_2021):
    text = pdf_text(receipt.render_receipt(rennes_2021))
    assert "Accusé de réception" in text
    assert f"Numéro de reçu {receipt.receipt_number(rennes_2021)}" in text
    assert "Collectivité Rennes" in text
    assert "Nature Commune" in text
    assert "Code INSEE 35238 — SIREN 213502388" in text
    assert rennes_2021.edition.title in text
    assert "Réponse envoyée le 6 décembre 2026 à 14 h 05" in text
    assert f"{settings.SITE_URL}/resultats/2021/ma-collectivite/" in text


def test_every_stored_answer_is_under_its_question_in_words(rennes_2021):
    text = pdf_text(receipt.render_receipt(rennes_2021))
    answers = Answer.objects.filter(response=rennes_2021).select_related("question")
    assert answers.count() > 20
    position = 0
    for answer in sorted(answers, key=lambda a: (a.question.section.order, a.question.order)):
        question = answer.question
        label = flat(question.text)
        found = text.find(label, position)
        assert found >= 0, f"question absente ou hors d'ordre : {label}"
        position = found + len(label)
        for line in filling.display_answer(question, answer):
            assert flat(line) in text[position:], f"{question.code} : « {line} » absent"
    assert "Nombre d'ETP dédiés à la participation citoyenne 1,5" in text
    assert "Budget annuel dédié à la participation (€, hors masse salariale) Ne sait pas" in text
    assert "etp_participation" not in text
    assert "budget_participation" not in text


def test_choices_are_written_as_their_labels_not_their_codes(rennes_2021):
    set_answer(rennes_2021, "service_dedie", "oui")
    text = pdf_text(receipt.render_receipt(rennes_2021))
    assert "Votre collectivité a-t-elle un service dédié à la participation citoyenne ? Oui" in text


def test_money_is_written_the_french_way(rennes_2021):
    set_answer(rennes_2021, "budget_participation", "1250000.5", Decimal("1250000.5"))
    text = pdf_text(receipt.render_receipt(rennes_2021))
    assert "(€, hors masse salariale) 1 250 000,5 €" in text


def test_the_roster_sheets_are_printed_with_their_items(metz_2018):
    document = receipt.render_receipt(metz_2018)
    text = pdf_text(document)
    assert "Nature EPCI (Métropole)" in text
    assert "SIREN 200039865" in text
    assert "Vos dispositifs numériques de participation 3 fiches" in text
    assert re.findall(r"Fiche (\d) Nom du dispositif", text) == ["1", "2", "3"]
    assert "Fiche 1 Nom du dispositif Budget participatif" in text
    assert (
        "Fiche 2 Nom du dispositif Carte des idées "
        "Grande famille du dispositif Plateforme open data" in text
    )
    assert "Fiche 3 Nom du dispositif Pétitions" in text


def test_every_page_carries_its_number_and_the_receipt_number(rennes_2021):
    document = receipt.render_receipt(rennes_2021)
    pages = pypdf.PdfReader(io.BytesIO(document)).pages
    number = receipt.receipt_number(rennes_2021)
    assert len(pages) >= 2
    for index, page in enumerate(pages, 1):
        text = flat(page.extract_text())
        assert f"page {index} sur {len(pages)}" in text
        assert f"Accusé de réception {number}" in text


def test_untrusted_text_is_printed_as_text(rennes_2021):
    set_answer(rennes_2021, "service_dedie", "oui")
    set_answer(rennes_2021, "service_intitule", '<img src="http://example.org/x.png"> & Cie')
    text = pdf_text(receipt.render_receipt(rennes_2021))
    assert 'Intitulé du service <img src="http://example.org/x.png"> & Cie' in text


# -- Downloads -------------------------------------------------------------------------------


def receipt_url(year: int = 2021) -> str:
    return reverse("answering:receipt", args=[year])


def test_the_agent_downloads_the_receipt_of_the_sent_response(client, rennes_2021, rennes):
    enter(client, rennes_2021.edition, rennes)
    page = client.get(receipt_url())
    assert page.status_code == 200
    assert page["Content-Type"] == "application/pdf"
    number = receipt.receipt_number(rennes_2021)
    assert page["Content-Disposition"] == f'attachment; filename="accuse-de-reception-{number}.pdf"'
    assert "no-store" in page["Cache-Control"]
    assert f"Numéro de reçu {number}" in pdf_text(page.content)


def test_the_confirmation_page_and_my_answers_link_to_the_receipt(client, rennes_2021, rennes):
    enter(client, rennes_2021.edition, rennes)
    for name in ("answering:confirmation", "answering:answers"):
        html = client.get(reverse(name, args=[2021])).content.decode()
        assert f'href="{receipt_url()}"' in html, name
        assert "Télécharger l'accusé de réception (PDF" in html, name


def test_the_printable_copy_and_my_answers_show_the_number_and_the_french_time(
    client, rennes_2021, rennes
):
    enter(client, rennes_2021.edition, rennes)
    number = receipt.receipt_number(rennes_2021)
    for name in ("answering:print", "answering:answers"):
        html = flat(client.get(reverse(name, args=[2021])).content.decode())
        assert "le 6 décembre 2026 à 14 h 05" in html, name
        assert f"(reçu n°&nbsp;{number})" in html, name


def test_the_line_breaks_of_a_long_answer_are_kept_on_every_copy(client, rennes_2021, rennes):
    set_answer(rennes_2021, "elections_concernee", "oui")
    set_answer(rennes_2021, "changements_prevus", "Un budget participatif.\nPuis <b>un</b> panel.")
    enter(client, rennes_2021.edition, rennes)
    html = client.get(reverse("answering:answers", args=[2021])).content.decode()
    assert "Un budget participatif.<br>Puis &lt;b&gt;un&lt;/b&gt; panel." in html
    text = pdf_text(receipt.render_receipt(rennes_2021))
    assert "Un budget participatif. Puis <b>un</b> panel." in text


def test_a_draft_offers_no_receipt_and_says_why(client, edition_2021, rennes):
    store_draft(edition_2021, rennes, planned_answers(edition_2021, rennes, seed=7))
    enter(client, edition_2021, rennes)
    assert (
        receipt_url() not in client.get(reverse("answering:answers", args=[2021])).content.decode()
    )
    page = client.get(receipt_url(), follow=True)
    assert page.redirect_chain == [(reverse("answering:answers", args=[2021]), 302)]
    assert "L'accusé de réception sera disponible une fois la réponse envoyée." in (
        page.content.decode().replace("&#x27;", "'")
    )


def test_an_agent_of_another_collectivite_gets_only_its_own_receipt(
    client, rennes_2021, metz_metropole
):
    enter(client, rennes_2021.edition, metz_metropole)
    page = client.get(receipt_url())
    assert page.status_code == 302  # Metz has sent nothing: no receipt, and never Rennes's
    metz = submit(Response.objects.get(edition=rennes_2021.edition, collectivite=metz_metropole))
    text = pdf_text(client.get(receipt_url()).content)
    assert f"Numéro de reçu {receipt.receipt_number(metz)}" in text
    assert "Rennes" not in text
    staff_page = client.get(reverse("backoffice:response-receipt", args=[rennes_2021.pk]))
    assert staff_page.status_code == 302
    assert staff_page["Location"].startswith(reverse("login"))


def test_without_a_session_there_is_no_receipt(client, rennes_2021):
    assert client.get(receipt_url()).status_code == 404


def test_an_edition_without_access_in_the_session_is_not_found(client, rennes_2021, rennes):
    enter(client, rennes_2021.edition, rennes)
    assert client.get(receipt_url(2018)).status_code == 404


def test_the_staff_download_the_receipt_from_the_response_page(alice, rennes_2021):
    staff = Client()
    staff.force_login(alice)
    detail = staff.get(reverse("backoffice:response", args=[rennes_2021.pk])).content.decode()
    url = reverse("backoffice:response-receipt", args=[rennes_2021.pk])
    assert f'href="{url}"' in detail
    page = staff.get(url)
    assert page.status_code == 200
    assert receipt.receipt_number(rennes_2021) in pdf_text(page.content)


def test_the_staff_are_told_a_draft_has_no_receipt(alice, edition_2021, rennes):
    draft = store_draft(edition_2021, rennes, [])
    staff = Client()
    staff.force_login(alice)
    url = reverse("backoffice:response-receipt", args=[draft.pk])
    assert url not in staff.get(reverse("backoffice:response", args=[draft.pk])).content.decode()
    page = staff.get(url, follow=True)
    assert page.redirect_chain[-1][0] == reverse("backoffice:response", args=[draft.pk])
    assert "pas encore envoyée" in page.content.decode()
    assert staff.get(reverse("backoffice:response-receipt", args=[999_999])).status_code == 404


def test_a_receipt_that_cannot_be_drawn_sends_to_the_printable_copy(
    client, rennes_2021, rennes, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(receipt, "render_pdf", broken)
    enter(client, rennes_2021.edition, rennes)
    page = client.get(receipt_url(), follow=True)
    assert page.status_code == 200
    assert page.redirect_chain == [(reverse("answering:answers", args=[2021]), 302)]
    assert "n'a pas pu être produit" in page.content.decode().replace("&#x27;", "'")
    assert "Accusé de réception non produit" in caplog.text


# -- The acknowledgement e-mail --------------------------------------------------------------


def receipt_log(response: Response) -> EmailLog:
    invitation = enter(Client(), response.edition, response.collectivite)
    return EmailLog.objects.create(
        contact=invitation.contact,
        invitation=invitation,
        kind=EmailLog.Kind.RECEIPT,
        to_email=invitation.contact.email,
    )


def test_the_acknowledgement_carries_the_pdf(rennes_2021):
    message = build_message(receipt_log(rennes_2021))
    [(name, content, mimetype)] = message.attachments
    number = receipt.receipt_number(rennes_2021)
    assert name == f"accuse-de-reception-{number}.pdf"
    assert mimetype == "application/pdf"
    assert f"Numéro de reçu {number}" in pdf_text(content)
    assert "en pièce jointe l'accusé de réception (PDF)" in message.body


def test_the_acknowledgement_goes_without_the_pdf_when_it_cannot_be_drawn(
    rennes_2021, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(receipt, "render_pdf", broken)
    with caplog.at_level(logging.ERROR):
        message = build_message(receipt_log(rennes_2021))
    assert message.attachments == []
    assert "pièce jointe" not in message.body
    assert "Pièce jointe non produite" in caplog.text


def test_the_receipt_is_joined_to_acknowledgements_only(rennes_2021):
    log = receipt_log(rennes_2021)
    log.kind = EmailLog.Kind.INVITATION
    assert email_attachments.collect(log) == []


def test_a_response_reopened_before_its_acknowledgement_went_gets_no_pdf(rennes_2021):
    log = receipt_log(rennes_2021)
    Response.objects.filter(pk=rennes_2021.pk).update(status=Response.Status.DRAFT)
    message = build_message(log)
    assert message.attachments == []
    assert "pièce jointe" not in message.body


def test_an_acknowledgement_without_invitation_gets_no_pdf(rennes_2021):
    log = receipt_log(rennes_2021)
    log.invitation = None
    assert build_message(log).attachments == []


@pytest.mark.django_db(transaction=True)
def test_submitting_sends_the_acknowledgement_with_its_pdf(
    client, rennes, django_capture_on_commit_callbacks
):
    edition = open_edition(2021)
    response = store_draft(edition, rennes, planned_answers(edition, rennes, seed=7))
    enter(client, edition, rennes, "rose.legoff@ville-rennes.test")
    review = reverse("answering:review", args=[2021])
    version = re.search(r'name="version" value="(\d+)"', client.get(review).content.decode())
    confirm = re.findall(r'name="confirm" value="([^"]+)"', client.get(review).content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(review, {"version": version.group(1), "confirm": confirm})
    assert page.status_code == 302, page.content.decode()[:2000]
    response.refresh_from_db()
    [message] = mail.outbox
    assert message.to == ["rose.legoff@ville-rennes.test"]
    [(name, content, _mimetype)] = message.attachments
    assert name == f"accuse-de-reception-{receipt.receipt_number(response)}.pdf"
    text = pdf_text(content)
    assert receipt.french_moment(response.submitted_at).replace("\u00a0", " ") in text
    assert EmailLog.objects.get(kind=EmailLog.Kind.RECEIPT).status == EmailLog.Status.SENT


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_joins_the_pdf_to_the_acknowledgement(celery_worker, rennes, tmp_path):
    edition = open_edition(2021)
    response = store_draft(edition, rennes, planned_answers(edition, rennes, seed=7))
    invitation = enter(Client(), edition, rennes, "rose.legoff@ville-rennes.test")
    warnings = [w.code for w in filling.review(response).warnings]
    with transaction.atomic():
        filling.submit_response(
            response, response.version, warnings, contact=invitation.contact, invitation=invitation
        )
    log = EmailLog.objects.get(kind=EmailLog.Kind.RECEIPT)
    deadline = time.monotonic() + 90
    while log.status == EmailLog.Status.QUEUED:
        assert time.monotonic() < deadline, "le worker n'a pas envoyé l'accusé de réception"
        time.sleep(0.3)
        log.refresh_from_db()
    assert log.status == EmailLog.Status.SENT
    # The worker prints e-mails on its console (EMAIL_BACKEND of the fixture).
    output = (tmp_path / "worker.log").read_text()
    response.refresh_from_db()
    assert f'filename="accuse-de-reception-{receipt.receipt_number(response)}.pdf"' in output
    assert "Content-Type: application/pdf" in output
    assert "Pièce jointe non produite" not in output
