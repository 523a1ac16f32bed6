"""clean_answer: line breaks stored as LF, NUL and other control characters refused in French."""

import re

import pytest
from django.core.exceptions import ValidationError

from surveys.models import Question
from surveys.validation import clean_answer
from tests.faults import urls
from tests.surveys.factories import build_edition
from tests.surveys.filling_helpers import enter


def text_question(kind=Question.Type.LONGTEXT) -> Question:
    return Question(code="commentaire", type=kind)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("x\r=2+3", "x\n=2+3"), ("a\r\nb\rc\nd", "a\nb\nc\nd"), ("  tab\tok ", "tab\tok")],
)
def test_line_breaks_are_stored_as_line_feeds(raw, stored):
    assert clean_answer(text_question(), raw).value == stored


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x0b"])
def test_control_characters_are_refused_with_a_french_message(char):
    with pytest.raises(ValidationError) as error:
        clean_answer(text_question(Question.Type.TEXT), f"abc{char}def")
    assert error.value.code == "control_character"
    assert "caractère de contrôle non autorisé" in error.value.message


def test_a_page_with_a_nul_byte_answers_in_french_and_stores_nothing(client, rennes):
    edition = build_edition(2030)
    enter(client, edition, rennes)
    page = urls.section(2030, "profil")
    version = re.search(r'name="version" value="(\d+)"', client.get(page).text).group(1)
    response = client.post(
        page, {"version": version, "service_dedie": "oui", "service_intitule": "a\x00b"}
    )
    assert response.status_code in (200, 400)
    assert "caractère de contrôle non autorisé (U+0000)" in response.text
    assert not edition.responses.filter(answers__question__code="service_intitule").exists()
