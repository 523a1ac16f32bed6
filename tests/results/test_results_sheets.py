"""At publication, each respondent receives by e-mail a PDF sheet of its answers beside its
peers': once per contact and publication, and even when the broker is down at that moment."""

import io
import time
from datetime import timedelta

import pypdf
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from exports.results.models import ResultsSheet
from exports.results.sheets import queue_results_sheets
from respondents.models import Collectivite, Contact, EmailLog, Invitation
from respondents.services.emails import requeue_stale_emails
from surveys.backoffice import lifecycle
from surveys.models import Edition
from tests.conftest import reset_celery_pools
from tests.respondents.test_smtp_delivery import Mailbox, _free_port
from tests.results.results_data import build_2021, collectivite, respond
from tests.results.test_my_benchmark import QUESTION_TEXTS


def build_edition() -> Edition:
    """The shared 2021 data (closed), worded questions, and ten more small communes."""
    edition = build_2021()
    for n in range(11, 21):
        respond(edition, collectivite(f"C{n}", 2500, "53"), {"etp_participation": 2})
    for code, text in QUESTION_TEXTS.items():
        edition.questions.filter(code=code).update(text=text)
    return edition


def invite(edition, code: str, email: str, revoked: bool = False) -> Contact:
    coll = Collectivite.objects.get(code=code)
    contact, _ = Contact.objects.get_or_create(collectivite=coll, email=email)
    Invitation.objects.create(
        edition=edition,
        collectivite=coll,
        contact=contact,
        revoked_at=timezone.now() if revoked else None,
    )
    return contact


def pdf_text(content: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(content)).pages
    text = " ".join(page.extract_text() for page in pages)
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


@pytest.fixture
def edition(db):
    edition = build_edition()
    invite(edition, "C1", "agnes@c1.test")
    invite(edition, "C1", "bruno@c1.test")
    invite(edition, "C6", "metropole@c6.test")
    invite(edition, "C2", "revoque@c2.test", revoked=True)
    invite(edition, "C8", "brouillon@c8.test")  # a draft: no result to send
    return edition


@pytest.mark.django_db
def test_publishing_mails_each_contact_of_each_respondent_its_pdf_sheet(
    client, alice, edition, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("backoffice:edition-status", args=[2021, "publier"]))
    edition.refresh_from_db()
    assert edition.status == Edition.Status.PUBLISHED
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_recipient) == ["agnes@c1.test", "bruno@c1.test", "metropole@c6.test"]
    message = by_recipient["agnes@c1.test"]
    assert message.subject == "Baromètre 2021 : les résultats de C1 comparés"
    assert "/resultats/2021/publics/" in message.body
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == ("barometre-2021-c1.pdf", "application/pdf")
    text = pdf_text(content)
    assert "C1 — résultats comparés" in text
    assert "C1 est comparée à 14 communes de moins de 5 000 habitants" in text
    assert "Combien d'ETP ?" in text and "Votre réponse : 0,5" in text
    assert "1,96" in text  # the peers' mean
    assert "etp_participation" not in text and "C15" not in text
    metropole = pdf_text(by_recipient["metropole@c6.test"].attachments[0][1])
    assert "C6 est comparée à l'ensemble des 17 collectivités répondantes" in metropole
    assert EmailLog.objects.filter(kind="results", status="sent").count() == 3


@pytest.mark.django_db
def test_a_publication_never_sends_a_sheet_twice_and_a_new_one_sends_again(
    alice, edition, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.change_status(edition, "publier", alice)
    assert len(mail.outbox) == 3
    assert queue_results_sheets(edition, publication=1) == 0
    # Published again later (after a correction): a second publication, sent once more.
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.CLOSED)
    edition.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.change_status(edition, "publier", alice)
    assert len(mail.outbox) == 6
    assert sorted(ResultsSheet.objects.values_list("publication", flat=True)) == [1] * 3 + [2] * 3


@pytest.mark.django_db
def test_with_nobody_invited_publishing_sends_nothing(alice, django_capture_on_commit_callbacks):
    edition = build_edition()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.change_status(edition, "publier", alice)
    assert mail.outbox == [] and not EmailLog.objects.exists()


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    mailbox.port = port
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def worker_env(smtp_server):
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server.port),
    }


@pytest.fixture
def broker_down():
    """Celery pointed at a port where nothing listens, as when Redis is down."""
    from barometre.celery import app

    keys = ("broker_url", "result_backend", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    dead = "redis://127.0.0.1:9/0"
    app.conf.update(broker_url=dead, result_backend=dead, task_always_eager=False)
    reset_celery_pools(app)
    yield
    app.conf.update(saved)
    reset_celery_pools(app)


@pytest.mark.worker
@pytest.mark.smtp
def test_sheets_published_while_the_broker_is_down_go_out_once_it_is_back(
    transactional_db, client, alice, broker_down, smtp_server, request
):
    edition = build_edition()
    invite(edition, "C1", "agnes@c1.test")
    invite(edition, "C4", "mairie@c4.test")
    client.force_login(alice)
    started = time.monotonic()
    page = client.post(reverse("backoffice:edition-status", args=[2021, "publier"]))
    assert page.status_code == 302 and time.monotonic() - started < 10
    assert Edition.objects.get(pk=edition.pk).status == Edition.Status.PUBLISHED
    queued = EmailLog.objects.filter(kind="results", status="queued")
    assert queued.count() == 2 and smtp_server.messages == []

    # The broker is back with a real worker: the beat job hands the e-mails on, each sent once.
    request.getfixturevalue("celery_worker")
    assert requeue_stale_emails(now=timezone.now() + timedelta(minutes=3)) == 2
    deadline = time.monotonic() + 120
    while queued.exists():
        assert time.monotonic() < deadline, "les fiches de résultats ne sont pas parties"
        time.sleep(0.3)
    assert set(EmailLog.objects.values_list("status", "attempts")) == {("sent", 1)}
    by_recipient = {m["To"]: m for m in smtp_server.messages}
    assert sorted(by_recipient) == ["agnes@c1.test", "mairie@c4.test"]
    [attachment] = list(by_recipient["mairie@c4.test"].iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    text = pdf_text(attachment.get_content())
    # C4 is the only commune of 10,000 to 50,000: compared with all 15 communes.
    assert "C4 est comparée à 15 communes" in text
    assert "Moins de 5 autres communes de 10 000 à 50 000 habitants ont répondu" in text
