"""Follow-up of an edition: who was invited, opened their link, started, submitted.

The collectivités followed for an edition are those invited to it (an invitation not revoked)
and those that have a response (entered by staff, for instance). Each gets one status, the
furthest step reached; the figures are computed by the database with grouping queries, overall
and by `type_collectivite`, `tranche_population` and région.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from respondents.classification import TRANCHE_LABELS, TRANCHES_POPULATION, TYPES_COLLECTIVITE
from respondents.models import Collectivite, Contact, Invitation, normalise_name
from respondents.regions import REGIONS, region_name
from respondents.services.reminders import send_reminders
from surveys.models import Answer, Edition, Response

INVITED = "invited"
OPENED = "opened"
STARTED = "started"
SUBMITTED = "submitted"
VALIDATED = "validated"
STATUS_LABELS = {
    INVITED: "Invitée, lien pas encore ouvert",
    OPENED: "Lien ouvert, aucune réponse",
    STARTED: "Réponse commencée",
    SUBMITTED: "Réponse envoyée",
    VALIDATED: "Réponse validée",
}
# Filter values of the list, beyond the statuses themselves.
NOT_SUBMITTED = "not_submitted"
STATUS_FILTERS = {**STATUS_LABELS, NOT_SUBMITTED: "Pas encore envoyée"}

GROUPINGS = {
    "type_collectivite": ("Type de collectivité", TYPES_COLLECTIVITE),
    "tranche_population": ("Tranche de population", TRANCHE_LABELS),
    "region": ("Région", REGIONS),
}


@contextmanager
def planned_without_jit() -> Iterator[None]:
    """Run the follow-up queries with PostgreSQL's JIT off.

    Their plans hold a dozen small subqueries: measured on 35,000 collectivités, the JIT spent
    seconds compiling plans that execute in milliseconds (bench/followup.py).
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def _type_expression() -> Case:
    epci = Collectivite.Kind.EPCI
    return Case(
        When(kind=epci, epci_type__in=Collectivite.METROPOLE_TYPES, then=Value("metropole")),
        When(kind=epci, then=Value("intercommunalite")),
        default="kind",
        output_field=CharField(),
    )


def _tranche_expression() -> Case:
    whens = []
    for code, _label, low, high in TRANCHES_POPULATION:
        bounds = Q(population__gte=low)
        if high is not None:
            bounds &= Q(population__lt=high)
        whens.append(When(bounds, then=Value(code)))
    return Case(*whens, default=Value(""), output_field=CharField())


def followed(edition: Edition) -> QuerySet:
    """The collectivités followed for `edition`, annotated with their step (`step`)."""
    invitations = Invitation.objects.filter(
        edition=edition, collectivite=OuterRef("pk"), revoked_at__isnull=True
    )
    response = Response.objects.filter(edition=edition, collectivite=OuterRef("pk"))
    answers = Answer.objects.filter(
        response__edition=edition, response__collectivite=OuterRef("pk")
    )
    # The followed set first, through two hashed semi-joins, so that the per-row subqueries
    # below only run for the collectivités of the edition, not for the whole referential.
    followed_ids = Q(
        pk__in=Invitation.objects.filter(edition=edition, revoked_at__isnull=True).values(
            "collectivite"
        )
    ) | Q(pk__in=Response.objects.filter(edition=edition).values("collectivite"))
    return (
        Collectivite.objects.filter(followed_ids)
        .annotate(
            is_invited=Exists(invitations),
            has_opened=Exists(invitations.filter(first_used_at__isnull=False)),
            response_status=Subquery(response.values("status")[:1]),
            response_id=Subquery(response.values("pk")[:1]),
            has_answers=Exists(answers),
            type_code=_type_expression(),
            tranche_code=_tranche_expression(),
        )
        .annotate(
            step=Case(
                When(response_status=Response.Status.VALIDATED, then=Value(VALIDATED)),
                When(response_status=Response.Status.SUBMITTED, then=Value(SUBMITTED)),
                When(has_answers=True, then=Value(STARTED)),
                When(has_opened=True, then=Value(OPENED)),
                default=Value(INVITED),
                output_field=CharField(),
            )
        )
    )


@dataclass
class Figures:
    """Counts of one group (or of the whole edition) and their rates over `total`."""

    key: str
    label: str
    total: int
    invited: int
    opened: int
    started: int
    submitted: int

    def rate(self, count: int) -> float | None:
        return round(100 * count / self.total, 1) if self.total else None

    @property
    def rates(self) -> dict[str, float | None]:
        return {
            name: self.rate(getattr(self, name))
            for name in ("invited", "opened", "started", "submitted")
        }


def _counts() -> dict:
    # "opened": a magic link was used, whatever came next; "started": a draft with answers;
    # "submitted" includes validated responses.
    return {
        "total": Count("pk"),
        "invited": Count("pk", filter=Q(is_invited=True)),
        "opened": Count("pk", filter=Q(has_opened=True)),
        "started": Count("pk", filter=Q(step=STARTED)),
        "submitted": Count("pk", filter=Q(step__in=(SUBMITTED, VALIDATED))),
    }


