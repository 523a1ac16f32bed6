"""Prefill from the previous edition, review (states, missing, warnings), submission, reopen."""

from decimal import Decimal

import pytest
from django.core import mail
from django.template import engines
from django.template.loader import render_to_string

from respondents.models import Collectivite, EmailLog
from surveys import filling
from surveys.backoffice import review
from surveys.filling.forms import SectionForm
from surveys.models import Answer, Question, Response
from tests.surveys.factories import build_edition
from tests.surveys.filling_helpers import invite, question, save, section, stored


@pytest.fixture
def edition(db):
    return build_edition(2030)


@pytest.fixture
def response(edition, rennes):
    return filling.response_for(edition, rennes)


@pytest.fixture
def last_year(rennes):
    """Rennes answered the previous edition (2029) and submitted it."""
    previous = build_edition(2029)
    old = Response.objects.create(
        edition=previous, collectivite=rennes, status=Response.Status.SUBMITTED
    )
    for code, value, other in [
        ("fonction_repondant", "autre", "Conseillère déléguée"),
        ("service_dedie", "oui", ""),
        ("service_intitule", "Mission démocratie", ""),
        ("etp_participation", "1.5", ""),
        ("besoins", {"besoin_1": 1, "besoin_2": 2, "besoin_3": 3}, ""),
        ("apports", {"transparence": "plutot"}, ""),
    ]:
        Answer.objects.create(
            response=old,
            question=question(old, code),
            value=value,
            other_text=other,
        )
    return old


def test_it_prefills_last_editions_answers_until_the_page_is_saved(response, last_year):
    profil = section(response, "profil")
    prefill, year, _left_out = filling.prefill_for(response, profil)
    assert year == 2029
    assert prefill["fonction_repondant"].value == "autre"
    assert prefill["fonction_repondant"].other_text == "Conseillère déléguée"
    form = SectionForm(response, profil, prefill=prefill, prefill_year=year)
    widget = form.widget(form.by_name["fonction_repondant"])
    assert widget["prefilled_from"] == 2029
    assert [c["code"] for c in widget["choices"] if c["checked"]] == ["autre"]
    assert widget["other_text"] == "Conseillère déléguée"
    # A question shown by a prefilled answer is visible before any save.
    assert form.by_name["service_intitule"].visible
    # Nothing is stored until the agent saves the page.
    assert not response.answers.exists()
    save(response, "profil", service_dedie="oui", service_intitule="Mission démocratie")
    assert stored(response, "service_intitule") == "Mission démocratie"
    assert stored(response, "fonction_repondant") is None
    assert filling.prefill_for(response, profil) == ({}, None, {})


def test_prefill_skips_answers_the_question_no_longer_accepts(response, last_year, edition):
    question(response, "etp_participation").__class__.objects.filter(
        edition=edition, code="etp_participation"
    ).update(type="integer")
    edition.questions.filter(code="apports").first().choices.filter(code="plutot").delete()
    moyens = section(response, "moyens")
    prefill, _, _left_out = filling.prefill_for(response, moyens)
    assert "etp_participation" not in prefill  # its type changed
    assert "apports" not in prefill  # the scale point is gone
    assert prefill["besoins"].value == {"besoin_1": 1, "besoin_2": 2, "besoin_3": 3}


def test_prefill_ignores_drafts_of_previous_editions(response, last_year):
    Response.objects.filter(pk=last_year.pk).update(status=Response.Status.DRAFT)
    assert filling.prefill_for(response, section(response, "profil")) == ({}, None, {})


def test_the_review_lists_states_missing_required_answers_and_roster_sheets(response):
    data = filling.review(response)
    assert [s.section.code for s in data.sections] == [
        "profil",
        "moyens",
        "focus_elections",
        "fiches",
    ]
    assert [s.state for s in data.sections] == ["not_started"] * 4
    assert [m.question.code for m in data.missing] == ["fonction_repondant"]
    save(response, "moyens", nb_reunions="3")
    save(response, "profil", service_dedie="oui")
    roster = question(response, "fiches_dispositifs")
    filling.add_roster_item(response, roster, response.version)
    data = filling.review(response)
    states = {s.section.code: s.state for s in data.sections}
    assert states == {
        "profil": "in_progress",
        "moyens": "complete",
        "focus_elections": "not_started",
        "fiches": "in_progress",
    }
    assert [(m.question.code, m.item, m.anchor) for m in data.missing] == [
        ("fonction_repondant", 0, "question-fonction_repondant"),
        ("nom", 1, "question-fiches_dispositifs-1-nom"),
    ]
    assert data.missing[1].label == "Fiche 1 — Question nom"
    assert data.complete_count == 1


