"""Last edition's response of the same collectivité: what the prefill, the roster copy and the
warnings comparing with last year read. Kept apart so that none of them imports another."""

from __future__ import annotations

from surveys.models import Response


def previous_response(response: Response) -> Response | None:
    """The collectivité's response to the latest earlier edition it submitted."""
    return (
        Response.objects.filter(
            collectivite_id=response.collectivite_id,
            edition__year__lt=response.edition.year,
            status__in=Response.COUNTED_STATUSES,
        )
        .select_related("edition")
        .order_by("-edition__year")
        .first()
    )
