"""The questionnaire editor: staff prepare the next edition from the back-office, every change
checked by the definition loader and by the protections of an answered edition."""

from decimal import Decimal

import pytest
from django.urls import reverse

from surveys.backoffice.editor.draft import (
    blank_question,
    change_definition,
    find_question,
    find_section,
)
from surveys.definition import dump_definition, export_definition, load_definition
from surveys.definition.evolution import clone_edition
from surveys.models import Edition
from tests.surveys.definition_helpers import answer, import_shipped
from tests.surveys.filling_helpers import enter

YEAR = 2022


@pytest.fixture
def draft(db):
    """A draft 2022 edition cloned from the shipped 2021 one."""
    return clone_edition(import_shipped(2021), YEAR, "Baromètre 2022")


@pytest.fixture
def staff(client, alice):
    client.force_login(alice)
    return client


def url(name: str, *args) -> str:
    return reverse(f"backoffice:{name}", args=[YEAR, *args])


def question_post(question: dict, **changes) -> dict:
    """The question form's POST data for `question` as stored, with `changes` applied
    (`choices` and `rows` replace the lists)."""
    question = {**question, **changes}
    data = {}
    for key in ("code", "type", "text", "help_text", "condition", "section"):
        data[f"question-{key}"] = question.get(key) or ""
    for key in ("required", "allow_nsp"):
        if question.get(key):
            data[f"question-{key}"] = "on"
    for key in ("min_value", "max_value", "step", "rank_count", "min_items", "max_items"):
        value = question.get(key)
        data[f"question-{key}"] = "" if value is None else str(value)
    for prefix, items in (("choix", question.get("choices", [])), ("lignes", question["rows"])):
        data[f"{prefix}-TOTAL_FORMS"] = str(len(items))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(items))
        for index, item in enumerate(items):
            data[f"{prefix}-{index}-ORDER"] = str(index + 1)
            for key, value in item.items():
                if isinstance(value, bool):
                    if value:
                        data[f"{prefix}-{index}-{key}"] = "on"
                else:
                    data[f"{prefix}-{index}-{key}"] = value
    return data


def stored(code: str) -> dict:
    return find_question(export_definition(Edition.objects.get(year=YEAR)), code)


# --- Preparing the next edition ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_edition_page_offers_to_prepare_the_next_one_prefilled(staff):
    import_shipped(2021)
    page = staff.get(reverse("backoffice:edition", args=[2021]))
    assert reverse("backoffice:editor-clone", args=[2021]) in page.content.decode()
    form = staff.get(reverse("backoffice:editor-clone", args=[2021]))
    assert form.status_code == 200
    assert form.context["form"]["year"].value() == 2022
    assert form.context["form"]["title"].value().endswith("2022")


@pytest.mark.django_db
def test_cloning_makes_a_draft_with_the_same_codes_and_opens_the_editor(staff):
    source = import_shipped(2021)
    answer_page = staff.post(
        reverse("backoffice:editor-clone", args=[2021]),
        {"year": "2022", "title": "Baromètre 2022"},
    )
    assert answer_page.status_code == 302
    assert answer_page["Location"] == url("editor")
    clone = Edition.objects.get(year=2022)
    assert clone.status == Edition.Status.DRAFT
    assert set(clone.questions.values_list("code", flat=True)) == set(
        source.questions.values_list("code", flat=True)
    )


@pytest.mark.django_db
def test_cloning_into_a_year_that_exists_is_refused_in_french(staff, draft):
    page = staff.post(
        reverse("backoffice:editor-clone", args=[2021]), {"year": "2022", "title": "Encore"}
    )
    assert page.status_code == 400
    assert "L'édition 2022 existe déjà" in page.context["form"].errors["year"][0]
    assert "2022 existe déjà" in page.content.decode()
    assert Edition.objects.filter(year=2022).count() == 1


# --- The editor's home ---------------------------------------------------------------------------