def test_sections_whose_condition_fails_are_not_listed(edition):
    departement = Collectivite.objects.create(
        kind=Collectivite.Kind.DEPARTEMENT, code="35", name="Ille-et-Vilaine", population=1_000
    )
    response = filling.response_for(edition, departement)
    assert "focus_elections" not in [s.section.code for s in filling.review(response).sections]


def test_unusual_answers_raise_warnings(response, rennes):
    save(response, "moyens", budget_participation="12 000 000")
    warnings = filling.review(response).warnings
    assert [w.code for w in warnings] == ["budget_par_habitant_eleve"]
    assert "53,31 € par habitant" in warnings[0].message
    small = Collectivite.objects.create(
        kind=Collectivite.Kind.COMMUNE, code="35001", name="Acigné", population=7_000
    )
    other = filling.response_for(response.edition, small)
    save(other, "moyens", etp_participation="60", budget_participation="0")
    assert [w.code for w in filling.review(other).warnings] == [
        "etp_eleve_petite_collectivite",
        "etp_sans_budget",
    ]


def test_submission_enforces_required_answers_and_warnings(response):
    save(response, "moyens", budget_participation="12 000 000")
    with pytest.raises(filling.IncompleteResponse) as refused:
        filling.submit_response(response, response.version)
    assert [m.question.code for m in refused.value.missing] == ["fonction_repondant"]
    assert [w.code for w in refused.value.unconfirmed] == ["budget_par_habitant_eleve"]
    assert "1 réponse(s) obligatoire(s) manquante(s) ; 1 point(s) à confirmer" in (
        refused.value.message
    )
    save(response, "profil", fonction_repondant="elu")
    with pytest.raises(filling.IncompleteResponse):
        filling.submit_response(response, response.version)
    with pytest.raises(filling.StaleVersion):
        filling.submit_response(response, response.version - 1, ["budget_par_habitant_eleve"])
    filling.submit_response(response, response.version, ["budget_par_habitant_eleve"])
    response.refresh_from_db()
    assert response.status == Response.Status.SUBMITTED
    assert response.submitted_at is not None


def test_a_required_matrix_needs_every_row_before_submission(response):
    Question.objects.filter(edition=response.edition, code="apports").update(required=True)
    save(response, "profil", fonction_repondant="elu")
    save(response, "moyens", {"apports.transparence": "plutot", "apports.efficacite": "plutot"})
    data = filling.review(response)
    assert [(m.question.code, m.anchor) for m in data.missing] == [("apports", "question-apports")]
    moyens = next(s for s in data.sections if s.section.code == "moyens")
    assert moyens.state == "in_progress"
    with pytest.raises(filling.IncompleteResponse) as refused:
        filling.submit_response(response, response.version)
    assert [m.question.code for m in refused.value.missing] == ["apports"]
    save(
        response,
        "moyens",
        {
            "apports.transparence": "plutot",
            "apports.efficacite": "plutot",
            "apports.confiance": "pas_du_tout",
        },
    )
    assert filling.review(response).missing == []
    filling.submit_response(response, response.version)
    response.refresh_from_db()
    assert response.status == Response.Status.SUBMITTED


@pytest.mark.django_db(transaction=True)
def test_submission_sends_a_receipt_to_the_agent(rennes):
    edition = build_edition(2031)
    response = filling.response_for(edition, rennes)
    save(response, "profil", fonction_repondant="dgs")
    invitation = invite(edition, rennes, "rose.legoff@ville-rennes.test")
    filling.submit_response(
        response, response.version, contact=invitation.contact, invitation=invitation
    )
    assert len(mail.outbox) == 1
    receipt = mail.outbox[0]
    assert receipt.to == ["rose.legoff@ville-rennes.test"]
    assert receipt.subject == "Baromètre 2031 : nous avons bien reçu la réponse de Rennes"
    assert "Nous avons bien reçu la réponse de Rennes" in receipt.body
    log = EmailLog.objects.get(kind=EmailLog.Kind.RECEIPT)
    assert log.status == EmailLog.Status.SENT


def test_a_submitted_response_can_be_reopened_by_staff(response, alice):
    save(response, "profil", fonction_repondant="dgs")
    filling.submit_response(response, response.version)
    version = response.version
    review.reopen(response, alice)
    response.refresh_from_db()
    assert response.status == Response.Status.DRAFT
    assert response.submitted_at is None
    assert response.version == version + 1
    save(response, "profil", fonction_repondant="elu")
    assert stored(response, "fonction_repondant") == "elu"
    with pytest.raises(filling.FillingError):
        review.reopen(response, alice)


