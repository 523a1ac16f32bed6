"""Error pages in French, in the site's look, or JSON for the scripts that ask for JSON.

Django's default 400/403/404/500 answers are English; these handlers (`barometre/urls.py`) and
`csrf_failure` (`CSRF_FAILURE_VIEW`) answer `templates/<status>.html`, or `{"ok": false,
"error": …, "message": …}` when the request asks for JSON (the questionnaire's autosave sends
`Accept: application/json`). A page that cannot be rendered (the database is gone, a context
processor fails on a forged Host) falls back to the template without request context, then to
plain French text: an error page never raises.
"""

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

MESSAGES = {
    400: "La requête est incomplète ou illisible : rien n'a été enregistré de cette action.",
    403: "Vous n'avez pas accès à cette page.",
    404: "Cette page n'existe pas, ou plus.",
    405: (
        "Cette adresse ne s'ouvre pas directement : elle répond à un bouton d'une page. "
        "Revenez à la page précédente."
    ),
    500: (
        "Une erreur inattendue s'est produite : l'équipe est prévenue. Ce qui avait déjà été "
        "enregistré est conservé ; réessayez dans quelques instants."
    ),
}
CSRF_MESSAGE = (
    "Cette page a expiré (jeton de sécurité périmé ou cookies refusés) : rien n'a été enregistré "
    "de cette action. Rechargez la page, puis recommencez."
)


def wants_json(request: HttpRequest) -> bool:
    """A script asking for JSON (fetch with `Accept: application/json`), not a browser tab."""
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def json_error(message: str, status: int, **extra: object) -> JsonResponse:
    """The answering side's JSON error: `error` for any client, `message` as filling.js reads."""
    return JsonResponse({"ok": False, "error": message, "message": message, **extra}, status=status)


def error_page(
    request: HttpRequest, status: int, message: str = "", template: str = ""
) -> HttpResponse:
    """The French page (or JSON) for `status`; never raises."""
    message = message or MESSAGES[status]
    if wants_json(request):
        return json_error(message, status)
    template = template or f"{status}.html"
    context = {"message": message, "status": status}
    try:
        body = render_to_string(template, context, request=request)
    except Exception:  # noqa: BLE001 - a context processor may need what failed
        try:
            body = render_to_string(template, context)
        except Exception:  # noqa: BLE001 - the page that needs nothing
            logger.exception("Page d'erreur %s impossible à afficher", status)
            return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without request context (no database, no session): 500.html stands alone."""
    if wants_json(request):
        return json_error(MESSAGES[500], 500)
    try:
        body = render_to_string("500.html", {"message": MESSAGES[500]})
    except Exception:  # noqa: BLE001 - the page that needs nothing
        logger.exception("Page d'erreur 500 impossible à afficher")
        return HttpResponse(MESSAGES[500], status=500, content_type="text/plain; charset=utf-8")
    return HttpResponse(body, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(request, 403, CSRF_MESSAGE)


class MethodNotAllowedPageMiddleware:
    """`require_POST` answers 405 with an empty body: a French page (or JSON) instead, with
    the `Allow` header kept. Answers that already have a body (the API's) are left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or getattr(response, "streaming", False):
            return response
        if response.content:
            return response
        page = error_page(request, 405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page