def test_the_home_lists_sections_and_questions_in_order_with_their_actions(staff, draft):
    page = staff.get(url("editor"))
    assert page.status_code == 200
    text = page.content.decode()
    codes = [s["code"] for s in export_definition(draft)["sections"]]
    positions = [text.index(f'id="section-{code}"') for code in codes]
    assert positions == sorted(positions)
    assert "Choix unique" in text  # the type's label, not its code
    assert "service_dedie = oui" in text  # a condition
    assert url("editor-question", "service_intitule") in text
    assert url("editor-question-remove", "service_intitule") in text
    assert f"{reverse('backoffice:edition-preview', args=[YEAR])}#section-profil" in text


def test_a_question_is_reworded_and_given_a_condition(staff, draft):
    question = stored("service_intitule")
    page = staff.post(
        url("editor-question", "service_intitule"),
        question_post(
            question,
            text="Quel est l'intitulé du service ?",
            condition="service_dedie = oui and type_collectivite = commune",
            section="dispositifs_participatifs",
        ),
    )
    assert page.status_code == 302, page.content.decode()
    after = stored("service_intitule")
    assert after["text"] == "Quel est l'intitulé du service ?"
    assert after["condition"] == "service_dedie = oui and type_collectivite = commune"


def test_a_dangling_condition_is_refused_next_to_its_field_keeping_what_was_typed(staff, draft):
    before = export_definition(draft)
    page = staff.post(
        url("editor-question", "service_intitule"),
        question_post(
            stored("service_intitule"),
            text="Texte retravaillé",
            condition="service_dedie = ouii",
            section="dispositifs_participatifs",
        ),
    )
    assert page.status_code == 400
    form = page.context["form"]
    assert any("ouii" in error for error in form.errors["condition"])
    html = page.content.decode()
    assert 'value="service_dedie = ouii"' in html
    assert "Texte retravaillé" in html
    assert f'href="#{form["condition"].id_for_label}"' in html  # the summary links to it
    assert "ligne" not in form.errors["condition"][0].split(":")[0]
    assert export_definition(Edition.objects.get(year=YEAR)) == before


def test_adding_a_section_with_a_condition_and_its_first_question(staff, draft):
    page = staff.post(
        url("editor-section-add"),
        {
            "section-code": "numerique_responsable",
            "section-title": "Numérique responsable",
            "section-description": "",
            "section-condition": "type_collectivite = commune",
            "premiere-code": "sobriete",
            "premiere-type": "longtext",
            "premiere-text": "Comment limitez-vous l'empreinte de vos outils ?",
        },
    )
    assert page.status_code == 302, page.content.decode()
    definition = export_definition(Edition.objects.get(year=YEAR))
    section = definition["sections"][-1]
    assert section["code"] == "numerique_responsable"
    assert section["condition"] == "type_collectivite = commune"
    assert [q["code"] for q in section["questions"]] == ["sobriete"]


def test_adding_a_single_choice_question_with_a_condition(staff, draft):
    question = {
        "code": "charte",
        "type": "single",
        "text": "Avez-vous une charte de la participation ?",
        "condition": "service_dedie = oui",
        "choices": [
            {"code": "oui", "label": "Oui", "condition": ""},
            {"code": "non", "label": "Non", "condition": ""},
        ],
        "rows": [],
    }
    page = staff.post(url("editor-question-add", "profil"), question_post(question))
    assert page.status_code == 302, page.content.decode()
    definition = export_definition(Edition.objects.get(year=YEAR))
    added = find_section(definition, "profil")["questions"][-1]
    assert added["code"] == "charte"
    assert added["condition"] == "service_dedie = oui"
    assert [c["code"] for c in added["choices"]] == ["oui", "non"]


def test_questions_and_sections_move_up_and_down(staff, draft):
    codes = [q["code"] for q in find_section(export_definition(draft), "profil")["questions"]]
    staff.post(url("editor-question-move", codes[1]), {"sens": "monter"})
    moved = [q["code"] for q in find_section(export_definition(draft), "profil")["questions"]]
    assert moved == [codes[1], codes[0], *codes[2:]]
    sections = [s["code"] for s in export_definition(draft)["sections"]]
    staff.post(url("editor-section-move", sections[0]), {"sens": "descendre"})
    assert [s["code"] for s in export_definition(draft)["sections"]][:2] == [
        sections[1],
        sections[0],
    ]