def test_the_answer_sheet_displays_answers_in_french(response):
    save(
        response,
        "moyens",
        {
            "budget_participation": "12 500,5",
            "etp_participation": "1,5",
            "outils_numeriques": ["forum", "autre"],
            "outils_numeriques_autre": "Appli",
            "apports.transparence": "plutot",
            "besoins.besoin_3": "1",
            "besoins.besoin_1": "2",
            "besoins.besoin_2": "3",
        },
    )
    roster = question(response, "fiches_dispositifs")
    filling.add_roster_item(response, roster, response.version)
    save(response, "fiches", {"fiches_dispositifs-1-nom": "Fabrique"})
    sheet = filling.answer_sheet(response)
    rows = {r["question"].code: r for part in sheet for r in part["rows"]}
    assert rows["budget_participation"]["lines"] == ["12\u202f500,5 €"]
    assert rows["etp_participation"]["lines"] == ["1,5"]
    assert rows["outils_numeriques"]["lines"] == ["Forum", "Autre", "Précision : Appli"]
    assert rows["apports"]["lines"] == ["Transparence : Oui, plutôt"]
    assert rows["besoins"]["lines"] == ["1. Besoin 3", "2. Besoin 1", "3. Besoin 2"]
    assert rows["fonction_repondant"]["lines"] == []
    assert rows["fiches_dispositifs"]["lines"] == ["1 fiche"]
    item = rows["fiches_dispositifs"]["sheets"][0]
    assert item["number"] == 1
    assert item["rows"][0]["lines"] == ["Fabrique"]
    assert Decimal(stored(response, "budget_participation")) == Decimal("12500.5")
    # One "Fiche" heading per roster sheet, none after a plain answer.
    html = render_to_string(
        "surveys/includes/answer_sheet.html", {"sheet": sheet, "edition": response.edition}
    )
    assert html.count("Fiche ") == 1 and "Fiche 1" in html


def test_prefill_skips_choices_the_collectivite_is_no_longer_offered(edition, metz_metropole):
    previous = build_edition(2029)
    old = Response.objects.create(
        edition=previous, collectivite=metz_metropole, status=Response.Status.SUBMITTED
    )
    Answer.objects.create(
        response=old, question=question(old, "dispositifs_existants"), value=["conseils_quartier"]
    )
    Answer.objects.create(response=old, question=question(old, "service_dedie"), value="non")
    response = filling.response_for(edition, metz_metropole)
    prefill, _, _left_out = filling.prefill_for(response, section(response, "profil"))
    assert set(prefill) == {"service_dedie"}


# The answer cells as `surveys/includes/answer_sheet.html` rendered them with template filters
# before `display.answer_sheet` built them: the HTML must stay the same, escaping included.
FILTERED_ROW = (
    "{% if row.lines %}{% if row.lines|length == 1 %}{{ row.lines.0|linebreaksbr }}{% else %}"
    "<ul>{% for line in row.lines %}<li>{{ line|linebreaksbr }}</li>{% endfor %}</ul>{% endif %}"
    '{% else %}<span class="no-answer">Sans réponse</span>{% endif %}'
)
FILTERED_SUB = (
    '{% if sub.lines %}{{ sub.lines|join:" ; "|linebreaksbr }}'
    '{% else %}<span class="no-answer">Sans réponse</span>{% endif %}'
)


def test_the_answer_cells_are_escaped_as_the_template_filters_did(response):
    hostile = "<script>alert(1)</script>\r\nligne 2 & « 3 »\rfin"
    save(response, "profil", {"service_dedie": "oui", "service_intitule": hostile})
    save(
        response,
        "moyens",
        {
            "outils_numeriques": ["forum", "autre"],
            "outils_numeriques_autre": "<b>Appli</b>\nmobile",
            "nb_reunions": "3",
        },
    )
    roster = question(response, "fiches_dispositifs")
    filling.add_roster_item(response, roster, response.version)
    filling.add_roster_item(response, roster, response.version)
    save(response, "fiches", {"fiches_dispositifs-1-nom": "<i>Fabrique</i>\nde quartier"})
    engine = engines["django"]
    row_template = engine.from_string(FILTERED_ROW)
    sub_template = engine.from_string(FILTERED_SUB)
    rows = [r for part in filling.answer_sheet(response) for r in part["rows"]]
    subs = [s for r in rows for item in r.get("sheets", []) for s in item["rows"]]
    assert {len(r["lines"]) for r in rows} >= {0, 1, 3} and subs
    for row in rows:
        assert row["html"] == row_template.render({"row": row})
    for sub in subs:
        assert sub["html"] == sub_template.render({"sub": sub})
    html = "".join(r["html"] for r in rows) + "".join(s["html"] for s in subs)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;<br>ligne 2" in html
    assert "&lt;i&gt;Fabrique&lt;/i&gt;<br>de quartier" in html
    assert "<li>Précision : &lt;b&gt;Appli&lt;/b&gt;<br>mobile</li>" in html
