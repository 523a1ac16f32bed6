"""The follow-up's funnel by section, on hand-built paradata with figures computed by hand."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.backoffice.funnel import duration, section_funnel
from surveys.models import Response, SectionActivity
from tests.backoffice.conftest import commune

T0 = timezone.now() - timedelta(days=2)


def activity(response, code, seconds=0, saved_after=None):
    SectionActivity.objects.create(
        response=response,
        section=response.edition.sections.get(code=code),
        active_seconds=seconds,
        saved_at=None if saved_after is None else T0 + timedelta(minutes=saved_after),
    )


@pytest.fixture
def paradata(edition, rennes, metz_metropole):
    """Four responses.

    Rennes, draft: profil saved (60 s), then moyens saved (120 s) → stops at moyens.
    Metz, sent: profil 30 s, moyens 200 s, focus_elections opened only, fiches 90 s.
    Brest, draft: profil opened only → not started, counted nowhere.
    Vannes, draft: profil saved (100 s) → stops at profil.
    """
    status = Response.Status
    rennes_r = Response.objects.create(edition=edition, collectivite=rennes)
    metz_r = Response.objects.create(
        edition=edition, collectivite=metz_metropole, status=status.SUBMITTED
    )
    brest_r = Response.objects.create(edition=edition, collectivite=commune("Brest", "29019", 1))
    vannes_r = Response.objects.create(edition=edition, collectivite=commune("Vannes", "56260", 1))
    activity(rennes_r, "profil", 60, saved_after=1)
    activity(rennes_r, "moyens", 120, saved_after=5)
    activity(metz_r, "profil", 30, saved_after=1)
    activity(metz_r, "moyens", 200, saved_after=4)
    activity(metz_r, "focus_elections")
    activity(metz_r, "fiches", 90, saved_after=9)
    activity(brest_r, "profil")
    activity(vannes_r, "profil", 100, saved_after=2)


def test_it_counts_reached_saved_stopped_and_the_median_time_per_section(edition, paradata):
    funnel = section_funnel(edition)
    assert (funnel.started, funnel.drafts) == (3, 2)
    table = {
        step.section.code: (step.reached, step.saved, step.stopped, step.median_seconds)
        for step in funnel.steps
    }
    assert table == {
        "profil": (3, 3, 1, 60),  # median of 60, 30, 100
        "moyens": (2, 2, 1, 160),  # median of 120 and 200
        "focus_elections": (1, 0, 0, None),
        "fiches": (1, 1, 0, 90),
    }
    rates = [(s.reached_rate, s.saved_rate) for s in funnel.steps]
    assert rates == [
        (Decimal("100.0"), Decimal("100.0")),
        (Decimal("66.7"), Decimal("66.7")),
        (Decimal("33.3"), Decimal("0.0")),
        (Decimal("33.3"), Decimal("33.3")),
    ]


def test_without_any_paradata_the_funnel_is_empty_not_an_error(edition):
    funnel = section_funnel(edition)
    assert (funnel.started, funnel.drafts) == (0, 0)
    assert all(step.reached_rate is None and step.median_seconds is None for step in funnel.steps)


def test_durations_read_as_people_say_them():
    assert [duration(s) for s in (None, 0, 45, 60, 160, 3725)] == [
        "—",
        "0\u00a0s",
        "45\u00a0s",
        "1\u00a0min\u00a000\u00a0s",
        "2\u00a0min\u00a040\u00a0s",
        "1\u00a0h\u00a002\u00a0min",
    ]


def test_the_follow_up_page_shows_the_funnel_as_a_table(client, bob, edition, paradata):
    client.force_login(bob)  # analysts see the figures too
    html = client.get(reverse("backoffice:followup", args=[2031])).content.decode()
    assert "Parcours section par section, sur 3 réponses commencées" in html
    assert (
        '<tr><th scope="row">Moyens</th>\n      <td><span class="funnel-figure">2 '
        '<small class="text-muted">(66,7 %)</small>' in html
    )
    assert "2\u00a0min\u00a040\u00a0s" in html