def test_choices_are_relabelled_reordered_added_and_an_unused_one_removed(staff, draft):
    question = stored("fonction_repondant")
    choices = [dict(c) for c in question["choices"]]
    choices[0]["label"] = "Élu·e (maire, adjoint·e)"
    choices = [choices[1], choices[0], *choices[2:-1]]  # the last one (« autre ») removed
    choices.append({"code": "benevole", "label": "Bénévole", "condition": ""})
    page = staff.post(
        url("editor-question", "fonction_repondant"),
        question_post(question, choices=choices, section="profil"),
    )
    assert page.status_code == 302, page.content.decode()
    after = stored("fonction_repondant")["choices"]
    assert [c["code"] for c in after] == ["dgs", "elu", "directeur_service", "agent", "benevole"]
    assert after[1]["label"] == "Élu·e (maire, adjoint·e)"


def test_a_choice_ticked_for_removal_goes_away(staff, draft):
    question = stored("service_dedie")
    data = question_post(
        {
            **question,
            "choices": [*question["choices"], {"code": "en_projet", "label": "En projet"}],
        },
        section="dispositifs_participatifs",
    )
    staff.post(url("editor-question", "service_dedie"), data)
    assert [c["code"] for c in stored("service_dedie")["choices"]] == ["oui", "non", "en_projet"]
    data = question_post(stored("service_dedie"), section="dispositifs_participatifs")
    data["choix-2-DELETE"] = "on"
    page = staff.post(url("editor-question", "service_dedie"), data)
    assert page.status_code == 302, page.content.decode()
    assert [c["code"] for c in stored("service_dedie")["choices"]] == ["oui", "non"]


def test_editing_choices_taken_from_another_question_keeps_both_lossless(staff, draft):
    source = stored("outils_numeriques")
    assert stored("nouveaux_outils_elections")["choices_source"]["from"] == "outils_numeriques"
    before = [c["code"] for c in stored("nouveaux_outils_elections")["choices"]]
    section = "dispositifs_numeriques"
    choices = [*source["choices"], {"code": "ia", "label": "Intelligence artificielle"}]
    page = staff.post(
        url("editor-question", "outils_numeriques"),
        question_post(source, choices=choices, section=section),
    )
    assert page.status_code == 302, page.content.decode()
    assert [c["code"] for c in stored("outils_numeriques")["choices"]][-1] == "ia"
    follower = stored("nouveaux_outils_elections")
    assert [c["code"] for c in follower["choices"]] == before  # written out, not changed
    assert follower["choices_source"] == {}


def test_saving_a_shared_list_question_unchanged_keeps_its_reference(staff, draft):
    question = stored("participation_programme")
    assert question["choices_source"] == {"from": "LIKERT4N", "except": []}
    page = staff.post(
        url("editor-question", "participation_programme"),
        question_post(question, text="Axe fort du programme ?", section="focus_elections"),
    )
    assert page.status_code == 302, page.content.decode()
    assert stored("participation_programme")["choices_source"]["from"] == "LIKERT4N"
    assert "choices: LIKERT4N" in dump_definition(export_definition(draft))


def test_removing_an_answered_question_is_refused_with_the_protections_message(staff, rennes):
    edition = import_shipped(2021)
    Edition.objects.filter(pk=edition.pk).update(year=YEAR, status=Edition.Status.OPEN)
    edition.refresh_from_db()
    change_definition(
        edition,
        lambda d: find_section(d, "profil")["questions"].append(
            {**find_question(d, "fonction_repondant"), "code": "repondu", "choices": []}
            | {"type": "text"}
        ),
    )
    answer(edition, rennes, {"repondu": "Oui"})
    confirm = staff.get(url("editor-question-remove", "repondu"))
    assert "Cette édition est « Ouverte », pas un brouillon" in confirm.content.decode()
    page = staff.post(url("editor-question-remove", "repondu"))
    assert page.status_code == 400
    assert "La question « repondu » a déjà des réponses" in page.content.decode()
    assert edition.questions.filter(code="repondu").exists()


def test_removing_a_question_others_refer_to_names_them(staff, draft):
    page = staff.post(url("editor-question-remove", "service_dedie"))
    assert page.status_code == 400
    assert "service_dedie" in page.content.decode()
    assert draft.questions.filter(code="service_dedie").exists()


