from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from surveys.backoffice.lifecycle import apply_schedule, change_status, extend_deadline
from surveys.backoffice.models import EditionEvent
from surveys.backoffice.tasks import apply_edition_schedule
from surveys.filling import wave_problem
from surveys.models import Edition


def make_edition(year=2031, status="draft", opens_in=None, closes_in=None):
    now = timezone.now()
    return Edition.objects.create(
        year=year,
        title=f"Baromètre {year}",
        status=status,
        opens_at=now + opens_in if opens_in is not None else None,
        closes_at=now + closes_in if closes_in is not None else None,
    )


def test_the_beat_task_opens_a_draft_whose_opening_time_has_come(db):
    edition = make_edition(opens_in=-timedelta(minutes=1), closes_in=timedelta(days=30))
    result = apply_edition_schedule.delay().get()
    edition.refresh_from_db()
    assert edition.status == "open"
    assert result == {"opened": [2031], "closed": []}
    event = edition.events.get()
    assert (event.from_status, event.to_status, event.automatic, event.by) == (
        "draft",
        "open",
        True,
        None,
    )
    assert event.actor == "automatique"


def test_the_beat_task_leaves_a_draft_whose_opening_time_is_still_to_come(db):
    edition = make_edition(opens_in=timedelta(minutes=5), closes_in=timedelta(days=30))
    apply_edition_schedule.delay().get()
    edition.refresh_from_db()
    assert edition.status == "draft"
    assert not edition.events.exists()


def test_the_beat_task_closes_an_open_wave_at_its_deadline_and_not_before(db):
    due = make_edition(2031, "open", closes_in=-timedelta(seconds=1))
    later = make_edition(2032, "open", closes_in=timedelta(hours=1))
    apply_edition_schedule.delay().get()
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == "closed"
    assert later.status == "open"
    assert due.events.get().to_status == "closed"


def test_running_the_schedule_twice_changes_nothing_the_second_time(db):
    make_edition(2031, opens_in=-timedelta(hours=1), closes_in=timedelta(days=1))
    make_edition(2032, "open", closes_in=-timedelta(hours=1))
    first = apply_schedule()
    second = apply_schedule()
    assert (first.opened, first.closed) == ([2031], [2032])
    assert (second.opened, second.closed) == ([], [])
    assert EditionEvent.objects.count() == 2


def test_a_draft_whose_whole_window_has_passed_stays_a_draft(db):
    edition = make_edition(opens_in=-timedelta(days=2), closes_in=-timedelta(days=1))
    apply_schedule()
    edition.refresh_from_db()
    assert edition.status == "draft"


def test_staff_walk_an_edition_through_its_whole_life(alice):
    edition = make_edition(closes_in=timedelta(days=10))
    for action in ("ouvrir", "clore", "publier"):
        change_status(edition, action, alice)
    edition.refresh_from_db()
    assert edition.status == "published"
    log = list(edition.events.order_by("at", "pk").values_list("from_status", "to_status", "by"))
    assert log == [
        ("draft", "open", alice.pk),
        ("open", "closed", alice.pk),
        ("closed", "published", alice.pk),
    ]


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        ("draft", "clore", "Impossible de passer l'édition 2031 de « Brouillon » à « Close »."),
        ("draft", "publier", "Impossible de passer l'édition 2031 de « Brouillon » à « Publiée »."),
        ("open", "ouvrir", "Impossible de passer l'édition 2031 de « Ouverte » à « Ouverte »."),
        ("published", "clore", "Impossible de passer l'édition 2031 de « Publiée » à « Close »."),
    ],
)
def test_it_refuses_an_invalid_transition_in_french(alice, status, action, message):
    edition = make_edition(status=status)
    with pytest.raises(ValidationError) as error:
        change_status(edition, action, alice)
    assert error.value.messages == [message]
    edition.refresh_from_db()
    assert edition.status == status
    assert not edition.events.exists()


def test_it_refuses_to_open_by_hand_a_wave_whose_deadline_has_passed(alice):
    edition = make_edition(closes_in=-timedelta(hours=1))
    with pytest.raises(ValidationError, match="reportez-la avant d'ouvrir"):
        change_status(edition, "ouvrir", alice)


def test_extending_the_deadline_of_a_closed_wave_reopens_it(alice):
    edition = make_edition(status="closed", closes_in=-timedelta(days=1))
    old = edition.closes_at
    new = timezone.now() + timedelta(days=7)
    extend_deadline(edition, new, alice)
    edition.refresh_from_db()
    assert edition.status == "open"
    assert edition.closes_at == new
    deadline, reopening = edition.events.order_by("pk")
    assert (deadline.kind, deadline.old_closes_at, deadline.new_closes_at, deadline.by) == (
        "deadline",
        old,
        new,
        alice,
    )
    assert (reopening.from_status, reopening.to_status, reopening.by) == ("closed", "open", alice)
    # The beat job does not close it again before the new deadline.
    apply_schedule()
    edition.refresh_from_db()
    assert edition.status == "open"


