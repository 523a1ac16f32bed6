"""Public pages of the magic link: the confirmation page and the respondent's landing page."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from respondents import ratelimit
from respondents.access import close_respondent_session, open_respondent_session
from respondents.models import MagicLink

FAILED_LINKS_SCOPE = "magic-link-failures"


@never_cache
@require_http_methods(["GET", "POST"])
def magic_link(request, token: str):
    """GET only shows a button (mail scanners and previews act on nothing); POST opens."""
    link = MagicLink.find(token)
    if link is None:
        # Only guesses are counted and refused: a town hall's shared address keeps its links.
        ip = ratelimit.client_ip(request)
        if ratelimit.is_limited(FAILED_LINKS_SCOPE, ip, settings.RATELIMIT_TOKEN_FAILURES_PER_IP):
            return render(request, "respondents/too_many_attempts.html", status=429)
        ratelimit.hit(FAILED_LINKS_SCOPE, ip)
        return render(request, "respondents/link_invalid.html", {"reason": "unknown"}, status=404)
    invitation = link.invitation
    if link.is_revoked or link.is_expired():
        reason = "revoked" if link.is_revoked else "expired"
        if link.revoked_reason == MagicLink.RevokedReason.REPLACED:
            reason = "replaced"
        return render(request, "respondents/link_invalid.html", {"reason": reason}, status=410)
    if request.method == "POST":
        open_respondent_session(request, invitation, link)
        return redirect("answering:home", year=invitation.edition.year)
    return render(request, "respondents/link_confirm.html", {"invitation": invitation})


@require_POST
def respondent_logout(request, year: int):
    close_respondent_session(request)
    return render(request, "respondents/logged_out.html")
