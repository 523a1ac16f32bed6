"""The receipt of a submitted response: its number and its PDF (the answers as sent).

The number is derived, not stored: `BDL-<year>-<response id>-<check>`, where the check is four
characters of a hash of the response's id and its submission time. It stays the same for one
submission whenever it is drawn again, and changes when a reopened response is sent anew, so
that two receipts of different contents never share a number; no column, no migration.

The PDF is drawn from the same answer rows as "Mes réponses" and the printable page
(`display.answer_sheet`, template `surveys/includes/answer_sheet.html`).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format

from barometre.pdf import render_pdf
from respondents.models import EmailLog
from surveys.filling.display import answer_sheet
from surveys.filling.saving import clock
from surveys.models import Response

logger = logging.getLogger(__name__)

PREFIX = "BDL"
# Crockford's base 32: no I, L, O or U, which read like 1, 1, 0 and V.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_LENGTH = 4
PDF_TEMPLATE = "surveys/receipt_pdf.html"
PDF_MIMETYPE = "application/pdf"

Attachment = tuple[str, bytes, str]


def has_receipt(response: Response) -> bool:
    """Only a sent response (submitted or validated) has a receipt; a draft has none."""
    return response.status in Response.COUNTED_STATUSES and response.submitted_at is not None


def receipt_number(response: Response) -> str:
    """`BDL-2021-000123-7K4Q` for a sent response."""
    if response.submitted_at is None:
        raise ValueError("Une réponse non envoyée n'a pas d'accusé de réception.")
    moment = response.submitted_at.astimezone(UTC).isoformat(timespec="microseconds")
    digest = hashlib.sha256(f"{response.pk}|{moment}".encode()).digest()
    value = int.from_bytes(digest[:4], "big")
    check = "".join(_ALPHABET[(value >> (5 * i)) & 31] for i in range(CHECK_LENGTH))
    return f"{PREFIX}-{response.edition.year}-{response.pk:06d}-{check}"


def french_moment(moment: datetime) -> str:
    """`le 6 décembre 2026 à 14 h 05`, in French time."""
    local = timezone.localtime(moment)
    with translation.override("fr"):
        day = "1er" if local.day == 1 else str(local.day)
        return f"le {day} {date_format(local, 'F Y')} à {clock(moment)}"


def receipt_filename(response: Response) -> str:
    return f"accuse-de-reception-{receipt_number(response)}.pdf"


def receipt_context(response: Response) -> dict[str, Any]:
    edition = response.edition
    return {
        "response": response,
        "edition": edition,
        "collectivite": response.collectivite,
        "number": receipt_number(response),
        "submitted_on": french_moment(response.submitted_at or timezone.now()),
        "sheet": answer_sheet(response),
        "results_url": settings.SITE_URL + reverse("results:my-benchmark", args=[edition.year]),
    }


def render_receipt(response: Response) -> bytes:
    """The receipt's PDF; raises ValueError for a response not sent."""
    if not has_receipt(response):
        raise ValueError("Une réponse non envoyée n'a pas d'accusé de réception.")
    return render_pdf(PDF_TEMPLATE, receipt_context(response))


def draw_receipt(response: Response) -> bytes | None:
    """The receipt's PDF, or None (logged) when it cannot be drawn: a page offers the printable
    copy instead of failing."""
    try:
        return render_receipt(response)
    except Exception:
        # WeasyPrint may fail in many ways (a missing system library is an OSError at import).
        logger.exception("Accusé de réception non produit pour la réponse %s", response.pk)
        return None


def download(response: Response) -> HttpResponse | None:
    """The receipt's PDF as a download, or None when it cannot be drawn (logged)."""
    document = draw_receipt(response)
    if document is None:
        return None
    attachment = HttpResponse(document, content_type=PDF_MIMETYPE)
    attachment["Content-Disposition"] = f'attachment; filename="{receipt_filename(response)}"'
    patch_cache_control(attachment, private=True, no_store=True)
    return attachment


def receipt_attachments(log: EmailLog) -> list[Attachment]:
    """The receipt joined to the acknowledgement e-mail (connected in `BackofficeConfig.ready`)."""
    invitation = log.invitation
    if invitation is None:
        return []
    response = (
        Response.objects.select_related("edition", "collectivite")
        .filter(edition_id=invitation.edition_id, collectivite_id=invitation.collectivite_id)
        .first()
    )
    if response is None or not has_receipt(response):
        return []
    return [(receipt_filename(response), render_receipt(response), PDF_MIMETYPE)]
