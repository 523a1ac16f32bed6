"""The compiled edition: built once per process per change stamp, rebuilt after any change of
the structure (import, admin, a model's save), never stale on the next request."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.compiled import compiled_edition, forget
from surveys.definition import import_definition, load_definition
from surveys.models import Choice, Edition, Question
from tests.surveys.definition_helpers import MINIMAL
from tests.surveys.filling_helpers import enter

pytestmark = pytest.mark.django_db


def import_text(source: str) -> Edition:
    edition, _ = import_definition(load_definition("essai.yaml", text=source))
    return edition


def opened(edition: Edition) -> Edition:
    edition.status = Edition.Status.OPEN
    edition.opens_at = timezone.now() - timedelta(days=1)
    edition.closes_at = timezone.now() + timedelta(days=30)
    edition.save()
    return edition


def section_page(client) -> str:
    return client.get(reverse("answering:section", args=[2030, "profil"])).content.decode()


def test_it_is_built_once_for_the_same_stamp(django_assert_num_queries):
    edition = import_text(MINIMAL)
    first = compiled_edition(edition)
    with django_assert_num_queries(0):
        again = compiled_edition(edition)
    assert again is first
    assert [q.code for q in first.questions] == [
        "service_dedie",
        "service_intitule",
        "outils",
        "avis",
    ]


def test_another_process_rebuilds_it_on_the_next_stamp():
    edition = import_text(MINIMAL)
    first = compiled_edition(edition)
    # Another process moved the stamp on: this one sees it on the edition it loads next.
    Edition.objects.filter(pk=edition.pk).update(updated_at=timezone.now() + timedelta(seconds=1))
    assert compiled_edition(Edition.objects.get(pk=edition.pk)) is not first


def test_an_import_changes_the_compiled_edition_seen_by_the_next_request(client, rennes):
    edition = opened(import_text(MINIMAL))
    enter(client, edition, rennes)
    assert "Un service dédié ?" in section_page(client)
    stamp = Edition.objects.get(pk=edition.pk).updated_at
    import_text(MINIMAL.replace("Un service dédié ?", "Avez-vous un service dédié ?"))
    assert Edition.objects.get(pk=edition.pk).updated_at > stamp
    page = section_page(client)
    assert "Avez-vous un service dédié ?" in page and ">Un service dédié ?" not in page


def test_an_unchanged_import_keeps_the_compiled_edition():
    edition = import_text(MINIMAL)
    first = compiled_edition(edition)
    import_text(MINIMAL)
    assert compiled_edition(Edition.objects.get(pk=edition.pk)) is first


def test_saving_a_choice_as_the_admin_does_moves_the_stamp_on(client, rennes):
    edition = opened(import_text(MINIMAL))
    enter(client, edition, rennes)
    assert "Forum" in section_page(client)
    stamp = Edition.objects.get(pk=edition.pk).updated_at
    forum = Choice.objects.get(question__edition=edition, code="forum")
    forum.label = "Forum en ligne"
    forum.save()
    assert Edition.objects.get(pk=edition.pk).updated_at > stamp
    assert "Forum en ligne" in section_page(client)


def test_a_question_added_is_on_the_next_page(client, rennes):
    edition = opened(import_text(MINIMAL))
    enter(client, edition, rennes)
    section_page(client)
    profil = edition.sections.get(code="profil")
    Question.objects.create(
        edition=edition,
        section=profil,
        code="remarques",
        type="longtext",
        text="Remarques",
        order=9,
    )
    assert 'id="question-remarques"' in section_page(client)


def test_forgetting_every_edition_rebuilds_on_next_use():
    edition = import_text(MINIMAL)
    first = compiled_edition(edition)
    forget()
    assert compiled_edition(edition) is not first
