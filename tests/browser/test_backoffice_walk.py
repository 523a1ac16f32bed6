"""Every back-office page walked as the staff would, in Chromium.

The pages come from the URLconf: every route under /equipe/ and /exports/ is filled with the ids
of a small realistic data set (an open edition with responses of several kinds, a published
one, an export job, an access request) and fetched; each one that answers an HTML page is
walked, and any other answer must be listed in `NOT_PAGES` with its reason, so that a new page
cannot be forgotten. On each page: zero axe-core violations (at 1280 px), no console error, no
horizontal scroll at 200 % zoom (a 640 px wide viewport: what a 1280 px window shows at 200 %),
no ISO timestamp, no "EPCI (", no status code in the visible text, and population brackets in
their numeric order wherever they are listed.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from barometre.roles import STAFF
from exports.models import ExportJob
from respondents.classification import TRANCHES_POPULATION
from respondents.models import AccessRequest, Collectivite, Contact, EmailLog, Invitation
from surveys.backoffice.conversation import flag
from surveys.backoffice.editor.draft import blank_question, change_definition
from surveys.models import Edition, Response
from tests.browser.support import axe_violations, describe_violations, open_edition
from tests.faults.test_crawler import PARAMETER, patterns

pytestmark = pytest.mark.browser

PREFIXES = ("equipe/", "exports/")
# Routes that answer no page of their own, with why; anything else must be an HTML page.
NOT_PAGES = {
    "equipe/editions/<int:year>/statut/<slug:action>/": "POST seulement",
    "equipe/editions/<int:year>/cloture/": "POST seulement",
    "equipe/editions/<int:year>/suivi/export.xlsx": "fichier XLSX",
    "equipe/editions/<int:year>/suivi/relances/": "POST seulement",
    "equipe/editions/<int:year>/saisie/<int:collectivite>/": "POST seulement",
    "equipe/reponses/<int:pk>/valider/": "POST seulement",
    "equipe/reponses/<int:pk>/signaler/": "POST seulement",
    "equipe/reponses/<int:pk>/signalements/<int:comment>/lever/": "POST seulement",
    "equipe/reponses/<int:pk>/rouvrir/": "POST seulement",
    "equipe/reponses/<int:pk>/envoyer/": "POST seulement",
    "equipe/reponses/<int:pk>/sections/<slug:section>/<slug:roster>/ajouter/": "POST seulement",
    "equipe/reponses/<int:pk>/sections/<slug:section>/<slug:roster>/<int:item>/supprimer/": (
        "POST seulement"
    ),
    "equipe/contacts/<int:pk>/donnees-personnelles.json": "fichier JSON",
    "equipe/invitations/<int:year>/import/": "POST seulement",
    "equipe/invitations/lien/<int:pk>/revoquer/": "POST seulement",
    "equipe/invitations/lien/<int:pk>/renvoyer/": "POST seulement",
    "equipe/demandes-acces/<int:pk>/<str:decision>/": "POST seulement",
    "exports/<int:pk>/etat.json": "état JSON de l'export",
    "exports/<int:pk>/telecharger/": "fichier de l'export",
    "exports/<int:pk>/schema/": "fichier du schéma",
    "exports/<int:pk>/relancer/": "POST seulement",
    "equipe/reponses/<int:pk>/accuse-de-reception.pdf": "fichier PDF",
    "equipe/reponses/<int:pk>/signalements/<int:comment>/repondre/": "POST seulement",
    "equipe/reponses/<int:pk>/sections/<slug:section>/<slug:roster>/reprendre/": "POST seulement",
    "equipe/contacts/<int:pk>/revoquer-liens/": "POST seulement",
    "equipe/contacts/lien/<int:pk>/revoquer/": "POST seulement",
    "equipe/editions/<int:year>/editeur/definition.yaml": "fichier YAML",
    "equipe/editions/<int:year>/editeur/verifier-condition/": "vérification JSON",
    "equipe/editions/<int:year>/editeur/ordre/": "POST seulement",
    "equipe/editions/<int:year>/editeur/sections/<slug:section>/deplacer/": "POST seulement",
    "equipe/editions/<int:year>/editeur/questions/<slug:question>/deplacer/": "POST seulement",
    "equipe/editions/<int:year>/editeur/differences/ruptures/": "POST seulement",
    "equipe/editions/<int:year>/editeur/regles/verifier/": "vérification JSON",
    "equipe/editions/<int:year>/editeur/regles/arrondi/": "POST seulement",
}
# Query strings walked as well: the lists filtered, sorted, or sent a wrong value.
LIST_VARIANTS = [
    "/equipe/editions/{year}/reponses/?q=rennes&tri=-population",
    "/equipe/editions/{year}/reponses/?type=village",
    "/equipe/collectivites/?type=intercommunalite&tri=-population",
    "/equipe/editions/{year}/saisie/?q=vannes",
    "/equipe/contacts/?q=martin&tri=-collectivite",
    "/equipe/demandes-acces/?statut=",
    "/equipe/editions/{published}/",
    "/equipe/editions/{published}/suivi/",
    "/equipe/editions/{year}/suivi/?tranche=10k_50k&statut=submitted",
    # Reached from the edition's menu: the breakdown page, whose selects once overlapped.
    "/resultats/{year}/repartition/",
]
WIDE = {"width": 1280, "height": 900}
ZOOMED = {"width": 640, "height": 900}
ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T")
# The stored codes of the statuses (responses, exports, access requests, e-mails).
STATUS_CODES = re.compile(
    r"\b(draft|submitted|validated|pending|running|done|failed|expired|approved|refused"
    r"|queued|sent)\b"
)
BRACKETS = [label for _code, label, _low, _high in TRANCHES_POPULATION]


def _member(username: str):
    user = get_user_model().objects.create_user(username, f"{username}@example.test", "pw")
    user.groups.add(Group.objects.get_or_create(name=STAFF)[0])
    return user


def _collectivite(name: str, kind: str, code: str, population: int, region: str, **fields):
    return Collectivite.objects.create(
        kind=kind, code=code, name=name, population=population, region_code=region, **fields
    )


def _contact(collectivite, email: str, edition: Edition) -> Contact:
    contact = Contact.objects.create(
        collectivite=collectivite, first_name="Agnès", last_name="Martin", email=email
    )
    invitation = Invitation.objects.create(
        edition=edition,
        collectivite=collectivite,
        contact=contact,
        sent_at=timezone.now() - timedelta(days=3),
    )
    EmailLog.objects.create(
        contact=contact,
        invitation=invitation,
        kind=EmailLog.Kind.INVITATION,
        to_email=email,
        status=EmailLog.Status.SENT,
    )
    return contact


@pytest.fixture
def backoffice(transactional_db):
    """An open 2021 edition with responses of every kind, a published 2018 one, an export job,
    an access request; returns the values that fill the routes' parameters."""
    staff = _member("equipe-visite")
    edition = open_edition(2021)
    published = open_edition(2018)
    Edition.objects.filter(pk=published.pk).update(status=Edition.Status.PUBLISHED)
    rennes = _collectivite(
        "Rennes", "commune", "35238", 225_081, "53", siren="213502388", departement_code="35"
    )
    kinds = [
        rennes,
        _collectivite("Métropole de Lyon", "epci", "200046977", 1_411_571, "84", epci_type="MET69"),
        _collectivite(
            "Golfe du Morbihan - Vannes agglomération",
            "epci",
            "200067932",
            170_000,
            "53",
            epci_type="CA",
        ),
        _collectivite("Ille-et-Vilaine", "departement", "35", 1_079_498, "53"),
        _collectivite("Bretagne", "region", "53", 3_402_932, "53"),
        _collectivite("Paimpont", "commune", "35211", 1_700, "53", departement_code="35"),
    ]
    contacts = [_contact(c, f"contact{n}@collectivite.test", edition) for n, c in enumerate(kinds)]
    response = Response.objects.create(
        edition=edition,
        collectivite=rennes,
        status=Response.Status.SUBMITTED,
        submitted_at=timezone.now() - timedelta(days=1),
    )
    call_command("seed_demo", edition=2021, respondents=4, seed=7, status="mixed")
    comment = flag(response, staff, "Budget incohérent avec la population.")
    AccessRequest.objects.create(
        edition=edition,
        collectivite=kinds[5],
        first_name="Jeanne",
        last_name="Le Goff",
        email="jeanne@paimpont.test",
    )
    job = ExportJob.objects.create(
        edition=edition,
        format=ExportJob.Format.XLSX,
        created_by=staff,
        filters={"status": ["submitted", "validated"], "tranche_population": ["10k_50k"]},
    )
    section = edition.sections.order_by("order").first()
    # A roster, so that the editor's page adding a question to one is walked too.
    roster = blank_question("fiches", "roster", "Fiches des dispositifs")
    roster["questions"] = [blank_question("fiche_nom", "text", "Nom du dispositif")]
    change_definition(
        edition, lambda definition: definition["sections"][-1]["questions"].append(roster)
    )
    return {
        "year": edition.year,
        "published": published.year,
        "response": response.pk,
        "comment": comment.pk,
        "collectivite": rennes.pk,
        "contact": contacts[0].pk,
        "invitation": Invitation.objects.filter(contact=contacts[0]).get().pk,
        "access_request": AccessRequest.objects.get().pk,
        "job": job.pk,
        "section": section.code,
        "question": "service_intitule",
        "roster": "fiches",
    }


