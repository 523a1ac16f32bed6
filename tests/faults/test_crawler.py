"""Every URL pattern, every role, every edition state: no page answers 500.

The crawler walks `get_resolver()` and fills each pattern's parameters from the data built here,
so a new page is crawled without being named.
"""

import re
from itertools import product

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from exports.results.models import ResultSnapshot
from respondents.classification import TRANCHE_LABELS, TYPES_COLLECTIVITE
from respondents.models import Collectivite, Contact, Invitation
from surveys import filling
from surveys.backoffice import conversation
from surveys.models import Edition, Response
from tests.results.results_data import build_2018_ranking, build_2021
from tests.surveys.factories import build_edition
from tests.surveys.filling_helpers import enter

PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
WORDS = {"token": "jeton-inconnu", "decision": "accepter", "action": "publier", "roster": "x"}


def patterns(resolvers=None, prefix=""):
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if "(?P" not in route and "^" not in route:  # the admin's regex catch-alls
                yield route


def paths(route: str, values: dict[str, list]) -> list[str]:
    names = PARAMETER.findall(route)
    if not names:
        return ["/" + route]
    choices = [values.get(name, ["1"]) for _, name in names]
    out = []
    for combination in product(*choices):
        path = route
        for value in combination:
            path = PARAMETER.sub(str(value), path, count=1)
        out.append("/" + path)
    return out


@pytest.fixture
def editions(db, rennes):
    closed = build_2021(2021)  # a few respondents, on which filters select 0 to 4 of them
    build_2018_ranking()
    empty = build_edition(2030)  # open, no response
    published = build_edition(2022)  # published without a response nor figures
    Edition.objects.filter(pk=published.pk).update(status=Edition.Status.PUBLISHED)
    assert not ResultSnapshot.objects.filter(edition=published).exists()
    return closed, empty, published


def crawl(client: Client, values: dict[str, list], query: str = "") -> dict[str, int]:
    statuses = {}
    routes = sorted(patterns(), key=lambda route: "deconnexion" in route)
    for route in routes:
        for path in paths(route, values):
            statuses[path + query] = client.get(path + query).status_code
    return statuses


def test_no_page_answers_500_for_any_role_or_edition_state(editions, rennes, alice, bob):
    closed, empty, published = editions
    response = Response.objects.filter(edition=closed).first()
    # A flag on Rennes's open response, with a reply: its thread pages are crawled too.
    rennes_response = filling.response_for(empty, rennes)
    thread = conversation.flag(rennes_response, alice, "À vérifier", "nb_reunions")
    conversation.reply_as_staff(thread, alice, "Précision")
    values = {
        "year": [2021, 2030, 2022, 1999],
        "pk": sorted(
            {
                response.pk,
                Collectivite.objects.first().pk,
                Invitation.objects.values_list("pk", flat=True).first() or 1,
                Contact.objects.values_list("pk", flat=True).first() or 1,
            }
        ),
        "section": ["a", "profil"],
        "collectivite": [rennes.pk],
        "comment": [1, thread.pk],
        "thread": [thread.pk, thread.pk + 100],
        "item": [0],
        **{name: [word] for name, word in WORDS.items()},
    }
    anonymous = Client(raise_request_exception=False)
    respondent = Client(raise_request_exception=False)
    enter(respondent, empty, rennes)
    enter(respondent, closed, rennes)
    analyst = Client(raise_request_exception=False)
    analyst.force_login(bob)
    staff = Client(raise_request_exception=False)
    alice.is_staff = alice.is_superuser = True
    alice.save()
    staff.force_login(alice)

    errors = []
    for role, client in [("anonyme", anonymous), ("répondant", respondent)] + [
        ("analyste", analyst),
        ("équipe", staff),
    ]:
        statuses = crawl(client, values)
        errors += [f"{role} {path}" for path, status in statuses.items() if status >= 500]
        assert any(status == 200 for status in statuses.values())
    assert errors == [], "\n".join(errors)


def test_no_results_page_answers_500_whatever_the_filters(editions, bob):
    analyst = Client(raise_request_exception=False)
    analyst.force_login(bob)
    pages = ["/resultats/2021/", "/resultats/2021/publics/", "/resultats/2021/tendances/"]
    errors = []
    for kind, tranche in product(["", *TYPES_COLLECTIVITE], ["", *TRANCHE_LABELS]):
        query = f"?type={kind}&tranche={tranche}"
        for page in pages:
            status = analyst.get(page + query).status_code
            if status >= 500:
                errors.append(page + query)
        breakdown = f"/resultats/2021/repartition/{query}&question=service_dedie&par=region"
        if analyst.get(breakdown).status_code >= 500:
            errors.append(breakdown)
    assert errors == [], "\n".join(errors)
