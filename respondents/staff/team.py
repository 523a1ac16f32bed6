"""Staff screens of turnover: "Confirmer les contacts" and the contacts' changes (audit)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from barometre.roles import staff_required
from barometre.tasks import send_task
from respondents.classification import TYPES_COLLECTIVITE
from respondents.models import Contact, ContactEvent
from respondents.regions import REGIONS
from respondents.services import team
from respondents.services.invitations import collectivites_matching
from respondents.services.rgpd import ERASED_DOMAIN
from respondents.tasks import request_contact_confirmations

PAGE_SIZE = 50
STATUSES = {
    "confirmed": "Confirmés",
    "requested": "Non confirmés",
    "left": "Plus en poste",
    "never_asked": "Jamais interrogés",
}


def _selection(params) -> dict:
    return {
        "type_collectivite": params.get("type", "")[:20],
        "region": params.get("region", "")[:3],
    }


@staff_required
@require_http_methods(["GET", "POST"])
def confirm_contacts(request):
    """Ask every contact of a selection (e.g. all communes) whether they are still in post."""
    params = request.POST if request.method == "POST" else request.GET
    selection = _selection(params)
    contacts = Contact.objects.filter(collectivite__in=collectivites_matching(**selection)).exclude(
        email__endswith="@" + ERASED_DOMAIN
    )
    if request.method == "POST":
        # The worker writes and queues tens of thousands of e-mails; this request does when the
        # broker is down.
        arguments = (selection["type_collectivite"], selection["region"])
        count = team.contacts_to_confirm(*arguments).count()
        if not send_task(request_contact_confirmations, arguments):
            count = team.request_confirmations(team.contacts_to_confirm(*arguments))
        messages.success(request, f"Demande de confirmation en cours d'envoi à {count} contact(s).")
        return redirect(
            f"{request.path}?type={selection['type_collectivite']}&region={selection['region']}"
        )
    status = request.GET.get("statut", "")
    listed = contacts.select_related("collectivite").order_by(
        "-confirmation_answered_at", "collectivite__name", "pk"
    )
    if status in STATUSES:
        listed = listed.filter(confirmation="" if status == "never_asked" else status)
    return render(
        request,
        "respondents/staff/confirm_contacts.html",
        {
            "selection": selection,
            "types": TYPES_COLLECTIVITE,
            "regions": REGIONS,
            "counts": team.confirmation_counts(contacts),
            "statuses": STATUSES,
            "status": status,
            "page": Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page")),
        },
    )


@staff_required
def contact_events(request):
    """Colleagues invited by agents, confirmations, departures and successors, newest first."""
    events = ContactEvent.objects.select_related("contact", "other", "collectivite")
    return render(
        request,
        "respondents/staff/contact_events.html",
        {"page": Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))},
    )
