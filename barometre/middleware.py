"""Request hygiene: query parameters lose their control characters; a lost database answers
in French."""

import logging

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from barometre.errors import json_error, wants_json
from barometre.textclean import strip_controls

logger = logging.getLogger(__name__)


class CleanQueryParametersMiddleware:
    """`?q=%00` reached PostgreSQL, which refuses NUL in text: filters never see such bytes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.GET and any(
            strip_controls(value) != value
            for key, values in request.GET.lists()
            for value in [key, *values]
        ):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(strip_controls(key), [strip_controls(v) for v in values])
            cleaned._mutable = False
            request.GET = cleaned  # type: ignore[assignment]  # read-only again just above
        return self.get_response(request)


DATABASE_DOWN = (
    "La base de données est momentanément injoignable : rien n'a été enregistré de cette "
    "dernière action. Réessayez dans quelques instants."
)


class DatabaseUnavailableMiddleware:
    """A connection lost mid-request (restart, failover, terminated backend) answers a French
    503; the transaction it was in is rolled back by the server, so nothing is half-saved."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error(
            "Base de données perdue pendant %s %s : %s", request.method, request.path, exception
        )
        connection.close()  # unusable now; the next query opens a new one
        if wants_json(request):
            return json_error(DATABASE_DOWN, 503)
        try:
            return render(
                request, "database_unavailable.html", {"message": DATABASE_DOWN}, status=503
            )
        except Exception:  # noqa: BLE001 - still down: a page that needs nothing
            connection.close()
            return HttpResponse(DATABASE_DOWN, status=503, content_type="text/plain; charset=utf-8")
