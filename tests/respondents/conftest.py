from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from respondents.models import Contact, Invitation
from surveys.models import Edition


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache: each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def edition_2021(db):
    return Edition.objects.create(
        year=2021,
        title="Baromètre de la démocratie locale numérique 2021",
        introduction="Merci de consacrer vingt minutes à ce questionnaire.",
        status=Edition.Status.OPEN,
        opens_at=timezone.now() - timedelta(days=10),
        closes_at=timezone.now() + timedelta(days=30),
    )


@pytest.fixture
def edition_2020(db):
    return Edition.objects.create(
        year=2020,
        title="Baromètre 2020",
        status=Edition.Status.OPEN,
        closes_at=timezone.now() + timedelta(days=30),
    )


@pytest.fixture
def rennes_contact(rennes):
    return Contact.objects.create(
        collectivite=rennes,
        first_name="Rose",
        last_name="Le Goff",
        role="Chargée de participation",
        email="rose.legoff@ville-rennes.test",
    )


@pytest.fixture
def metz_contact(metz_metropole):
    return Contact.objects.create(
        collectivite=metz_metropole,
        first_name="Marc",
        last_name="Schmitt",
        role="Directeur de la démocratie locale",
        email="marc.schmitt@metzmetropole.test",
    )


def invitation_with_token(contact, edition) -> tuple[Invitation, str]:
    """An invitation and its clear token, as the e-mail would carry it."""
    invitation = Invitation.objects.create(
        edition=edition,
        collectivite=contact.collectivite,
        contact=contact,
    )
    return invitation, invitation.issue_token()


@pytest.fixture
def rennes_link(rennes_contact, edition_2021):
    return invitation_with_token(rennes_contact, edition_2021)


@pytest.fixture
def metz_link(metz_contact, edition_2021):
    return invitation_with_token(metz_contact, edition_2021)