GROUP_FIELDS = {
    "type_collectivite": "type_code",
    "tranche_population": "tranche_code",
    "region": "region_code",
}
COUNT_NAMES = ("total", "invited", "opened", "started", "submitted")


def _summed(key: str, label: str, cells: list[dict]) -> Figures:
    return Figures(key, label, **{name: sum(c[name] for c in cells) for name in COUNT_NAMES})


def _in_listed_order(labels: dict[str, str]):
    """Sort key: the order of `labels` (types as the survey lists them, brackets by their
    lower bound, régions by code), unknown or empty keys last."""
    order = {key: position for position, key in enumerate(labels)}
    return lambda key: (order.get(key, len(order)), key)


def all_figures(edition: Edition) -> tuple[Figures, dict[str, list[Figures]]]:
    """The overall figures and each breakdown, from one query grouped by the three criteria."""
    cells = list(followed(edition).order_by().values(*GROUP_FIELDS.values()).annotate(**_counts()))
    breakdowns = {}
    for grouping, field in GROUP_FIELDS.items():
        _title, labels = GROUPINGS[grouping]
        groups: dict[str, list[dict]] = {}
        for cell in cells:
            groups.setdefault(cell[field] or "", []).append(cell)
        breakdowns[grouping] = [
            _summed(
                key,
                region_name(key) if grouping == "region" else labels.get(key, key or "—"),
                groups[key],
            )
            for key in sorted(groups, key=_in_listed_order(labels))
        ]
    return _summed("", "Ensemble", cells), breakdowns


def figures(edition: Edition) -> Figures:
    return all_figures(edition)[0]


def figures_by(edition: Edition, grouping: str) -> list[Figures]:
    return all_figures(edition)[1][grouping]


@dataclass
class ListFilters:
    status: str = ""
    type_collectivite: str = ""
    tranche_population: str = ""
    region: str = ""
    q: str = ""


def filtered(edition: Edition, filters: ListFilters) -> QuerySet:
    rows = followed(edition)
    if filters.status == NOT_SUBMITTED:
        rows = rows.exclude(step__in=(SUBMITTED, VALIDATED))
    elif filters.status in STATUS_LABELS:
        rows = rows.filter(step=filters.status)
    if filters.type_collectivite:
        rows = rows.filter(type_code=filters.type_collectivite)
    if filters.tranche_population:
        rows = rows.filter(tranche_code=filters.tranche_population)
    if filters.region:
        rows = rows.filter(region_code=filters.region)
    if filters.q:
        query = filters.q.strip()
        rows = rows.filter(
            Q(search_name__contains=normalise_name(query)) | Q(code=query) | Q(siren=query)
        )
    return rows.order_by("name", "pk")


def with_details(edition: Edition, rows: QuerySet) -> QuerySet:
    """Add what a list row shows: last activity and the contacts invited to the edition."""
    links = Invitation.objects.filter(edition=edition, collectivite=OuterRef("pk"))
    last_link = links.order_by().values("collectivite").annotate(last=Max("last_used_at"))
    response = Response.objects.filter(edition=edition, collectivite=OuterRef("pk"))
    contacts = Contact.objects.filter(invitations__edition=edition).distinct()
    return rows.annotate(
        last_link_use=Subquery(last_link.values("last")[:1]),
        response_updated_at=Subquery(response.values("updated_at")[:1]),
    ).prefetch_related(Prefetch("contacts", queryset=contacts, to_attr="edition_contacts"))


def last_activity(row) -> datetime | None:
    moments = [m for m in (row.last_link_use, row.response_updated_at) if m is not None]
    return max(moments) if moments else None


def contacts_text(contacts: Iterable[Contact]) -> str:
    return "\n".join(
        ", ".join(part for part in (contact.full_name, contact.role, contact.email) if part)
        for contact in contacts
    )


@dataclass
class ReminderRun:
    queued: int = 0
    already_submitted: int = 0
    opted_out: int = 0
    without_valid_link: int = 0
    already_reminded: int = 0


def remind(edition: Edition, collectivite_ids: Iterable[int]) -> ReminderRun:
    """Queue a reminder to the contacts of the selected collectivités still waited for.

    The reminder is access's (`respondents.services.reminders.send_reminders`): valid links of
    contacts who accept reminders, at most one manual reminder a day and the edition's cap.
    """
    run = ReminderRun()
    steps = dict(followed(edition).filter(pk__in=list(collectivite_ids)).values_list("pk", "step"))
    pending = [pk for pk, step in steps.items() if step not in (SUBMITTED, VALIDATED)]
    run.already_submitted = len(steps) - len(pending)
    plan = send_reminders(edition, collectivite_ids=pending)
    run.queued = plan.sent
    run.opted_out = len(plan.skipped["opted_out"])
    run.without_valid_link = len(plan.without_contact)
    run.already_reminded = len(plan.skipped["same_reminder"]) + len(plan.skipped["cap_reached"])
    return run
