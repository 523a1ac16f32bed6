"""Preparing the next edition from an existing one keeps every code."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from surveys.definition import export_definition
from surveys.definition.evolution import clone_edition
from surveys.models import Edition
from tests.surveys.definition_helpers import import_shipped


def without_header(definition: dict) -> dict:
    return {key: value for key, value in definition.items() if key != "edition"}


@pytest.mark.django_db
def test_the_clone_has_the_same_sections_questions_choices_rows_and_roster():
    source = import_shipped(2018)
    source.status = Edition.Status.PUBLISHED
    source.save()
    clone = clone_edition(source, 2019, "Baromètre 2019")
    assert (clone.year, clone.title, clone.status) == (2019, "Baromètre 2019", "draft")
    assert clone.opens_at is None and clone.closes_at is None
    assert clone.introduction == source.introduction
    assert without_header(export_definition(clone)) == without_header(export_definition(source))
    roster = clone.questions.get(code="fiches_dispositifs")
    assert roster.item_questions.count() == 20
    assert {q.edition_id for q in roster.item_questions.all()} == {clone.pk}
    assert not clone.questions.filter(section__edition=source).exists()
    assert source.questions.count() == clone.questions.count()


@pytest.mark.django_db
def test_it_refuses_to_clone_onto_an_existing_year():
    source = import_shipped(2018)
    with pytest.raises(ValidationError, match="L'édition 2018 existe déjà."):
        clone_edition(source, 2018, "Doublon")


@pytest.mark.django_db
def test_the_clone_command_prepares_the_next_edition(capsys):
    import_shipped(2021)
    call_command("clone_edition", "2021", "2022")
    assert "Édition 2022 préparée à partir de 2021" in capsys.readouterr().out
    clone = Edition.objects.get(year=2022)
    assert clone.title == "Baromètre de la démocratie locale numérique 2022"
    with pytest.raises(CommandError, match="L'édition 2022 existe déjà."):
        call_command("clone_edition", "2021", "2022")
    with pytest.raises(CommandError, match="Aucune édition 2000."):
        call_command("clone_edition", "2000", "2001")
