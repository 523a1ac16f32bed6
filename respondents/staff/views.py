"""Staff screens: referential search, contacts, invitations, access requests, reminders."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from barometre.roles import staff_required
from barometre.tasks import send_task
from respondents.forms import ContactForm, ContactsUploadForm, ReminderScheduleForm
from respondents.models import (
    AccessRequest,
    Collectivite,
    Contact,
    EmailLog,
    Invitation,
    MagicLink,
)
from respondents.services import access_requests, invitations, listing, reminders
from respondents.staff.upload import UploadError, parse_contacts
from respondents.tasks import send_edition_reminders
from surveys.models import Edition

PAGE_SIZE = 50


COLLECTIVITE_COLUMNS = {
    "nom": ("search_name",),
    "type": (listing.type_order(), "search_name"),
    "code": ("code",),
    "departement": ("departement_code", "search_name"),
    "population": ("population",),
}
ACTIVITY = {"active": "Actives", "inactive": "Disparues du référentiel"}


@staff_required
def collectivites(request):
    filters = listing.ListFilterForm(
        request.GET, statuses=ACTIVITY, status_label="Référentiel", all_statuses="Toutes"
    )
    found = listing.filter_collectivites(Collectivite.objects.all(), filters)
    if activity := filters.value("statut"):
        found = found.filter(is_active=activity == "active")
    found, sort = listing.sort(
        found, request.GET.get(listing.SORT_PARAMETER), COLLECTIVITE_COLUMNS, "-population"
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "respondents/staff/collectivites.html",
        {"filters": filters, "sort": sort, "page": page},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def collectivite_detail(request, pk: int):
    collectivite = get_object_or_404(Collectivite, pk=pk)
    form = ContactForm(request.POST or None, collectivite=collectivite)
    if request.method == "POST" and form.is_valid():
        contact = form.save(commit=False)
        contact.collectivite = collectivite
        contact.save()
        messages.success(request, f"Contact {contact.email} ajouté.")
        return redirect("backoffice:collectivite", pk=pk)
    contacts = collectivite.contacts.annotate(invitation_count=Count("invitations"))
    return render(
        request,
        "respondents/staff/collectivite.html",
        {
            "collectivite": collectivite,
            "contacts": contacts,
            "form": form,
            "invitations": collectivite.invitations.select_related("edition", "contact"),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def contact_detail(request, pk: int):
    contact = get_object_or_404(Contact.objects.select_related("collectivite"), pk=pk)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Contact enregistré.")
        return redirect("backoffice:contact", pk=pk)
    return render(
        request,
        "respondents/staff/contact.html",
        {
            "contact": contact,
            "form": form,
            "email_logs": contact.email_logs.select_related("invitation__edition")[:100],
            "links": MagicLink.objects.filter(invitation__contact=contact).select_related(
                "invitation__edition"
            )[:100],
        },
    )


INVITATION_COLUMNS = {
    "nom": ("search_name",),
    "type": (listing.type_order(), "search_name"),
    "population": ("population",),
}


@staff_required
@require_POST
def revoke_link(request, pk: int):
    link = get_object_or_404(MagicLink.objects.select_related("invitation__contact"), pk=pk)
    link.revoke()
    messages.success(request, "Lien révoqué ; les autres liens du contact restent valables.")
    return redirect("backoffice:contact", pk=link.invitation.contact_id)


@staff_required
@require_POST
def revoke_contact_links(request, pk: int):
    contact = get_object_or_404(Contact, pk=pk)
    count = invitations.revoke_contact_links(contact)
    messages.success(request, f"{count} lien(s) révoqué(s) pour {contact.email}.")
    return redirect("backoffice:contact", pk=pk)


def _count_contacts(collectivites, edition) -> None:
    """Contacts and current invitations of one page of collectivités, in two small queries."""
    ids = [c.pk for c in collectivites]
    contacts = dict(
        Contact.objects.filter(collectivite_id__in=ids)
        .values_list("collectivite_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    invited = dict(
        Invitation.objects.filter(collectivite_id__in=ids, edition=edition, revoked_at__isnull=True)
        .values_list("collectivite_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for collectivite in collectivites:
        collectivite.contact_count = contacts.get(collectivite.pk, 0)
        collectivite.invited_count = invited.get(collectivite.pk, 0)


@staff_required
@require_http_methods(["GET", "POST"])
def edition_invitations(request, year: int):
    edition = get_object_or_404(Edition, year=year)
    filters = listing.ListFilterForm(request.GET if request.method == "GET" else request.POST)
    matching = listing.filter_collectivites(Collectivite.objects.filter(is_active=True), filters)
    if request.method == "POST":
        if request.POST.get("scope") == "all":
            chosen = matching
        else:
            ids = [int(pk) for pk in request.POST.getlist("collectivite") if pk.isdigit()]
            chosen = matching.filter(pk__in=ids)
        if not chosen.exists():
            messages.error(request, "Cochez au moins une collectivité, ou choisissez « toutes ».")
        elif not invitations.reach(chosen, edition).emails:
            messages.error(
                request,
                "Aucun contact de cette sélection ne peut recevoir d'invitation : "
                "rien n'est envoyé.",
            )
        else:
            outcome = invitations.invite_collectivites(
                chosen.prefetch_related("contacts"), edition, user=request.user
            )
            messages.success(
                request,
                f"{len(outcome.invited)} invitation(s) en cours d'envoi ; "
                f"{outcome.already_invited} contact(s) déjà invité(s) ; "
                f"{outcome.opted_out} contact(s) ne voulant plus de courriels, non invité(s) ; "
                f"{outcome.answered} collectivité(s) ayant déjà répondu ; "
                f"{len(outcome.without_contact)} collectivité(s) sans contact, non invitée(s).",
            )
        return redirect(request.get_full_path())
    matching, sort = listing.sort(
        matching, request.GET.get(listing.SORT_PARAMETER), INVITATION_COLUMNS, "-population"
    )
    page = Paginator(matching, PAGE_SIZE).get_page(request.GET.get("page"))
    _count_contacts(page.object_list, edition)
    reach = invitations.reach(matching, edition)
    sent = Invitation.objects.filter(edition=edition).select_related("contact", "collectivite")
    return render(
        request,
        "respondents/staff/invitations.html",
        {
            "edition": edition,
            "filters": filters,
            "sort": sort,
            "page": page,
            "total": page.paginator.count,
            "reach": reach,
            "invitations": Paginator(sent, PAGE_SIZE).get_page(request.GET.get("invitations")),
            "upload_form": ContactsUploadForm(),
        },
    )


@staff_required
@require_POST
def upload_contacts(request, year: int):
    edition = get_object_or_404(Edition, year=year)
    form = ContactsUploadForm(request.POST, request.FILES)
    errors: list[str] = []
    if form.is_valid():
        try:
            rows, errors = parse_contacts(form.cleaned_data["file"])
        except UploadError as exc:
            errors = [str(exc)]
        if not errors:
            sent = invitations.invite_uploaded_contacts(rows, edition, user=request.user)
            messages.success(request, f"{len(sent)} contact(s) importé(s) et invité(s).")
            return redirect("backoffice:invitations", year=year)
    return render(
        request,
        "respondents/staff/upload_errors.html",
        {"edition": edition, "upload_form": form, "row_errors": errors},
        status=400,
    )


@staff_required
@require_POST
def revoke_invitation(request, pk: int):
    invitation = get_object_or_404(Invitation.objects.select_related("edition"), pk=pk)
    invitation.revoke(request.user)
    messages.success(request, f"Lien de {invitation.contact.email} révoqué.")
    return redirect("backoffice:invitations", year=invitation.edition.year)


@staff_required
@require_POST
def resend_invitation(request, pk: int):
    invitation = get_object_or_404(Invitation.objects.select_related("edition", "contact"), pk=pk)
    invitations.invite(invitation.contact, invitation.edition, user=request.user)
    messages.success(request, f"Nouveau lien envoyé à {invitation.contact.email}.")
    return redirect("backoffice:invitations", year=invitation.edition.year)


ACCESS_REQUEST_COLUMNS = {
    "date": ("created_at",),
    "collectivite": ("collectivite__search_name",),
    "demandeur": ("last_name", "first_name"),
    "edition": ("edition__year",),
    "decision": ("status", "created_at"),
}


@staff_required
def access_request_list(request):
    # Pending requests by default: they are the ones to act on; an empty status shows all.
    params = request.GET.copy()
    params.setdefault("statut", AccessRequest.Status.PENDING)
    filters = listing.ListFilterForm(
        params,
        search_help="Nom ou adresse du demandeur ; nom, code INSEE ou SIREN de la collectivité.",
        statuses=dict(AccessRequest.Status.choices),
        status_label="Décision",
        all_statuses="Toutes les demandes",
    )
    requests_ = listing.filter_collectivites(
        AccessRequest.objects.select_related("collectivite", "edition", "decided_by"),
        filters,
        prefix="collectivite__",
        search_also=listing.person_matches,
    )
    if (status := filters.value("statut")) in AccessRequest.Status.values:
        requests_ = requests_.filter(status=status)
    requests_, sort = listing.sort(
        requests_, request.GET.get(listing.SORT_PARAMETER), ACCESS_REQUEST_COLUMNS, "-date"
    )
    return render(
        request,
        "respondents/staff/access_requests.html",
        {
            "page": Paginator(requests_, PAGE_SIZE).get_page(request.GET.get("page")),
            "filters": filters,
            "sort": sort,
        },
    )


@staff_required
@require_POST
def decide_access_request(request, pk: int, decision: str):
    if decision not in ("accepter", "refuser"):
        raise Http404
    access_request = get_object_or_404(AccessRequest, pk=pk)
    try:
        if decision == "accepter":
            access_requests.approve(access_request, request.user)
            messages.success(
                request, f"Demande acceptée : invitation envoyée à {access_request.email}."
            )
        else:
            access_requests.refuse(access_request, request.user)
            messages.success(request, f"Demande de {access_request.email} refusée.")
    except access_requests.AlreadyDecided:
        messages.error(request, "Cette demande a déjà été traitée.")
    return redirect("backoffice:access-requests")


@staff_required
def email_log(request):
    """The e-mails sent to contacts, newest first; `?statut=failed` for the failures."""
    status = request.GET.get("statut", "")
    logs = EmailLog.objects.select_related("contact__collectivite")
    if status in EmailLog.Status.values:
        logs = logs.filter(status=status)
    return render(
        request,
        "respondents/staff/emails.html",
        {
            "logs": Paginator(logs, PAGE_SIZE).get_page(request.GET.get("page")),
            "status": status,
            "statuses": EmailLog.Status.choices,
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def edition_reminders(request, year: int):
    """The schedule, a reminder sent now, and why each contact left out gets none."""
    edition = get_object_or_404(Edition, year=year)
    schedule = reminders.schedule_of(edition)
    action = request.POST.get("action")
    form = ReminderScheduleForm(request.POST if action == "programme" else None, instance=schedule)
    result = None
    if action == "envoyer":
        key = reminders.manual_key()
        # Said at once: who gets the reminder and why the others do not; the worker queues the
        # e-mails (thousands of them), or this request does when the broker is down.
        result = reminders.plan_reminders(edition, key)
        if send_task(send_edition_reminders, (edition.pk, key)):
            result.sent = len(result.to_remind)
        else:
            result = reminders.send_reminders(edition, key)
    elif action == "programme" and form.is_valid():
        form.save()
        messages.success(request, "Programme de relances enregistré.")
        return redirect("backoffice:reminders", year=year)
    plan = None if result else reminders.plan_reminders(edition, reminders.manual_key())
    recent = EmailLog.objects.filter(
        kind=EmailLog.Kind.REMINDER, invitation__edition=edition
    ).select_related("contact__collectivite")[:50]
    return render(
        request,
        "respondents/staff/reminders.html",
        {
            "edition": edition,
            "form": form,
            "schedule": schedule,
            "plan": plan,
            "result": result,
            "recent": recent,
        },
    )
