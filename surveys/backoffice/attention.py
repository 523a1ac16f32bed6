"""What needs the team's attention today, on the back-office's home.

A small registry of item functions: each takes the user and the current time and returns the
items it has to show (a label, a count, the URL of the filtered screen), none when all is well.
`register(*roles)` adds one; the home lists the items of the functions the user's roles allow,
in the order of registration.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from barometre.roles import ANALYSTS, STAFF, user_roles
from exports.models import ExportJob
from respondents.models import AccessRequest, EmailLog
from surveys.backoffice import conversation, review
from surveys.models import Edition, Response

SOON = timedelta(days=7)
# Failed e-mails stay on the home this long; older ones are in the e-mail log.
RECENT_FAILURES = timedelta(days=7)


@dataclass(frozen=True)
class Item:
    label: str
    count: int
    url: str


User = AbstractBaseUser | AnonymousUser
ItemFunction = Callable[[User, datetime], Iterable[Item]]
_registry: list[tuple[frozenset[str], ItemFunction]] = []


def register(*roles: str) -> Callable[[ItemFunction], ItemFunction]:
    """Show the items of the decorated function to users holding one of `roles`."""

    def decorator(function: ItemFunction) -> ItemFunction:
        _registry.append((frozenset(roles), function))
        return function

    return decorator


def items_for(user: User, now: datetime | None = None) -> list[Item]:
    """Every item for this user today, in the registry's order."""
    now = now or timezone.now()
    roles = user_roles(user)
    return [
        item
        for allowed, function in _registry
        if allowed & roles
        for item in function(user, now)
        if item.count
    ]


def _by_edition(responses, label: str, status_filter: str) -> list[Item]:
    counts = (
        responses.order_by()
        .values_list("edition__year")
        .annotate(n=Count("pk", distinct=True))
        .order_by("-edition__year")
    )
    return [
        Item(
            f"{label} ({year})",
            n,
            reverse("backoffice:responses", args=[year]) + f"?statut={status_filter}",
        )
        for year, n in counts
    ]


@register(STAFF)
def responses_to_validate(user: User, now: datetime) -> list[Item]:
    responses = Response.objects.filter(status=Response.Status.SUBMITTED, is_synthetic=False)
    return _by_edition(responses, "Réponses envoyées, à valider", Response.Status.SUBMITTED)


@register(STAFF)
def responses_corrected_since_flagged(user: User, now: datetime) -> list[Item]:
    responses = review.corrected_since_flagged(Response.objects.filter(is_synthetic=False))
    return _by_edition(responses, "Réponses corrigées depuis un signalement, à revoir", "corrected")


@register(STAFF)
def responses_flagged(user: User, now: datetime) -> list[Item]:
    responses = review.flagged(Response.objects.filter(is_synthetic=False))
    return _by_edition(responses, "Réponses avec une incohérence signalée", "flagged")


@register(STAFF)
def agents_replies(user: User, now: datetime) -> list[Item]:
    """The conversations an agent answered since staff last read them."""
    count = conversation.threads_awaiting_staff().count()
    url = reverse("backoffice:conversations") + "?statut=open"
    return [Item("Réponses d'agents à lire", count, url)]


@register(STAFF)
def access_requests_waiting(user: User, now: datetime) -> list[Item]:
    count = AccessRequest.objects.filter(status=AccessRequest.Status.PENDING).count()
    return [Item("Demandes d'accès en attente", count, reverse("backoffice:access-requests"))]


@register(STAFF)
def emails_failed(user: User, now: datetime) -> list[Item]:
    count = EmailLog.objects.filter(
        status=EmailLog.Status.FAILED, updated_at__gte=now - RECENT_FAILURES
    ).count()
    return [
        Item(
            "Courriels en échec ces 7 derniers jours",
            count,
            reverse("backoffice:emails") + f"?statut={EmailLog.Status.FAILED}",
        )
    ]


@register(STAFF, ANALYSTS)
def exports_ready(user: User, now: datetime) -> list[Item]:
    count = (
        ExportJob.objects.filter(created_by_id=user.pk, status=ExportJob.Status.DONE)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .count()
    )
    return [Item("Vos exports prêts à télécharger", count, reverse("exports:list"))]


@register(STAFF, ANALYSTS)
def editions_opening_or_closing(user: User, now: datetime) -> list[Item]:
    """One item per edition that opens or closes within `SOON`."""
    soon = now + SOON
    editions = Edition.objects.filter(
        Q(status=Edition.Status.DRAFT, opens_at__range=(now, soon))
        | Q(status=Edition.Status.OPEN, closes_at__range=(now, soon))
    ).order_by("year")
    items = []
    for edition in editions:
        opening = edition.status == Edition.Status.DRAFT
        verb = "ouvre" if opening else "se termine"
        moment = (edition.opens_at if opening else edition.closes_at) or now
        days = (timezone.localdate(moment) - timezone.localdate(now)).days
        when = {0: "aujourd'hui", 1: "demain"}.get(days, f"dans {days} jours")
        url = reverse("backoffice:edition", args=[edition.year])
        items.append(Item(f"L'édition {edition.year} {verb} {when}", 1, url))
    return items
