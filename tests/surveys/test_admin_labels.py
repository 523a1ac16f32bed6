"""Every input of the questionnaire admin's change pages has an accessible name."""

import pytest
from django.urls import reverse
from lxml import html

from tests.surveys.definition_helpers import import_shipped

pytestmark = pytest.mark.django_db


def unlabelled(admin_client, url: str) -> list[str]:
    page = html.fromstring(admin_client.get(url).content.decode())
    labelled = set(page.xpath("//label/@for"))
    return [
        control.get("name")
        for control in page.xpath(
            "//form//input[not(@type='hidden' or @type='submit')]|//form//select|//form//textarea"
        )
        if not control.get("aria-label")
        and not (control.get("id") and control.get("id") in labelled)
        and not control.xpath("ancestor::label")
        and control.get("name") not in ("action", "select_across", "_selected_action")
    ]


def test_the_edition_section_and_question_pages_have_no_unlabelled_input(admin_client, db):
    edition = import_shipped(2021)
    section = edition.sections.order_by("order").first()
    question = edition.questions.filter(choices__isnull=False).first()
    for url in (
        reverse("admin:surveys_edition_change", args=[edition.pk]),
        reverse("admin:surveys_section_change", args=[section.pk]),
        reverse("admin:surveys_question_change", args=[question.pk]),
    ):
        assert unlabelled(admin_client, url) == [], url


def test_an_inline_input_names_its_column_and_its_row(admin_client, db):
    edition = import_shipped(2021)
    section = edition.sections.order_by("order").first()
    page = html.fromstring(
        admin_client.get(
            reverse("admin:surveys_edition_change", args=[edition.pk])
        ).content.decode()
    )
    (code,) = page.xpath(f"//input[@value='{section.code}'][contains(@name, '-code')]")
    assert code.get("aria-label") == f"Code — {section.title}"
    (delete,) = page.xpath(f"//input[@name='{code.get('name').replace('-code', '-DELETE')}']")
    assert delete.get("aria-label") == f"Supprimer — {section.title}"