def _fill(route: str, values: dict) -> str:
    """The route with its parameters filled from the data set: `pk` means the object the
    route's first word names."""
    pk_of = {
        "equipe/reponses/": "response",
        "equipe/collectivites/": "collectivite",
        "equipe/contacts/": "contact",
        "equipe/invitations/lien/": "invitation",
        "equipe/demandes-acces/": "access_request",
        "exports/": "job",
    }
    owner = next((name for prefix, name in pk_of.items() if route.startswith(prefix)), "")
    words = {
        "year": values["year"],
        "pk": values.get(owner, 1),
        "comment": values["comment"],
        "collectivite": values["collectivite"],
        "section": values["section"],
        "question": values["question"],
        "roster": values["roster"],
        "item": 1,
        "action": "publier",
        "decision": "accepter",
        # Rules of the shipped 2021 edition, for the rules editor's pages.
        "warning": "etp_sans_budget",
        "indicator": "budget_par_habitant",
        "bracketed": "etp_participation",
        "reported": "besoins",
    }
    return "/" + PARAMETER.sub(lambda match: str(words[match.group(2)]), route)


def backoffice_pages(values: dict) -> tuple[list[str], list[str]]:
    """(pages to walk, routes that are neither a page nor listed in NOT_PAGES)."""
    client = Client()
    client.force_login(get_user_model().objects.get(username="equipe-visite"))
    pages, unexplained = [], []
    for route in patterns():
        if not route.startswith(PREFIXES) or route in NOT_PAGES:
            continue
        path = _fill(route, values)
        answer = client.get(path)
        if answer.status_code == 200 and answer["Content-Type"].startswith("text/html"):
            pages.append(path)
        else:
            unexplained.append(f"{route} → {answer.status_code} {answer.get('Content-Type')}")
    pages += [
        variant.format(year=values["year"], published=values["published"])
        for variant in LIST_VARIANTS
    ]
    return pages, unexplained


