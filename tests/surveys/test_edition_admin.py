"""The questionnaire admin: inline ordering, protection messages instead of errors, cloning."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from lxml import html

from surveys.models import Edition
from tests.surveys.definition_helpers import answer, import_shipped


@pytest.fixture
def edition(db, rennes):
    edition = import_shipped(2021)
    answer(edition, rennes, {"fonction_repondant": "elu", "outils_numeriques": ["forum"]})
    return edition


def form_values(response, form_id: str) -> dict:
    """The values a browser would post for the admin form, as a dict of lists."""
    form = html.fromstring(response.content.decode()).get_element_by_id(form_id)
    values: dict[str, list] = {}
    for name, value in form.form_values():
        values.setdefault(name, []).append(value)
    return values


def inline_prefix(values: dict, prefix: str, field: str, value: str) -> str:
    """The form prefix (e.g. "choices-3") of the inline row whose `field` equals `value`."""
    for name, found in values.items():
        if name.startswith(prefix) and name.endswith(f"-{field}") and found == [value]:
            return name[: -len(field) - 1]
    raise AssertionError(f"{field}={value} introuvable")


def change_question(admin_client, question):
    url = reverse("admin:surveys_question_change", args=[question.pk])
    return url, form_values(admin_client.get(url), "question_form")


def test_the_admin_pages_list_and_edit_every_level(admin_client, edition):
    question = edition.questions.get(code="objectifs")
    for url in (
        reverse("admin:surveys_edition_changelist"),
        reverse("admin:surveys_edition_change", args=[edition.pk]),
        reverse("admin:surveys_section_change", args=[question.section_id]),
        reverse("admin:surveys_question_changelist") + f"?edition__id__exact={edition.pk}",
        reverse("admin:surveys_question_change", args=[question.pk]),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
    page = admin_client.get(reverse("admin:surveys_edition_change", args=[edition.pk]))
    assert reverse("backoffice:edition-preview", args=[2021]) in page.content.decode()


def test_it_reorders_choices_inline(admin_client, edition):
    question = edition.questions.get(code="nouveaux_dispositifs")
    url, values = change_question(admin_client, question)
    values[inline_prefix(values, "choices-", "code", "nsp") + "-order"] = ["0"]
    response = admin_client.post(url, values)
    assert response.status_code == 302
    assert list(question.choices.values_list("code", flat=True)) == ["nsp", "oui", "non"]


def test_it_allows_rewording_an_answered_question(admin_client, edition):
    question = edition.questions.get(code="fonction_repondant")
    url, values = change_question(admin_client, question)
    values["text"] = ["Quelle fonction occupez-vous ?"]
    values[inline_prefix(values, "choices-", "code", "elu") + "-label"] = ["Élu·e local·e"]
    assert admin_client.post(url, values).status_code == 302
    question.refresh_from_db()
    assert question.text == "Quelle fonction occupez-vous ?"
    assert question.choices.get(code="elu").label == "Élu·e local·e"


def test_it_shows_a_message_instead_of_changing_an_answered_questions_type(admin_client, edition):
    question = edition.questions.get(code="fonction_repondant")
    url, values = change_question(admin_client, question)
    values["type"] = ["multiple"]
    response = admin_client.post(url, values)
    assert response.status_code == 200
    assert "son type (Choix unique) ne peut plus changer" in response.content.decode()
    question.refresh_from_db()
    assert question.type == "single"


def test_it_shows_a_message_instead_of_deleting_a_chosen_choice(admin_client, edition):
    question = edition.questions.get(code="outils_numeriques")
    url, values = change_question(admin_client, question)
    values[inline_prefix(values, "choices-", "code", "forum") + "-DELETE"] = ["on"]
    response = admin_client.post(url, values)
    assert response.status_code == 200
    assert "le choix « forum » figure déjà dans des réponses" in response.content.decode()
    assert question.choices.filter(code="forum").exists()


def test_it_shows_a_message_instead_of_recoding_a_chosen_choice(admin_client, edition):
    question = edition.questions.get(code="outils_numeriques")
    url, values = change_question(admin_client, question)
    values[inline_prefix(values, "choices-", "code", "forum") + "-code"] = ["forum_discussion"]
    response = admin_client.post(url, values)
    assert response.status_code == 200
    assert "son code ne peut plus changer" in response.content.decode()
    assert question.choices.filter(code="forum").exists()


def test_it_deletes_an_unchosen_choice(admin_client, edition):
    question = edition.questions.get(code="outils_numeriques")
    url, values = change_question(admin_client, question)
    values[inline_prefix(values, "choices-", "code", "petition") + "-DELETE"] = ["on"]
    assert admin_client.post(url, values).status_code == 302
    assert not question.choices.filter(code="petition").exists()


def test_it_refuses_a_condition_naming_an_unknown_code(admin_client, edition):
    question = edition.questions.get(code="service_intitule")
    url, values = change_question(admin_client, question)
    values["condition"] = ["service_dedi = oui"]
    response = admin_client.post(url, values)
    assert response.status_code == 200
    assert "position 1 : code inconnu « service_dedi »" in response.content.decode()


def test_it_shows_a_message_instead_of_deleting_an_answered_question_from_its_section(
    admin_client, edition
):
    question = edition.questions.get(code="fonction_repondant")
    url = reverse("admin:surveys_section_change", args=[question.section_id])
    values = form_values(admin_client.get(url), "section_form")
    values[inline_prefix(values, "questions-", "code", "fonction_repondant") + "-DELETE"] = ["on"]
    response = admin_client.post(url, values)
    assert response.status_code == 200
    # Django's own check on protected objects speaks first, in French too.
    assert "provoquerait la suppression des objets liés et protégés suivants" in (
        response.content.decode()
    )
    assert edition.questions.filter(code="fonction_repondant").exists()


def test_deleting_an_answered_question_shows_the_protected_answers(admin_client, edition):
    question = edition.questions.get(code="fonction_repondant")
    url = reverse("admin:surveys_question_delete", args=[question.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert "protégés" in response.content.decode()
    assert edition.questions.filter(code="fonction_repondant").exists()


def test_the_admin_action_prepares_the_next_edition(admin_client, edition):
    url = reverse("admin:surveys_edition_changelist")
    data = {"action": "prepare_next_edition", "_selected_action": [edition.pk]}
    response = admin_client.post(url, data)
    clone = Edition.objects.get(year=2022)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:surveys_edition_change", args=[clone.pk])
    assert clone.questions.count() == edition.questions.count()
    response = admin_client.post(url, data, follow=True)
    assert "L'édition 2022 existe déjà." in [str(m) for m in get_messages(response.wsgi_request)]


def test_the_admin_action_wants_a_single_edition(admin_client, edition):
    other = Edition.objects.create(year=2019, title="Autre")
    url = reverse("admin:surveys_edition_changelist")
    data = {"action": "prepare_next_edition", "_selected_action": [edition.pk, other.pk]}
    response = admin_client.post(url, data, follow=True)
    assert "Choisissez une seule édition" in response.content.decode()
    assert Edition.objects.count() == 2
