"""The back-office cast: an open edition with every question type, collectivités at each step."""

from datetime import timedelta

import pytest
from django.utils import timezone

from respondents.models import Collectivite, Contact, Invitation
from surveys.models import Response
from tests.surveys.factories import build_edition
from tests.surveys.filling_helpers import save


@pytest.fixture
def edition(db):
    edition = build_edition(2031)
    edition.closes_at = timezone.now() + timedelta(days=20)
    edition.save()
    return edition


def make_contact(collectivite, email, **fields) -> Contact:
    return Contact.objects.create(
        collectivite=collectivite,
        first_name=fields.pop("first_name", "Camille"),
        last_name=fields.pop("last_name", "Martin"),
        role=fields.pop("role", "Chargée de participation"),
        email=email,
        **fields,
    )


def invite(contact, edition, opened: bool = False) -> Invitation:
    invitation = Invitation.objects.create(
        edition=edition,
        collectivite=contact.collectivite,
        contact=contact,
        sent_at=timezone.now(),
    )
    if opened:
        invitation.mark_used()
    return invitation


def commune(name, code, population, region="53", **fields) -> Collectivite:
    return Collectivite.objects.create(
        kind=Collectivite.Kind.COMMUNE,
        code=code,
        name=name,
        population=population,
        departement_code=code[:2],
        region_code=region,
        **fields,
    )


def submitted_response(edition, collectivite) -> Response:
    """A response with a few answers, submitted."""
    response = Response.objects.create(edition=edition, collectivite=collectivite)
    save(response, "profil", fonction_repondant="dgs")
    save(response, "moyens", nb_reunions="12", budget_participation="5 000")
    Response.objects.filter(pk=response.pk).update(
        status=Response.Status.SUBMITTED, submitted_at=timezone.now()
    )
    response.refresh_from_db()
    return response


@pytest.fixture
def cast(edition, rennes, metz_metropole):
    """Five collectivités, one at each step of the edition's follow-up.

    Rennes (commune, Bretagne): submitted. Metz Métropole (métropole, Grand Est): invited only.
    Brest (commune, Bretagne): link opened, nothing answered. Vannes (commune, Bretagne):
    started (a draft with answers). Lorient (commune, Bretagne): not invited, no response.
    """
    people = {}
    people["rennes"] = make_contact(rennes, "rose@rennes.test")
    invite(people["rennes"], edition, opened=True)
    submitted_response(edition, rennes)

    people["metz"] = make_contact(metz_metropole, "marc@metz.test")
    invite(people["metz"], edition)

    brest = commune("Brest", "29019", 139_926)
    people["brest"] = make_contact(
        brest, "bob@brest.test", first_name="=cmd|' /C calc'!A0", role="@SUM(1)"
    )
    invite(people["brest"], edition, opened=True)

    vannes = commune("Vannes", "56260", 54_000)
    people["vannes"] = make_contact(vannes, "val@vannes.test")
    people["vannes_out"] = make_contact(
        vannes, "noreminder@vannes.test", opted_out_of_reminders=True
    )
    invite(people["vannes"], edition, opened=True)
    invite(people["vannes_out"], edition)
    draft = Response.objects.create(edition=edition, collectivite=vannes)
    save(draft, "profil", fonction_repondant="elu")

    commune("Lorient", "56121", 57_000)
    return people


@pytest.fixture
def staff_client(client, alice):
    """The test client signed in as a staff member."""
    client.force_login(alice)
    return client
