"""The staff inbox of the conversations with the agents (flags and their replies)."""

from django.core.paginator import Paginator
from django.shortcuts import render

from barometre.roles import staff_required
from surveys.backoffice import conversation
from surveys.models import Edition

INBOX_PAGE_SIZE = 50
ALL = "tous"


@staff_required
def inbox(request):
    status = request.GET.get("statut", "open")
    if status not in conversation.INBOX_STATUSES:
        status = ALL
    editions = list(Edition.objects.order_by("-year").values_list("year", flat=True))
    try:
        year: int | None = int(request.GET.get("edition", ""))
    except ValueError:
        year = None
    if year not in editions:
        year = None
    threads = conversation.inbox("" if status == ALL else status, year)
    page = Paginator(threads, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/conversations.html",
        {
            "page": page,
            "status": status,
            "status_choices": {**conversation.INBOX_STATUSES, ALL: "Tous"},
            "year": year,
            "editions": editions,
            "awaiting": conversation.threads_awaiting_staff(request.user).count(),
        },
    )
