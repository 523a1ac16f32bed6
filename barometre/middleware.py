"""Request hygiene before any view: query parameters lose their control characters."""

from django.http import HttpRequest, QueryDict

from barometre.textclean import strip_controls


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
