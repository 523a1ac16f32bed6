"""Public pages without a session: resend my link, reminder opt-out."""

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from barometre.tasks import enqueue_on_commit
from respondents import ratelimit
from respondents.forms import ResendLinkForm
from respondents.services.emails import contact_from_opt_out_token
from respondents.tasks import send_resend_links


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
