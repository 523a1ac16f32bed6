"""At publication, each respondent receives by e-mail a PDF sheet of its answers beside its
peers' (the benchmark, as its page shows it).

The e-mails go through the respondents' queue (`EmailLog`, task `send_email`): they are logged
in the publishing transaction, so that a broker down at that moment delays them (the beat job
`requeue_stale_emails` sends them on) but loses none. The PDF is drawn in the worker, when the
message is built.
"""

from django.utils.text import slugify

from barometre.pdf import render_pdf
from barometre.tasks import send_task
from exports.results.benchmark import benchmark
from exports.results.counts import COUNTED_STATUSES
from exports.results.disclosure import MIN_RESPONDENTS
from exports.results.models import ResultsSheet
from respondents.models import EmailLog, Invitation
from respondents.services.emails import Attachment, UndeliverableEmail, send_email
from surveys.models import Edition, Response


def queue_results_sheets(edition: Edition, publication: int) -> int:
    """Log one e-mail per invited contact of each counted response, once per publication.

    Idempotent: what this publication already logged is not logged again. Returns how many
    e-mails were logged now.
    """
    responses = {
        r.collectivite_id: r
        for r in Response.objects.filter(edition=edition, status__in=COUNTED_STATUSES)
    }
    done = set(
        ResultsSheet.objects.filter(response__edition=edition, publication=publication).values_list(
            "response_id", "contact_id"
        )
    )
    invitations = (
        Invitation.objects.filter(
            edition=edition, collectivite_id__in=responses, revoked_at__isnull=True
        )
        .select_related("contact")
        .order_by("pk")
    )
    pending: dict[tuple[int, int], tuple[Response, Invitation]] = {}
    for invitation in invitations:
        response = responses[invitation.collectivite_id]
        key = (response.pk, invitation.contact_id)
        if key not in done:
            pending[key] = (response, invitation)
    logs = EmailLog.objects.bulk_create(
        EmailLog(
            contact=invitation.contact,
            invitation=invitation,
            kind=EmailLog.Kind.RESULTS,
            to_email=invitation.contact.email,
        )
        for _response, invitation in pending.values()
    )
    ResultsSheet.objects.bulk_create(
        ResultsSheet(
            response=response,
            contact_id=invitation.contact_id,
            publication=publication,
            email=log,
        )
        for (response, invitation), log in zip(pending.values(), logs, strict=True)
    )
    return len(logs)


def send_queued_sheets(edition_id: int, publication: int) -> int:
    """Hand every e-mail of this publication still queued to the e-mail task; how many."""
    queued = ResultsSheet.objects.filter(
        response__edition_id=edition_id,
        publication=publication,
        email__status=EmailLog.Status.QUEUED,
    ).values_list("email_id", flat=True)
    return sum(send_task(send_email, (log_id,)) for log_id in queued.iterator())


def sheet_attachments(log: EmailLog) -> list[Attachment]:
    """The PDF sheet joined to a results e-mail (registered for its kind in `ResultsConfig`)."""
    sheet = (
        ResultsSheet.objects.select_related("response__edition", "response__collectivite")
        .filter(email=log)
        .first()
    )
    if sheet is None:
        raise UndeliverableEmail("Aucune fiche de résultats n'accompagne ce courriel.")
    edition, collectivite = sheet.response.edition, sheet.response.collectivite
    data = benchmark(edition, collectivite)
    if data is None:
        raise UndeliverableEmail("La réponse n'est plus envoyée : pas de fiche de résultats.")
    content = render_pdf(
        "results/benchmark_sheet.html",
        {
            "edition": edition,
            "benchmark": data,
            "min_respondents": MIN_RESPONDENTS,
            "pdf": True,
        },
    )
    name = f"barometre-{edition.year}-{slugify(collectivite.name) or collectivite.pk}.pdf"
    return [(name, content, "application/pdf")]
