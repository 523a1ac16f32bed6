"""The respondent session: what a magic link opens, and the guard of every respondent page.

A respondent has no account. Confirming a magic link (POST) stores, per edition, the
collectivité, contact and invitation in the session; every respondent view then reads them back
with `get_respondent`, which re-checks that the invitation is still valid. Respondent URLs carry
no collectivité id: it always comes from the session.
"""

from dataclasses import dataclass
from functools import wraps

from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from barometre.errors import json_error, wants_json
from barometre.prepared import PreparedQuery
from respondents.forms import ResendLinkForm
from respondents.models import Collectivite, Contact, Invitation, MagicLink
from surveys.models import Edition

SESSION_KEY = "respondent_access"


@dataclass(frozen=True)
class RespondentAccess:
    collectivite: Collectivite
    edition: Edition
    contact: Contact
    invitation: Invitation


class RespondentRequest(HttpRequest):
    """The request of a view guarded by `respondent_required`, which sets `respondent`.

    For annotations only: the request is Django's own, with the attribute added.
    """

    respondent: RespondentAccess


def open_respondent_session(
    request: HttpRequest, invitation: Invitation, link: MagicLink | None = None
) -> None:
    """Give this browser access to the invitation's edition, for its collectivité.

    With the link that opened it, the session ends when that link is revoked."""
    access = dict(request.session.get(SESSION_KEY, {}))
    # A new session key: a session id planted before the link was opened is worthless.
    request.session.cycle_key()
    access[str(invitation.edition_id)] = {
        "collectivite": invitation.collectivite_id,
        "contact": invitation.contact_id,
        "invitation": invitation.pk,
        "link": link.pk if link else None,
    }
    request.session[SESSION_KEY] = access
    invitation.mark_used()
    if link is not None:
        MagicLink.objects.filter(pk=link.pk).update(last_used_at=invitation.last_used_at)


def close_respondent_session(request: HttpRequest) -> None:
    """Forget every respondent access of this browser (staff sign-in, if any, is kept)."""
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()


def get_respondent(request: HttpRequest, year: int) -> RespondentAccess | None:
    """The access this browser holds to the edition of `year`, None without one (or when its
    invitation is no longer valid, or the link that opened it was revoked).

    One query: the invitation named by the session, with its edition, collectivité and contact,
    and whether the link that opened the session is still unrevoked."""
    entries = {
        int(edition_id): entry
        for edition_id, entry in request.session.get(SESSION_KEY, {}).items()
        if entry and str(edition_id).isdigit()
    }
    if not entries:
        return None
    valid = [
        (edition_id, entry)
        for edition_id, entry in entries.items()
        if all(type(entry.get(key)) is int for key in ("invitation", "collectivite", "contact"))
    ]
    if not valid:
        return None
    invitation = _INVITATION.first(
        year=year,
        invitations=[entry["invitation"] for _, entry in valid],
        editions=[edition_id for edition_id, _ in valid],
        collectivites=[entry["collectivite"] for _, entry in valid],
        contacts=[entry["contact"] for _, entry in valid],
        links=[entry["link"] for _, entry in valid if type(entry.get("link")) is int],
    )
    if invitation is None or not invitation.is_valid():
        return None
    if entries[invitation.edition_id].get("link") and not invitation.link_unrevoked:
        return None
    return RespondentAccess(
        collectivite=invitation.collectivite,
        edition=invitation.edition,
        contact=invitation.contact,
        invitation=invitation,
    )


def _invitation_named(
    year: int,
    invitations: list[int],
    editions: list[int],
    collectivites: list[int],
    contacts: list[int],
    links: list[int],
) -> QuerySet[Invitation]:
    """The invitation the session names for the edition of `year` (one per edition it holds),
    with its edition, collectivité and contact, and whether the link that opened the session
    is still unrevoked (`link_unrevoked`)."""
    named = Q()
    for pk, edition_id, collectivite_id, contact_id in zip(
        invitations, editions, collectivites, contacts, strict=True
    ):
        named |= Q(
            pk=pk, edition_id=edition_id, collectivite_id=collectivite_id, contact_id=contact_id
        )
    unrevoked = Exists(
        MagicLink.objects.filter(
            pk__in=links, invitation_id=OuterRef("pk"), revoked_at__isnull=True
        )
    )
    return (
        Invitation.objects.select_related("edition", "collectivite", "contact")
        .filter(named, edition__year=year)
        .annotate(link_unrevoked=unrevoked if links else Value(False))
    )


# Every respondent page runs it first: compiled once per process (barometre/prepared.py).
_INVITATION = PreparedQuery(_invitation_named)


SESSION_ENDED = (
    "Votre session est terminée : cette page n'est accessible qu'avec le lien personnel reçu "
    "par courriel, dans le navigateur où il a été ouvert. Vos réponses déjà enregistrées sont "
    "conservées."
)


def session_ended(request: HttpRequest, as_json: bool = False) -> HttpResponse:
    """What a respondent URL answers without the session it needs.

    403, not 404: the page exists, this browser may not see it (again) until it opens a new
    link; not 401, which promises an HTTP authentication challenge (`WWW-Authenticate`) that a
    magic link is not. The same answer whatever the year, the page or the session the browser
    holds, so that it never tells which collectivité or edition an address is for.
    """
    if as_json or wants_json(request):
        return json_error(SESSION_ENDED, 403, session_ended=True)
    return render(request, "respondents/session_ended.html", {"form": ResendLinkForm()}, status=403)


def respondent_required(view):
    """For views whose URL has an `int:year` kwarg: sets `request.respondent`, else the page
    "Votre session est terminée" (403)."""
    return _guarded(view, as_json=False)


def respondent_json_required(view):
    """`respondent_required` for the JSON endpoints: the refusal is JSON whatever the request
    accepts."""
    return _guarded(view, as_json=True)


def _guarded(view, as_json: bool):
    @wraps(view)
    @never_cache
    def wrapper(request, *args, **kwargs):
        respondent = get_respondent(request, kwargs["year"])
        if respondent is None:
            return session_ended(request, as_json)
        request.respondent = respondent
        return view(request, *args, **kwargs)

    return wrapper
