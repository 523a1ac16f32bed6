"""Last edition's response of the same collectivité: what the prefill, the roster copy and the
warnings comparing with last year read. Kept apart so that none of them imports another."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from surveys.models import Response

# Set on a response by `with_previous_id` (None: no earlier response counted).
PREVIOUS_ID = "previous_response_id"
# Where `previous_response` keeps what it found for such a response (one request's object).
_FOUND = "_previous_response"


def _earlier(collectivite_id: int | OuterRef, year: int) -> QuerySet[Response]:
    return Response.objects.filter(
        collectivite_id=collectivite_id,
        edition__year__lt=year,
        status__in=Response.COUNTED_STATUSES,
    ).order_by("-edition__year")


def with_previous_id(responses: QuerySet[Response], year: int) -> QuerySet[Response]:
    """The responses (to the edition of `year`) with the id of their collectivité's latest
    earlier counted response, read in the same query: `previous_response` then needs a query
    only when there is one."""
    earlier = _earlier(OuterRef("collectivite_id"), year).values("pk")[:1]
    return responses.annotate(**{PREVIOUS_ID: Subquery(earlier)})


def previous_response(response: Response) -> Response | None:
    """The collectivité's response to the latest earlier edition it submitted."""
    if PREVIOUS_ID not in response.__dict__:
        return (
            _earlier(response.collectivite_id, response.edition.year)
            .select_related("edition")
            .first()
        )
    if _FOUND not in response.__dict__:
        pk = response.__dict__[PREVIOUS_ID]
        earlier = Response.objects.filter(pk=pk).select_related("edition")
        response.__dict__[_FOUND] = earlier.first() if pk is not None else None
    return response.__dict__[_FOUND]
