"""Paradata: time spent per section (capped intervals), last save, one query per save, nothing
about the person, gone with the response and with the contact's erasure."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from respondents.services.rgpd import erase_contact
from surveys import filling
from surveys.filling.paradata import INTERVAL_CAP, record_save, record_view
from surveys.models import Response, SectionActivity
from tests.surveys.factories import build_edition
from tests.surveys.filling_helpers import enter, invite, section

YEAR = 2030


@pytest.fixture
def edition(db):
    return build_edition(YEAR)


@pytest.fixture
def response(edition, rennes):
    return filling.response_for(edition, rennes)


def activity(response, code: str) -> SectionActivity:
    return SectionActivity.objects.get(response=response, section__code=code)


def test_the_time_between_a_view_and_each_save_is_added(response):
    profil, start = section(response, "profil"), timezone.now()
    record_view(response, profil, now=start)
    record_save(response, profil, now=start + timedelta(seconds=40))
    record_save(response, profil, now=start + timedelta(seconds=100))
    saved = activity(response, "profil")
    assert saved.active_seconds == 100
    assert saved.saved_at == start + timedelta(seconds=100)


def test_a_page_left_open_overnight_counts_one_capped_interval(response):
    profil, start = section(response, "profil"), timezone.now()
    record_view(response, profil, now=start)
    record_save(response, profil, now=start + timedelta(hours=8))
    assert activity(response, "profil").active_seconds == INTERVAL_CAP == 300


def test_coming_back_the_next_day_starts_a_new_interval(response):
    profil, start = section(response, "profil"), timezone.now()
    record_view(response, profil, now=start)
    record_save(response, profil, now=start + timedelta(seconds=30))
    record_view(response, profil, now=start + timedelta(days=1))
    record_save(response, profil, now=start + timedelta(days=1, seconds=20))
    assert activity(response, "profil").active_seconds == 50


def test_a_clock_going_backwards_adds_nothing(response):
    profil, start = section(response, "profil"), timezone.now()
    record_view(response, profil, now=start)
    record_save(response, profil, now=start - timedelta(seconds=30))
    assert activity(response, "profil").active_seconds == 0


def test_a_view_without_save_records_no_time_nor_save(response):
    record_view(response, section(response, "moyens"))
    looked = activity(response, "moyens")
    assert (looked.active_seconds, looked.saved_at) == (0, None)


def test_a_view_is_one_query_that_moves_only_the_start_of_the_interval(
    response, django_assert_num_queries
):
    profil, start = section(response, "profil"), timezone.now()
    with django_assert_num_queries(1):
        record_view(response, profil, now=start)  # the row is created
    record_save(response, profil, now=start + timedelta(seconds=40))
    with django_assert_num_queries(1):
        record_view(response, profil, now=start + timedelta(seconds=90))  # the row is updated
    seen = activity(response, "profil")
    assert (seen.active_seconds, seen.saved_at) == (40, start + timedelta(seconds=40))
    assert seen.last_seen == int((start + timedelta(seconds=90)).timestamp())
    assert SectionActivity.objects.filter(response=response).count() == 1


def test_a_save_is_one_query_once_the_section_was_opened(response, django_assert_num_queries):
    profil = section(response, "profil")
    record_view(response, profil)
    with django_assert_num_queries(1):
        record_save(response, profil)


def test_it_records_nothing_about_the_person():
    fields = {field.name for field in SectionActivity._meta.get_fields()}
    assert fields == {"id", "response", "section", "active_seconds", "last_seen", "saved_at"}


def test_the_agents_pages_record_views_and_saves(client, edition, rennes):
    enter(client, edition, rennes)
    client.get(reverse("answering:section", args=[YEAR, "moyens"]))
    response = Response.objects.get(edition=edition, collectivite=rennes)
    assert activity(response, "moyens").saved_at is None
    autosave = reverse("answering:autosave", args=[YEAR, "moyens"])
    assert client.post(autosave, {"version": "0", "nb_reunions": "4"}).status_code == 200
    assert activity(response, "moyens").saved_at is not None
    client.post(autosave, {"version": "0", "nb_reunions": "5"})  # refused (stale): not a save
    refused_at = activity(response, "moyens").saved_at
    assert SectionActivity.objects.filter(response=response).count() == 1
    assert activity(response, "moyens").saved_at == refused_at


def test_the_erasure_of_a_contact_deletes_the_paradata_of_its_collectivites_responses(
    edition, rennes, metz_metropole
):
    invitation = invite(edition, rennes)
    ours = filling.response_for(edition, rennes)
    theirs = filling.response_for(edition, metz_metropole)
    for response in (ours, theirs):
        record_save(response, section(response, "profil"))
    erase_contact(invitation.contact)
    assert not SectionActivity.objects.filter(response=ours).exists()
    assert SectionActivity.objects.filter(response=theirs).count() == 1
    assert Response.objects.filter(pk=ours.pk).exists()  # the answers stay


def test_the_paradata_goes_with_its_response(response):
    record_save(response, section(response, "profil"))
    response.answers.all().delete()
    response.delete()
    assert not SectionActivity.objects.exists()