def test_an_unused_question_is_removed_after_confirmation(staff, draft):
    confirm = staff.get(url("editor-question-remove", "changements_prevus"))
    assert confirm.status_code == 200
    page = staff.post(url("editor-question-remove", "changements_prevus"))
    assert page.status_code == 302
    assert not draft.questions.filter(code="changements_prevus").exists()


def test_the_edited_editions_yaml_reloads_to_the_same_definition(staff, draft):
    staff.post(
        url("editor-question", "service_intitule"),
        question_post(
            stored("service_intitule"),
            text="Intitulé : « service »\n sur deux lignes ",
            min_value=None,
            section="dispositifs_participatifs",
        ),
    )
    staff.post(
        url("editor-question", "budget_participation"),
        question_post(stored("budget_participation"), step=Decimal("0.5"), section="moyens"),
    )
    download = staff.get(url("editor-download"))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="2022.yaml"'
    text = download.content.decode()
    reloaded = load_definition("2022.yaml", text)
    exported = export_definition(Edition.objects.get(year=YEAR))
    assert reloaded == load_definition("again", dump_definition(exported))
    assert find_question(reloaded, "service_intitule")["text"].startswith("Intitulé : « service »")
    assert find_question(reloaded, "budget_participation")["step"] == Decimal("0.5")


def test_stray_bytes_get_a_french_message_and_nothing_is_saved(staff, draft):
    before = export_definition(draft)
    page = staff.post(
        url("editor-question", "service_intitule"),
        question_post(
            stored("service_intitule"), text="Nul\x00ici", section="dispositifs_participatifs"
        ),
    )
    assert page.status_code == 400
    assert page.context["form"].errors["text"]
    assert export_definition(draft) == before


def test_a_number_that_is_not_one_is_refused_in_french(staff, draft):
    data = question_post(stored("budget_participation"), section="moyens")
    data["question-min_value"] = "beaucoup"
    page = staff.post(url("editor-question", "budget_participation"), data)
    assert page.status_code == 400
    assert "Saisissez un nombre" in page.context["form"].errors["min_value"][0]


def test_unknown_codes_answer_404(staff, draft):
    assert staff.get(url("editor-question", "inconnue")).status_code == 404
    assert staff.get(url("editor-section", "inconnue")).status_code == 404
    assert (
        staff.post(url("editor-question-move", "inconnue"), {"sens": "monter"}).status_code == 404
    )
    assert staff.get(url("editor-item-add", "service_dedie")).status_code == 404
    assert staff.get(reverse("backoffice:editor", args=[1999])).status_code == 404


def test_the_live_check_reports_a_dangling_condition_and_accepts_a_good_one(staff, draft):
    check = url("editor-check")
    bad = staff.get(check, {"question": "service_intitule", "condition": "service_dedie = ouii"})
    assert bad.json()["ok"] is False
    assert any("ouii" in message for message in bad.json()["messages"])
    good = staff.get(check, {"section": "profil", "condition": "type_collectivite = commune"})
    assert good.json() == {"ok": True, "messages": []}
    new = staff.get(check, {"dans": "profil", "condition": "inconnue = 1"})
    assert new.json()["ok"] is False
    assert draft.questions.filter(code="verification_editeur").count() == 0


def test_only_staff_may_use_the_editor(client, bob, draft, rennes):
    pages = [
        url("editor"),
        url("editor-question", "service_dedie"),
        url("editor-check"),
        reverse("backoffice:editor-clone", args=[2021]),
    ]
    for page in pages:
        assert client.get(page).status_code == 302  # anonymous: to the login page
    assert client.post(url("editor-question-remove", "service_intitule")).status_code == 302
    enter(client, draft, rennes)  # a respondent: a magic-link session, no staff account
    for page in pages:
        answer_page = client.get(page)
        assert answer_page.status_code == 302
        assert answer_page["Location"].startswith(reverse("login"))
    assert client.post(url("editor-reorder"), {"liste": ""}).status_code == 302
    client.force_login(bob)
    for page in pages:
        assert client.get(page).status_code == 403
    assert client.post(url("editor-question-remove", "service_intitule")).status_code == 403
    assert draft.questions.filter(code="service_intitule").exists()