def _sign_in(page) -> None:
    page.goto("/compte/connexion/")
    page.fill("[name=username]", "equipe-visite")
    page.fill("[name=password]", "pw")
    page.click("button[type=submit]")
    page.wait_for_url("**/equipe/")


UNORDERED_BRACKETS = """(labels) => {
    const found = [];
    for (const list of document.querySelectorAll('select, table, fieldset, ul, ol, dl')) {
        const text = list.innerText || list.textContent;
        const hits = [];
        labels.forEach((label, rank) => {
            let at = text.indexOf(label);
            while (at !== -1) { hits.push([at, rank]); at = text.indexOf(label, at + 1); }
        });
        hits.sort((a, b) => a[0] - b[0]);
        const ranks = hits.map((hit) => hit[1]);
        if (ranks.some((rank, i) => i > 0 && rank < ranks[i - 1])) {
            const order = ranks.map((r) => labels[r]).join(' | ');
            found.push(`${list.tagName.toLowerCase()} : ${order}`);
        }
    }
    return found;
}"""


def test_every_backoffice_page_is_accessible_readable_and_fits_at_200_percent(backoffice, context):
    pages, unexplained = backoffice_pages(backoffice)
    assert not unexplained, (
        "routes du back-office sans page ni raison dans NOT_PAGES :\n" + "\n".join(unexplained)
    )
    assert len(pages) >= 20
    page = context.new_page()
    console_errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            console_errors.append(f"{page.url} : {message.text}")
            if message.type == "error"
            else None
        ),
    )
    _sign_in(page)
    problems: list[str] = []
    for path in pages:
        page.set_viewport_size(WIDE)
        page.goto(path)
        violations = axe_violations(page)
        if violations:
            problems.append(f"{path} : axe\n{describe_violations(violations)}")
        page.set_viewport_size(ZOOMED)
        page.goto(path)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            problems.append(f"{path} : défilement horizontal de {overflow} px à 200 %")
        text = page.inner_text("body")
        for pattern, what in ((ISO_TIMESTAMP, "date ISO"), (STATUS_CODES, "code brut")):
            if match := pattern.search(text):
                problems.append(f"{path} : {what} « {match.group(0)} » dans le texte")
        if "EPCI (" in text:
            problems.append(f"{path} : « EPCI ( » dans le texte")
        for listing in page.evaluate(UNORDERED_BRACKETS, BRACKETS):
            problems.append(f"{path} : tranches dans le désordre — {listing}")
    assert not console_errors, "erreurs de la console :\n" + "\n".join(console_errors)
    assert not problems, "\n".join(problems)


