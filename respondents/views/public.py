"""Public pages without a session: resend my link, opt-out, access requests, search."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from barometre.tasks import enqueue_on_commit
from respondents import ratelimit
from respondents.forms import AccessRequestForm, ResendLinkForm
from respondents.models import AccessRequest, Collectivite
from respondents.services.emails import contact_from_opt_out_token
from respondents.services.search import search_collectivites
from respondents.tasks import send_resend_links
from surveys.models import Edition


@never_cache
@require_http_methods(["GET", "POST"])
def resend_link(request):
    """Answers the same page whether or not the address is known; the task does the lookup."""
    form = ResendLinkForm(request.POST or None)
    if request.method == "POST":
        within_ip = ratelimit.hit_and_check(
            "resend-ip", ratelimit.client_ip(request), settings.RATELIMIT_RESEND_PER_IP
        )
        if form.is_valid():
            email = form.cleaned_data["email"]
            within_address = ratelimit.hit_and_check(
                "resend-address", email, settings.RATELIMIT_RESEND_PER_ADDRESS
            )
            if not (within_ip and within_address):
                return render(request, "respondents/too_many_attempts.html", status=429)
            enqueue_on_commit(send_resend_links, email)
            return render(request, "respondents/resend_link.html", {"sent": True})
        if not within_ip:
            return render(request, "respondents/too_many_attempts.html", status=429)
    return render(request, "respondents/resend_link.html", {"form": form})


@never_cache
@csrf_exempt  # The signed token is the credential; also serves RFC 8058 one-click POSTs.
@require_http_methods(["GET", "POST"])
def reminder_opt_out(request, token: str):
    """GET asks for confirmation (link scanners change nothing); POST opts out."""
    contact = contact_from_opt_out_token(token)
    if contact is None:
        return render(request, "respondents/opt_out.html", {"invalid": True}, status=404)
    if request.method == "POST" and not contact.opted_out_of_reminders:
        contact.opted_out_of_reminders = True
        contact.opted_out_at = timezone.now()
        contact.save(update_fields=["opted_out_of_reminders", "opted_out_at", "updated_at"])
    return render(
        request,
        "respondents/opt_out.html",
        {"contact": contact, "done": contact.opted_out_of_reminders},
    )


@require_GET
def collectivite_search_json(request):
    """Autocomplete helper; the pages themselves work without JavaScript."""
    results = search_collectivites(request.GET.get("q", ""), limit=10)
    return JsonResponse(
        {
            "results": [
                {
                    "id": c.pk,
                    "name": c.name,
                    "kind": c.get_kind_display(),
                    "code": c.code,
                    "departement": c.departement_code,
                }
                for c in results
            ]
        }
    )


@never_cache
@require_http_methods(["GET", "POST"])
def access_request(request):
    """A collectivité that was not invited finds itself in the referential and asks to take part."""
    edition = Edition.objects.filter(status=Edition.Status.OPEN).order_by("-year").first()
    if edition is None:
        return render(request, "respondents/access_request.html", {"edition": None})
    query = (request.POST.get("q") if request.method == "POST" else request.GET.get("q")) or ""
    results = search_collectivites(query) if query.strip() else []
    chosen = request.POST.get("collectivite", "")
    if chosen.isdigit() and not any(c.pk == int(chosen) for c in results):
        results += list(Collectivite.objects.filter(pk=int(chosen), is_active=True))
    form = AccessRequestForm(
        request.POST if request.method == "POST" else None, collectivites=results
    )
    if request.method == "POST":
        if not ratelimit.hit_and_check(
            "access:request",
            ratelimit.client_ip(request),
            settings.RATELIMIT_ACCESS_REQUESTS_PER_IP,
        ):
            return render(request, "respondents/too_many_attempts.html", status=429)
        if form.is_valid():
            data = form.cleaned_data
            AccessRequest.objects.get_or_create(
                edition=edition,
                collectivite=form.collectivites[data["collectivite"]],
                email=data["email"],
                status=AccessRequest.Status.PENDING,
                defaults={
                    "first_name": data["first_name"],
                    "last_name": data["last_name"],
                    "role": data["role"],
                },
            )
            return render(
                request, "respondents/access_request.html", {"edition": edition, "sent": True}
            )
    return render(
        request,
        "respondents/access_request.html",
        {"edition": edition, "form": form, "query": query, "results": results},
    )
