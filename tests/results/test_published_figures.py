"""Publishing freezes the public figures; a later change is an erratum; republishing makes a new
version. Figures worked out by hand from `build_closed` below."""

from decimal import Decimal

import pytest
from django.urls import reverse

from exports.results.cache import recompute
from exports.results.models import Erratum, PublishedFigures
from exports.results.publication import REASON_RECOMPUTED, latest, public_figures
from exports.results.rounding import percent
from surveys.backoffice import lifecycle, review
from surveys.models import Edition, Response, Section
from tests.results.results_data import collectivite, question, respond
from tests.surveys.filling_helpers import bound_form

pytestmark = pytest.mark.django_db

YEAR = 2031


def build_closed(rules: dict | None = None) -> Edition:
    """16 respondents, each question in its own section so that a correction touches one.

    canaux (multiple): x chosen by 10 of 16 = 62.5 % → 63 % public, 62,5 % staff;
                       y chosen by 8 of 16 = 50 %.
    rare (multiple):   z chosen by 1 (hidden), w by 12 (hidden: only 4 did not choose it).
    avis (text):       never public.
    """
    edition = Edition.objects.create(
        year=YEAR, title=f"Baromètre {YEAR}", status=Edition.Status.CLOSED, rules=rules or {}
    )
    sections = {
        code: Section.objects.create(edition=edition, code=code, title=title, order=order)
        for order, (code, title) in enumerate(
            [("canaux", "Canaux"), ("rare", "Rare"), ("avis", "Avis")], 1
        )
    }
    question(edition, sections["canaux"], "canaux", "multiple", [("x", "Site"), ("y", "Réunions")])
    question(edition, sections["rare"], "rare", "multiple", [("z", "Rare"), ("w", "Courant")])
    question(edition, sections["avis"], "avis", "text")
    for n in range(16):
        respond(
            edition,
            collectivite(f"Commune-{n}", 2000 + n, "53"),
            {
                "canaux": (["x"] if n < 10 else []) + (["y"] if n < 8 else []),
                "rare": (["z"] if n == 0 else []) + (["w"] if n < 12 else []),
                "avis": f"Avis {n}",
            },
        )
    recompute(edition)
    return edition


def response_of(edition: Edition, n: int) -> Response:
    return Response.objects.get(edition=edition, collectivite__code=f"Commune-{n}")


def correct(response: Response, section: str, fields: dict, user, reason: str, capture) -> None:
    """A staff correction of a sent response, and the recomputation it schedules."""
    with capture(execute=True):
        review.save_as_staff(
            response, bound_form(response, section, fields), response.version, user, reason
        )


def published_choice(figures: PublishedFigures, code: str, choice: str) -> dict:
    question = next(q for q in figures.data["questions"] if q["code"] == code)
    return next(c for c in question["choices"] if c["code"] == choice)


@pytest.fixture
def published(alice):
    edition = build_closed()
    lifecycle.change_status(edition, "publier", alice)
    return edition


def test_one_in_sixteen_is_6_percent_publicly_and_6_3_for_staff():
    assert percent(1, 16, 0) == Decimal("6")
    assert percent(1, 16, 1) == Decimal("6.3")


def test_public_figures_round_halves_up_from_the_counts():
    results = {
        "respondents": 40,
        "questions": [
            {
                "code": "q",
                "text": "Q",
                "type": "multiple",
                "kind": "choices",
                "base": 40,
                "choices": [
                    {"code": "a", "label": "A", "count": 5, "percent": 12.5},
                    {"code": "b", "label": "B", "count": 25, "percent": 62.5},
                    {"code": "c", "label": "C", "count": 35, "percent": 87.5},
                ],
            }
        ],
    }
    choices = public_figures(results, 0)["questions"][0]["choices"]
    assert [c["percent"] for c in choices] == [13, 63, 88]
    assert [c["percent"] for c in public_figures(results, 1)["questions"][0]["choices"]] == [
        12.5,
        62.5,
        87.5,
    ]


def test_an_edition_never_published_has_no_frozen_figures(alice, client):
    edition = build_closed()
    assert latest(edition) is None
    assert not PublishedFigures.objects.exists()
    assert client.get(reverse("results:public", args=[YEAR])).status_code == 404


def test_publishing_freezes_every_public_figure_rounded_by_the_public_rule(published, alice):
    figures = latest(published)
    assert figures is not None
    assert (figures.version, figures.published_by) == (1, alice)
    assert published_choice(figures, "canaux", "x") == {
        "code": "x",
        "label": "Site",
        "count": 10,
        "percent": 63,
    }
    assert published_choice(figures, "canaux", "y")["percent"] == 50
    assert published_choice(figures, "rare", "z")["suppressed"] is True
    assert published_choice(figures, "rare", "z")["count"] is None
    assert [q["code"] for q in figures.data["questions"]] == ["canaux", "rare"]


def test_the_public_page_serves_the_frozen_figures_with_their_version(published, client):
    page = client.get(reverse("results:public", args=[YEAR])).content.decode()
    assert "(version 1)" in page
    assert "Aucun erratum depuis la publication" in page
    assert ">63 %<" in page and "62,5" not in page


