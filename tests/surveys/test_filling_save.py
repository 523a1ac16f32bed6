"""Saving a page: every type from form input, validation messages, conditions, versions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from surveys import filling
from surveys.filling.forms import SectionForm, condition_json
from surveys.models import Answer, Edition, Response
from surveys.visibility import answer_values
from tests.surveys.factories import build_edition
from tests.surveys.filling_helpers import bound_form, save, section, stored, stored_answer


@pytest.fixture
def edition(db):
    return build_edition(2030)


@pytest.fixture
def response(edition, rennes):
    return filling.response_for(edition, rennes)


def test_it_saves_every_type_of_the_profile_and_means_pages(response):
    save(
        response,
        "profil",
        fonction_repondant="autre",
        fonction_repondant_autre="Chargée de démocratie locale",
        dispositifs_existants=["conseils_quartier", "budget_participatif"],
        service_dedie="oui",
        service_intitule="Mission participation",
    )
    save(
        response,
        "moyens",
        {
            "etp_participation": "2,5",
            "budget_participation": "12 500,50",
            "nb_reunions": "12",
            "outils_numeriques": ["forum", "autre"],
            "outils_numeriques_autre": "Application maison",
            "logiciel": "libre",
            "apports.transparence": "tout_a_fait",
            "apports.confiance": "nsp",
            "besoins.besoin_2": "1",
            "besoins.besoin_5": "2",
            "besoins.besoin_1": "3",
            "commentaire": "  Une remarque\r\nsur deux lignes ",
        },
    )
    assert stored(response, "fonction_repondant") == "autre"
    assert stored_answer(response, "fonction_repondant").other_text == (
        "Chargée de démocratie locale"
    )
    assert stored(response, "dispositifs_existants") == ["conseils_quartier", "budget_participatif"]
    assert stored(response, "service_intitule") == "Mission participation"
    assert stored(response, "etp_participation") == "2.5"
    assert stored(response, "budget_participation") == "12500.5"
    assert stored_answer(response, "budget_participation").number == Decimal("12500.5")
    assert stored(response, "nb_reunions") == 12
    assert stored(response, "outils_numeriques") == ["forum", "autre"]
    assert stored_answer(response, "outils_numeriques").other_text == "Application maison"
    assert stored(response, "apports") == {"transparence": "tout_a_fait", "confiance": "nsp"}
    assert stored(response, "besoins") == {"besoin_1": 3, "besoin_2": 1, "besoin_5": 2}
    assert stored(response, "commentaire") == "Une remarque\nsur deux lignes"
    response.refresh_from_db()
    assert response.version == 2
    assert response.saved_sections == ["profil", "moyens"]


def test_it_saves_ne_sait_pas_for_a_number(response):
    save(response, "moyens", budget_participation="", budget_participation_nsp="1")
    assert stored(response, "budget_participation") == "nsp"


def test_it_saves_an_incomplete_draft_and_clears_an_emptied_answer(response):
    save(response, "profil", service_dedie="oui")
    assert stored(response, "fonction_repondant") is None
    save(response, "profil", service_dedie="")
    assert stored(response, "service_dedie") is None


@pytest.mark.parametrize(
    ("fields", "name", "message"),
    [
        ({"etp_participation": "deux"}, "etp_participation", "« deux » n'est pas un nombre."),
        ({"etp_participation": "-1"}, "etp_participation", "Saisissez un nombre entre 0 et 10"),
        ({"etp_participation": "1,25"}, "etp_participation", "Saisissez un multiple de 0,1."),
        ({"nb_reunions": "2,5"}, "nb_reunions", "Saisissez un nombre entier."),
        ({"nb_reunions": "501"}, "nb_reunions", "Saisissez un nombre entre 0 et 500."),
        (
            {"budget_participation": "10,555"},
            "budget_participation",
            "Un montant a au plus deux décimales (les centimes).",
        ),
        (
            {"budget_participation": "-5"},
            "budget_participation",
            "Saisissez un nombre supérieur ou égal à 0 €.",
        ),
        (
            {"budget_participation": "100", "budget_participation_nsp": "1"},
            "budget_participation",
            "Saisissez un nombre ou cochez « Ne sait pas », pas les deux.",
        ),
        (
            {"nb_reunions": "nsp"},
            "nb_reunions",
            "« Ne sait pas » n'est pas possible pour cette question : saisissez un nombre.",
        ),
        (
            {"outils_numeriques": ["aucun", "forum"]},
            "outils_numeriques",
            "« Aucun » ne peut pas être combiné avec d'autres réponses.",
        ),
        (
            {"outils_numeriques": ["autre"]},
            "outils_numeriques",
            "Précisez votre réponse « Autre ».",
        ),
        (
            {"outils_numeriques": ["inconnu"]},
            "outils_numeriques",
            "« inconnu » ne fait pas partie des choix possibles",
        ),
        (
            {"besoins.besoin_1": "1", "besoins.besoin_2": "2"},
            "besoins",
            "Classez exactement 3 éléments (vous en avez classé 2).",
        ),
        (
            {"besoins.besoin_1": "1", "besoins.besoin_2": "1", "besoins.besoin_3": "2"},
            "besoins",
            "Deux éléments ont le même rang.",
        ),
        (
            {"besoins.besoin_1": "1", "besoins.besoin_2": "2", "besoins.besoin_3": "4"},
            "besoins",
            "Les rangs doivent aller de 1 à 3, sans trou.",
        ),
        (
            {"besoins.besoin_1": "premier", "besoins.besoin_2": "2", "besoins.besoin_3": "3"},
            "besoins",
            "« Besoin 1 » : le rang doit être un nombre entier à partir de 1.",
        ),
        (
            {"apports.transparence": "peut_etre"},
            "apports",
            "Ligne « Transparence » : « peut_etre » ne fait pas partie de l'échelle",
        ),
        ({"commentaire": "x" * 10_001}, "commentaire", "Ce texte ne doit pas dépasser 10"),
    ],
)
def test_it_refuses_invalid_input_with_a_french_message(response, fields, name, message):
    form = bound_form(response, "moyens", fields)
    assert not form.is_valid()
    assert message in form.errors[name][0]
    anchors = [anchor for anchor, _ in form.error_list()]
    assert anchors
    assert any(text.startswith(f"Question {name} : ") for _, text in form.error_list())


def test_the_error_summary_links_to_the_first_input_or_the_precision(response):
    form = bound_form(
        response,
        "moyens",
        {"outils_numeriques": ["autre"], "nb_reunions": "x", "apports.transparence": "z"},
    )
    anchors = dict(form.error_list())
    assert "q-outils_numeriques_autre" in anchors
    assert "q-nb_reunions" in anchors
    assert "q-apports-transparence-tout_a_fait" in anchors


def test_a_single_question_refuses_a_choice_its_condition_hides(response, metz_metropole):
    other = filling.response_for(response.edition, metz_metropole)
    form = bound_form(other, "profil", dispositifs_existants=["conseils_quartier"])
    assert not form.is_valid()
    assert form.errors["dispositifs_existants"] == [
        "Le choix « Conseils de quartier » ne s'applique pas à votre collectivité."
    ]


def test_valid_answers_are_saved_and_invalid_ones_keep_the_stored_answer(response):
    save(response, "moyens", nb_reunions="10", etp_participation="1")
    form = save(response, "moyens", nb_reunions="dix", etp_participation="3", commentaire="Ok")
    assert "nb_reunions" in form.errors
    assert stored(response, "nb_reunions") == 10
    assert stored(response, "etp_participation") == "3"
    assert stored(response, "commentaire") == "Ok"
    # The typed value is what the page shows again.
    assert form.widget(form.by_name["nb_reunions"])["text"] == "dix"


def test_a_hidden_question_is_dropped_on_save_and_its_errors_ignored(response):
    save(response, "profil", service_dedie="oui", service_intitule="Mission participation")
    assert stored(response, "service_intitule") == "Mission participation"
    form = save(response, "profil", service_dedie="non", service_intitule="x" * 600)
    assert "service_intitule" not in form.errors
    assert stored(response, "service_intitule") is None
    assert not form.by_name["service_intitule"].visible


def test_a_question_shown_by_an_answer_on_the_same_page_is_saved(response):
    save(response, "moyens", outils_numeriques=["forum"], logiciel="libre")
    assert stored(response, "logiciel") == "libre"
    save(response, "moyens", outils_numeriques=["aucun"], logiciel="libre")
    assert stored(response, "logiciel") is None


def test_conditions_across_pages_are_reapplied_on_save(response):
    save(response, "focus_elections", elections_concernee="oui", changement_majorite="non")
    assert stored(response, "changement_majorite") == "non"
    save(response, "focus_elections", elections_concernee="non", changement_majorite="non")
    assert stored(response, "changement_majorite") is None


def test_a_save_based_on_an_old_version_is_refused_and_nothing_is_lost(response):
    save(response, "profil", service_dedie="oui")
    old_version = response.version
    save(response, "profil", service_dedie="non", fonction_repondant="dgs")
    form = bound_form(response, "profil", service_dedie="oui", fonction_repondant="elu")
    with pytest.raises(filling.StaleVersion) as refused:
        filling.save_section(response, form, old_version)
    assert refused.value.current == old_version + 1
    assert "Une autre personne de votre collectivité a enregistré" in refused.value.message
    assert stored(response, "service_dedie") == "non"
    assert stored(response, "fonction_repondant") == "dgs"
    assert Response.objects.get(pk=response.pk).version == old_version + 1


def test_a_page_loaded_before_another_pages_save_is_still_saved(response):
    """The agent leaves a page while its autosave is on the way: the next page, loaded at the
    older version, saves all the same, since its own section was not saved in between."""
    loaded = response.version
    moyens = bound_form(response, "moyens", nb_reunions="7")
    profil = bound_form(response, "profil", fonction_repondant="elu")
    filling.save_section(response, moyens, loaded)
    filling.save_section(response, profil, loaded)
    assert (stored(response, "nb_reunions"), stored(response, "fonction_repondant")) == (7, "elu")
    assert Response.objects.get(pk=response.pk).version == loaded + 2
    # A third page of that time is refused once its own section moved on.
    again = bound_form(response, "profil", fonction_repondant="dgs")
    with pytest.raises(filling.StaleVersion):
        filling.save_section(response, again, loaded)
    assert stored(response, "fonction_repondant") == "elu"
    roster = section(response, "fiches").questions.get(code="fiches_dispositifs")
    assert filling.add_roster_item(response, roster, loaded) == 1


def test_a_form_read_before_another_save_is_saved_against_the_answers_stored_since(response):
    """A save trusts the answers its form read only when they are those of the version it
    claims: a form read before another save of the response (the same object, whose version
    moved on) is saved against the answers read again."""
    early = bound_form(response, "moyens", outils_numeriques=["aucun"])
    save(response, "moyens", outils_numeriques=["forum"], logiciel="libre")
    filling.save_section(response, early, response.version)
    assert stored(response, "outils_numeriques") == ["aucun"]
    assert stored(response, "logiciel") is None  # hidden by « Aucun »: dropped


def test_the_version_check_is_a_conditional_update(response):
    """Two saves claiming the same version: exactly one wins, even without a fresh read."""
    first = bound_form(response, "profil", fonction_repondant="elu")
    second = bound_form(response, "profil", fonction_repondant="dgs")
    twin = Response.objects.get(pk=response.pk)
    filling.save_section(response, first, 0)
    with pytest.raises(filling.StaleVersion):
        filling.save_section(twin, second, 0)
    assert stored(response, "fonction_repondant") == "elu"


def test_a_closed_wave_refuses_saving_and_keeps_the_draft(response, edition):
    save(response, "profil", fonction_repondant="elu")
    edition.closes_at = timezone.now() - timedelta(hours=1)
    edition.save()
    response.edition.refresh_from_db()
    form = bound_form(response, "profil", fonction_repondant="dgs")
    with pytest.raises(filling.WaveClosed) as refused:
        filling.save_section(response, form, response.version)
    assert "est clos depuis le" in refused.value.message
    assert "Vos réponses déjà enregistrées sont conservées" in refused.value.message
    assert stored(response, "fonction_repondant") == "elu"
    # Staff extend the deadline: the agent carries on where they were.
    edition.closes_at = timezone.now() + timedelta(days=7)
    edition.save()
    response.edition.refresh_from_db()
    filling.save_section(response, form, response.version)
    assert stored(response, "fonction_repondant") == "dgs"


def test_a_wave_not_open_yet_refuses_saving(response, edition):
    edition.status = Edition.Status.DRAFT
    edition.save()
    assert "n'est pas encore ouvert" in filling.wave_problem(edition)
    edition.opens_at = timezone.now() + timedelta(days=2)
    edition.save()
    assert "il ouvrira le" in filling.wave_problem(edition)
    with pytest.raises(filling.WaveClosed):
        filling.save_section(response, bound_form(response, "profil"), response.version)
    edition.status = Edition.Status.CLOSED
    edition.opens_at = None
    edition.save()
    assert "est clos" in filling.wave_problem(edition)


def test_a_submitted_response_is_not_editable_by_its_agents(response):
    Response.objects.filter(pk=response.pk).update(status=Response.Status.SUBMITTED)
    response.refresh_from_db()
    with pytest.raises(filling.NotEditable):
        filling.save_section(response, bound_form(response, "profil"), response.version)
    form = bound_form(response, "profil", fonction_repondant="elu")
    filling.save_section(response, form, response.version, by_staff=True)
    assert stored(response, "fonction_repondant") == "elu"


def test_roster_items_are_added_saved_removed_and_renumbered(response):
    fiches = section(response, "fiches")
    roster = fiches.questions.get(code="fiches_dispositifs")
    for _ in range(3):
        filling.add_roster_item(response, roster, response.version)
    assert stored(response, "fiches_dispositifs") == 3
    save(
        response,
        "fiches",
        {
            "fiches_dispositifs-1-nom": "Budget participatif",
            "fiches_dispositifs-2-nom": "Fabrique citoyenne",
            "fiches_dispositifs-2-synthese": ["publiee"],
            "fiches_dispositifs-2-auteur_synthese": ["vie_citoyenne"],
            "fiches_dispositifs-3-nom": "Carte",
            "fiches_dispositifs-3-synthese": ["non"],
            "fiches_dispositifs-3-auteur_synthese": ["vie_citoyenne"],
            "fiches_dispositifs-3-satisfaction": "14",
        },
    )
    assert stored(response, "auteur_synthese", item=2) == ["vie_citoyenne"]
    # Hidden within its own item: synthese = non.
    assert stored(response, "auteur_synthese", item=3) is None
    filling.remove_roster_item(response, roster, 2, response.version)
    assert stored(response, "fiches_dispositifs") == 2
    assert stored(response, "nom", item=1) == "Budget participatif"
    assert stored(response, "nom", item=2) == "Carte"
    assert stored(response, "satisfaction", item=2) == 14
    assert not Answer.objects.filter(response=response, item=3).exists()
    form = SectionForm(response, fiches)
    assert [e.name for e in form.entries][:2] == [
        "fiches_dispositifs-1-nom",
        "fiches_dispositifs-1-synthese",
    ]


def test_a_roster_refuses_more_items_than_its_maximum(response):
    roster = section(response, "fiches").questions.get(code="fiches_dispositifs")
    roster.max_items = 1
    roster.save()
    filling.add_roster_item(response, roster, response.version)
    with pytest.raises(filling.FillingError) as refused:
        filling.add_roster_item(response, roster, response.version)
    assert refused.value.message == "Pas plus de 1 élément (actuellement 2)."


def test_removing_a_missing_roster_item_is_refused(response):
    roster = section(response, "fiches").questions.get(code="fiches_dispositifs")
    assert not filling.roster_item_exists(response, roster, 1)
    with pytest.raises(filling.FillingError):
        filling.remove_roster_item(response, roster, 1, response.version)


def test_conditions_are_serialised_for_the_page_script():
    assert condition_json("") == ""
    assert condition_json("service_dedie = oui") == (
        '{"code":"service_dedie","key":null,"op":"=","values":["oui"]}'
    )
    assert condition_json(
        "not (a.b in [x, y] or c has_other_than non) and d is not answered and e >= 10"
    ) == (
        '{"and":[{"not":{"or":[{"code":"a","key":"b","op":"in","values":["x","y"]},'
        '{"code":"c","key":null,"op":"has_other_than","values":["non"]}]}},'
        '{"code":"d","key":null,"op":"not_answered","values":[]},'
        '{"code":"e","key":null,"op":">=","values":["10"]}]}'
    )
    assert '"op":"not_in"' in condition_json("type_collectivite not in [region]")
    assert '"op":"has","values":["x","y"]' in condition_json("c has [x, y]")


def test_answer_values_after_saving_feed_the_derived_budget_per_inhabitant(response):
    save(response, "moyens", budget_participation="225 081")
    assert answer_values(response)["budget_par_habitant"] == Decimal("1.00")


@pytest.mark.parametrize(
    ("fields", "name", "message"),
    [
        (
            {"service_dedie": "oui", "service_intitule": "x" * 501},
            "service_intitule",
            "Ce texte ne doit pas dépasser 500 caractères (actuellement 501).",
        ),
        (
            {"fonction_repondant": "autre", "fonction_repondant_autre": "y" * 501},
            "fonction_repondant",
            "La précision ne doit pas dépasser 500 caractères (actuellement 501).",
        ),
        (
            {"fonction_repondant": "autre", "fonction_repondant_autre": "   "},
            "fonction_repondant",
            "Précisez votre réponse « Autre ».",
        ),
    ],
)
def test_it_refuses_too_long_texts_and_missing_precisions(response, fields, name, message):
    form = bound_form(response, "profil", fields)
    assert not form.is_valid()
    assert form.errors[name] == [message]


def test_it_refuses_a_number_too_large(response):
    form = bound_form(response, "moyens", budget_participation="1 000 000 000 000")
    assert form.errors["budget_participation"] == ["Ce nombre est trop grand."]