def test_the_responses_list_finds_rennes_by_name_and_insee_code(backoffice, page):
    _sign_in(page)
    for query in ("rennes", "Rennes", "RENNES", "35238"):
        page.goto(f"/equipe/editions/{backoffice['year']}/reponses/")
        page.get_by_role("searchbox", name="Rechercher").fill(query)
        page.get_by_role("button", name="Filtrer").click()
        page.wait_for_url(re.compile(r"q="))
        rows = page.locator("tbody tr")
        assert rows.count() == 1, query
        assert rows.first.get_by_role("link", name="Rennes").is_visible()
        rows.first.get_by_role("link", name="Rennes").click()
        page.wait_for_url(f"**/equipe/reponses/{backoffice['response']}/")


def test_the_export_form_filters_its_regions_with_the_keyboard(backoffice, page):
    _sign_in(page)
    page.goto("/exports/")
    search = page.get_by_label("Chercher une région")
    search.focus()
    page.keyboard.type("ile de")
    page.keyboard.press("Enter")  # filters the list, does not send the form
    regions = page.locator("#id_region [data-choice]:visible")
    assert regions.count() == 1
    assert regions.first.inner_text().strip() == "Île-de-France"
    assert page.url.endswith("/exports/")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert page.get_by_label("Île-de-France").is_checked()
    page.get_by_role("button", name="Lancer l'export").click()
    page.wait_for_url(re.compile(r"/exports/\d+/"))
    assert "régions : Île-de-France" in page.inner_text("main")


def test_the_login_page_has_the_sites_look_and_name(transactional_db, page):
    page.set_viewport_size(ZOOMED)
    page.goto("/compte/connexion/")
    assert page.inner_text(".site-brand__name") == "Baromètre de la démocratie locale numérique"
    assert "localhost" not in page.inner_text("header")
    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert page.get_by_label("Identifiant").evaluate("el => el.classList.contains('form-control')")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_selector("[data-error-summary]")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