def test_staff_see_one_decimal_on_their_results_page(published, client, bob):
    client.force_login(bob)
    page = client.get(reverse("results:edition", args=[YEAR])).content.decode()
    assert ">62,5 %<" in page


def test_an_edition_rule_of_one_public_decimal_is_frozen_with_it(alice):
    edition = build_closed({"rounding": {"public": 1, "staff": 2}})
    lifecycle.change_status(edition, "publier", alice)
    assert published_choice(latest(edition), "canaux", "x")["percent"] == 62.5


def test_a_correction_after_publication_is_an_erratum_and_the_public_page_keeps_its_figures(
    published, alice, client, django_capture_on_commit_callbacks
):
    # Commune-12 also had a website: x goes from 10 to 11 of 16 = 68.75 % → 69 %.
    correct(
        response_of(published, 12),
        "canaux",
        {"canaux": ["x"]},
        alice,
        "Site internet oublié, confirmé par la mairie",
        django_capture_on_commit_callbacks,
    )
    erratum = Erratum.objects.get()
    assert erratum.figure == "« canaux » — Site"
    assert (erratum.before, erratum.after) == ("63 % (10)", "69 % (11)")
    assert erratum.reason == "Site internet oublié, confirmé par la mairie"
    assert erratum.published == latest(published)
    assert published_choice(latest(published), "canaux", "x")["percent"] == 63
    page = client.get(reverse("results:public", args=[YEAR])).content.decode()
    assert ">63 %<" in page  # the frozen figure, not 69
    assert "Errata depuis la publication du" in page
    assert "63 % (10)" in page and "69 % (11)" in page
    assert "Site internet oublié, confirmé par la mairie" in page


def test_the_same_change_computed_again_gives_no_second_erratum(
    published, alice, django_capture_on_commit_callbacks
):
    correct(
        response_of(published, 12),
        "canaux",
        {"canaux": ["x"]},
        alice,
        "Site oublié",
        django_capture_on_commit_callbacks,
    )
    recompute(published, rebuild=True)
    assert Erratum.objects.count() == 1


def test_a_correction_that_changes_no_public_figure_gives_no_erratum(
    published, alice, django_capture_on_commit_callbacks
):
    correct(
        response_of(published, 3),
        "avis",
        {"avis": "Un autre avis"},
        alice,
        "Avis reformulé",
        django_capture_on_commit_callbacks,
    )
    assert not Erratum.objects.exists()


def test_a_correction_inside_a_hidden_cell_leaks_nothing(
    published, alice, client, django_capture_on_commit_callbacks
):
    # z goes from 1 to 2: still under 5, still hidden, so no public figure changed.
    correct(
        response_of(published, 1),
        "rare",
        {"rare": ["z", "w"]},
        alice,
        "Usage rare confirmé",
        django_capture_on_commit_callbacks,
    )
    assert not Erratum.objects.exists()
    page = client.get(reverse("results:public", args=[YEAR])).content.decode()
    assert "Usage rare confirmé" not in page


def test_a_reopening_gives_an_erratum_with_the_recomputation_reason(published, alice):
    review.reopen(response_of(published, 0), alice)
    recompute(published)
    errata = {e.figure: e for e in Erratum.objects.all()}
    # 15 respondents now: x 9 of 15 = 60 %, y 7 of 15 = 46.67 % → 47 %.
    assert errata["« canaux » — Site"].after == "60 % (9)"
    assert errata["« canaux » — Réunions"].before == "50 % (8)"
    assert errata["« canaux » — Réunions"].after == "47 % (7)"
    assert {e.reason for e in errata.values()} == {REASON_RECOMPUTED}


def test_republishing_makes_a_new_version_without_errata(
    published, alice, client, django_capture_on_commit_callbacks
):
    correct(
        response_of(published, 12),
        "canaux",
        {"canaux": ["x"]},
        alice,
        "Site oublié",
        django_capture_on_commit_callbacks,
    )
    client.force_login(alice)
    staff_page = client.get(reverse("results:edition", args=[YEAR])).content.decode()
    assert "Site oublié" in staff_page
    republish = reverse("backoffice:edition-status", args=[YEAR, "republier"])
    assert republish in staff_page
    client.post(republish)
    figures = latest(published)
    assert figures.version == 2
    assert published_choice(figures, "canaux", "x")["percent"] == 69
    assert not figures.errata.exists()
    assert Erratum.objects.count() == 1  # still listed against version 1
    page = client.get(reverse("results:public", args=[YEAR])).content.decode()
    assert "(version 2)" in page and "Aucun erratum" in page


def test_an_earlier_correction_that_changed_nothing_public_does_not_lend_its_reason(
    published, alice, django_capture_on_commit_callbacks
):
    correct(
        response_of(published, 3),
        "avis",
        {"avis": "Un autre avis"},
        alice,
        "Avis reformulé",
        django_capture_on_commit_callbacks,
    )
    review.reopen(response_of(published, 0), alice)
    recompute(published)
    assert Erratum.objects.exists()
    assert set(Erratum.objects.values_list("reason", flat=True)) == {REASON_RECOMPUTED}