# --- Rosters, sections, an edition already answered ----------------------------------------------


def _with_roster(edition):
    roster = blank_question("fiches", "roster", "Fiches des dispositifs")
    roster["questions"] = [blank_question("fiche_nom", "text", "Nom du dispositif")]
    change_definition(edition, lambda d: find_section(d, "moyens")["questions"].append(roster))


def test_a_question_is_added_to_a_roster_as_an_item_question(staff, draft):
    _with_roster(draft)
    question = {"code": "fiche_public", "type": "text", "text": "Public visé", "rows": []}
    page = staff.post(url("editor-item-add", "fiches"), question_post(question))
    assert page.status_code == 302, page.content.decode()
    roster = stored("fiches")
    assert [q["code"] for q in roster["questions"]] == ["fiche_nom", "fiche_public"]
    assert draft.questions.get(code="fiche_public").roster.code == "fiches"


def test_a_new_roster_is_created_with_its_first_question(staff, draft):
    question = {"code": "fiches", "type": "roster", "text": "Vos dispositifs", "rows": []}
    data = question_post(question, max_items=10)
    data.update({"premiere-code": "fiche_nom", "premiere-type": "text", "premiere-text": "Nom"})
    page = staff.post(url("editor-question-add", "moyens"), data)
    assert page.status_code == 302, page.content.decode()
    assert [q["code"] for q in stored("fiches")["questions"]] == ["fiche_nom"]
    assert stored("fiches")["max_items"] == 10


def test_a_question_moves_to_another_section(staff, draft):
    page = staff.post(
        url("editor-question", "service_intitule"),
        question_post(stored("service_intitule"), section="profil"),
    )
    assert page.status_code == 302, page.content.decode()
    profil = find_section(export_definition(draft), "profil")
    assert profil["questions"][-1]["code"] == "service_intitule"


def test_a_section_nobody_refers_to_is_removed_after_confirmation(staff, draft):
    page = staff.post(
        url("editor-section-add"),
        {
            "section-code": "essai",
            "section-title": "Essai",
            "premiere-code": "essai_texte",
            "premiere-type": "text",
            "premiere-text": "Un essai",
        },
    )
    assert page.status_code == 302
    assert staff.get(url("editor-section-remove", "essai")).status_code == 200
    assert staff.post(url("editor-section-remove", "essai")).status_code == 302
    assert not draft.sections.filter(code="essai").exists()
    assert not draft.questions.filter(code="essai_texte").exists()


def test_a_section_title_change_is_saved_and_a_bad_code_is_refused_on_its_field(staff, draft):
    section = find_section(export_definition(draft), "profil")
    data = {f"section-{key}": section[key] for key in ("code", "title", "description")}
    data["section-condition"] = ""
    page = staff.post(url("editor-section", "profil"), {**data, "section-title": "Vous"})
    assert page.status_code == 302
    assert draft.sections.get(code="profil").title == "Vous"
    page = staff.post(url("editor-section", "profil"), {**data, "section-code": "Profil Été"})
    assert page.status_code == 400
    assert "code invalide" in page.context["form"].errors["code"][0]
    assert draft.sections.filter(code="profil").exists()


@pytest.fixture
def answered(db, rennes):
    """The 2021 edition as 2022, open, Rennes having answered two of its questions."""
    edition = import_shipped(2021)
    Edition.objects.filter(pk=edition.pk).update(year=YEAR, status=Edition.Status.OPEN)
    edition.refresh_from_db()
    answer(edition, rennes, {"fonction_repondant": "elu", "service_dedie": "oui"})
    return edition


def test_an_answered_edition_still_takes_a_new_choice(staff, answered):
    question = stored("fonction_repondant")
    choices = [*question["choices"], {"code": "benevole", "label": "Bénévole"}]
    page = staff.post(
        url("editor-question", "fonction_repondant"),
        question_post(question, choices=choices, section="profil"),
    )
    assert page.status_code == 302, page.content.decode()
    assert stored("fonction_repondant")["choices"][-1]["code"] == "benevole"


