"""Turnover, respondent side: "Mon équipe" (invite a colleague) and "still in post?"."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from respondents import ratelimit
from respondents.access import RespondentRequest, respondent_required
from respondents.forms import ColleagueForm, ConfirmationForm
from respondents.models import Contact, Invitation
from respondents.services import team
from respondents.services.emails import contact_from_confirmation_token
from respondents.services.rgpd import is_erased

COLLEAGUE_SCOPE = "colleague-invite"


@respondent_required
@require_http_methods(["GET", "POST"])
def my_team(request: RespondentRequest, year: int):
    """The collectivité's contacts, and a form to invite a colleague (own collectivité only)."""
    respondent = request.respondent
    edition = respondent.edition
    can_invite = edition.status in Invitation.ACTIVE_EDITION_STATUSES
    form = ColleagueForm(
        request.POST if request.method == "POST" else None, collectivite=respondent.collectivite
    )
    invited = None
    if request.method == "POST" and can_invite:
        if not ratelimit.hit_and_check(
            COLLEAGUE_SCOPE,
            str(respondent.contact.pk),
            settings.RATELIMIT_COLLEAGUE_INVITES_PER_CONTACT,
        ):
            return render(request, "respondents/too_many_attempts.html", status=429)
        if form.is_valid():
            try:
                invited = team.invite_colleague(respondent.contact, edition, **form.cleaned_data)
            except team.AlreadyInTeam:
                form.add_error("email", "Cette personne est déjà contact de votre collectivité.")
            else:
                form = ColleagueForm(collectivite=respondent.collectivite)
    return render(
        request,
        "respondents/my_team.html",
        {
            "edition": edition,
            "collectivite": respondent.collectivite,
            "team": team.team_of(respondent.collectivite),
            "me": respondent.contact,
            "form": form,
            "can_invite": can_invite,
            "invited": invited,
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_contact(request, token: str):
    """The signed link of "Confirmer les contacts": GET asks (scanners change nothing), POST
    records the answer."""
    contact = contact_from_confirmation_token(token)
    if contact is None or is_erased(contact):
        return render(request, "respondents/confirm_contact.html", {"invalid": True}, status=404)
    if contact.confirmation == Contact.Confirmation.LEFT:
        return render(
            request, "respondents/confirm_contact.html", {"contact": contact, "done": True}
        )
    form = ConfirmationForm(request.POST if request.method == "POST" else None, contact=contact)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["still_in_post"]:
            team.confirm_still_in_post(contact)
        else:
            team.record_departure(contact, form.cleaned_data["successor_email"])
        contact.refresh_from_db()
        return render(
            request, "respondents/confirm_contact.html", {"contact": contact, "done": True}
        )
    return render(
        request,
        "respondents/confirm_contact.html",
        {"contact": contact, "form": form},
        status=400 if form.errors else 200,
    )