def test_extending_an_open_wave_only_moves_its_deadline(alice):
    edition = make_edition(status="open", closes_in=timedelta(days=1))
    extend_deadline(edition, timezone.now() + timedelta(days=8), alice)
    edition.refresh_from_db()
    assert edition.status == "open"
    assert list(edition.events.values_list("kind", flat=True)) == ["deadline"]


@pytest.mark.parametrize(
    ("status", "new_in", "message"),
    [
        ("closed", -timedelta(minutes=1), "La nouvelle date de clôture doit être dans le futur."),
        ("open", timedelta(hours=1), "La nouvelle date de clôture doit être postérieure"),
        ("published", timedelta(days=30), "Seule une collecte ouverte ou close peut être"),
        ("draft", timedelta(days=30), "Seule une collecte ouverte ou close peut être"),
    ],
)
def test_it_refuses_a_bad_extension(alice, status, new_in, message):
    edition = make_edition(status=status, closes_in=timedelta(days=2))
    with pytest.raises(ValidationError) as error:
        extend_deadline(edition, timezone.now() + new_in, alice)
    assert error.value.messages[0].startswith(message)
    edition.refresh_from_db()
    assert edition.status == status
    assert not edition.events.exists()


def test_staff_close_a_wave_from_its_page_after_confirming(client, alice):
    edition = make_edition(status="open", closes_in=timedelta(days=3))
    client.force_login(alice)
    page = client.get(reverse("backoffice:edition", args=[2031]))
    confirm_url = reverse("backoffice:edition-status", args=[2031, "clore"])
    assert confirm_url in page.text
    confirmation = client.get(confirm_url)
    assert "Clore la collecte ?" in confirmation.text
    edition.refresh_from_db()
    assert edition.status == "open"
    response = client.post(confirm_url, follow=True)
    edition.refresh_from_db()
    assert edition.status == "closed"
    assert "est maintenant « Close »" in response.text
    assert "alice" in response.text


def test_the_page_shows_a_refused_transition_in_french(client, alice):
    make_edition(status="draft")
    client.force_login(alice)
    response = client.post(
        reverse("backoffice:edition-status", args=[2031, "publier"]), follow=True
    )
    assert "Impossible de passer l&#x27;édition 2031 de « Brouillon » à « Publiée »." in (
        response.text
    )


def test_the_extension_form_reopens_the_wave_and_reports_bad_dates(client, alice):
    edition = make_edition(status="closed", closes_in=-timedelta(days=1))
    client.force_login(alice)
    url = reverse("backoffice:edition-extend", args=[2031])
    refused = client.post(url, {"closes_at": "01/01/2020 12:00"})
    assert refused.status_code == 400
    assert "La nouvelle date de clôture doit être dans le futur." in refused.text
    future = timezone.localtime() + timedelta(days=10)
    client.post(url, {"closes_at": future.strftime("%Y-%m-%dT%H:%M")})
    edition.refresh_from_db()
    assert edition.status == "open"
    assert timezone.localtime(edition.closes_at).date() == future.date()


def test_analysts_see_the_log_but_no_buttons(client, bob):
    edition = make_edition(status="open", closes_in=timedelta(days=3))
    EditionEvent.objects.create(
        edition=edition, kind="status", from_status="draft", to_status="open", automatic=True
    )
    client.force_login(bob)
    page = client.get(reverse("backoffice:edition", args=[2031]))
    assert page.status_code == 200
    assert "automatique" in page.text
    assert reverse("backoffice:edition-status", args=[2031, "clore"]) not in page.text
    assert "Reporter la clôture" not in page.text


def test_the_staff_home_links_each_edition_to_its_screens(client, alice):
    make_edition()
    client.force_login(alice)
    assert reverse("backoffice:edition", args=[2031]) in client.get(reverse("backoffice:home")).text


def test_the_beat_entries_name_tasks_that_exist():
    from barometre.celery import app

    app.loader.import_default_modules()
    for name in ("surveys-apply-edition-schedule", "respondents-purge-expired-contact-data"):
        assert settings.CELERY_BEAT_SCHEDULE[name]["task"] in app.tasks


def test_the_staff_home_says_close_not_fermer_for_a_closed_wave(client, alice):
    make_edition(status="closed")
    client.force_login(alice)
    page = client.get(reverse("backoffice:home")).content.decode()
    assert "<td>Close</td>" in page
    assert "Fermer" not in page


def test_agents_are_told_when_staff_actually_closed_the_wave_not_the_planned_date(alice):
    edition = make_edition(status="open", closes_in=timedelta(days=60))
    planned = date_format(timezone.localtime(edition.closes_at), "j F Y")
    change_status(edition, "clore", alice)
    edition.refresh_from_db()
    assert edition.closed_at is not None
    message = wave_problem(edition)
    assert f"clos depuis le {date_format(timezone.localtime(), 'j F Y')}" in message
    assert planned not in message
    # Reopened by a new deadline, it is no longer "closed since".
    extend_deadline(edition, timezone.now() + timedelta(days=90), alice)
    edition.refresh_from_db()
    assert edition.closed_at is None and wave_problem(edition) == ""