def test_removing_a_chosen_choice_is_refused_next_to_it(staff, answered):
    data = question_post(stored("fonction_repondant"), section="profil")
    data["choix-0-DELETE"] = "on"  # « elu », Rennes's answer
    page = staff.post(url("editor-question", "fonction_repondant"), data)
    assert page.status_code == 400
    first_choice = page.context["choices"].forms[0]
    assert "figure déjà dans des réponses" in first_choice.errors["code"][0]
    assert [c["code"] for c in stored("fonction_repondant")["choices"]][0] == "elu"


def test_retyping_an_answered_question_is_refused_on_the_type_field(staff, answered):
    data = question_post(stored("fonction_repondant"), type="multiple", section="profil")
    page = staff.post(url("editor-question", "fonction_repondant"), data)
    assert page.status_code == 400
    assert "ne peut plus changer" in page.context["form"].errors["type"][0]
    assert answered.questions.get(code="fonction_repondant").type == "single"


def test_a_choice_error_is_shown_on_that_choice(staff, draft):
    question = stored("service_dedie")
    choices = [dict(c) for c in question["choices"]]
    choices[1]["condition"] = "inconnue = 1"
    choices.append({"code": "oui", "label": "Oui encore"})
    page = staff.post(
        url("editor-question", "service_dedie"),
        question_post(question, choices=choices, section="dispositifs_participatifs"),
    )
    assert page.status_code == 400
    forms = page.context["choices"].forms
    assert "inconnue" in forms[1].errors["condition"][0]
    duplicate = forms[0].errors["code"][0]
    assert "code « oui » en double" in duplicate
    assert "ligne" not in duplicate  # the generated file's line means nothing here
    assert stored("service_dedie")["choices"] == question["choices"]


@pytest.mark.parametrize(
    "raw",
    [b"\xff\xfe\x00", b"\x1b[31m", "\u202e\ufeff\u2028".encode(), b"%00", b"\xed\xa0\x80"],
)
def test_stray_bytes_anywhere_never_break_a_page(staff, draft, raw):
    before = export_definition(draft)
    body = b"&".join(
        name + b"=" + raw
        for name in (
            b"question-code",
            b"question-type",
            b"question-text",
            b"question-condition",
            b"question-min_value",
            b"choix-TOTAL_FORMS",
            b"choix-INITIAL_FORMS",
            b"choix-0-code",
            b"section-code",
            b"section-title",
            b"premiere-type",
            b"sens",
        )
    )
    kind = "application/x-www-form-urlencoded"
    for path in (
        url("editor-question", "service_intitule"),
        url("editor-question-add", "profil"),
        url("editor-section-add"),
        url("editor-section", "profil"),
    ):
        page = staff.generic("POST", path, body, content_type=kind)
        assert page.status_code == 400, path
    move = staff.generic("POST", url("editor-question-move", "fonction_repondant"), body, kind)
    assert move.status_code == 302
    assert staff.get(url("editor-check") + "?question=service_intitule&condition=" + "%ff%00")
    assert export_definition(draft) == before


def test_a_dragged_order_is_saved_and_a_stale_one_refused(staff, draft):
    codes = [q["code"] for q in find_section(export_definition(draft), "profil")["questions"]]
    saved = staff.post(url("editor-reorder"), {"liste": "profil", "ordre": codes[::-1]})
    assert saved.json() == {"ok": True, "messages": []}
    profil = find_section(export_definition(draft), "profil")
    assert [q["code"] for q in profil["questions"]] == codes[::-1]
    sections = [s["code"] for s in export_definition(draft)["sections"]]
    moved = [sections[1], sections[0], *sections[2:]]
    assert staff.post(url("editor-reorder"), {"liste": "", "ordre": moved}).json()["ok"]
    assert [s["code"] for s in export_definition(draft)["sections"]] == moved
    stale = staff.post(url("editor-reorder"), {"liste": "profil", "ordre": codes[:1]})
    assert stale.status_code == 400
    assert "rechargez la page" in stale.json()["messages"][0]
    gone = staff.post(url("editor-reorder"), {"liste": "inconnue", "ordre": codes})
    assert gone.status_code == 400
