"""Labels and French formats on the staff's pages: numbers, dates, kinds, brackets, forms."""

import re
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from barometre.templatetags.formats import date_heure, date_jour, nombre
from exports.forms import ExportJobForm
from exports.models import ExportJob
from respondents.models import Collectivite
from respondents.templatetags.collectivites import type_collectivite
from surveys.backoffice import followup
from tests.backoffice.conftest import commune, invite, make_contact

NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (12463067, f"12{NNBSP}463{NNBSP}067"),
        (999, "999"),
        (0, "0"),
        (1000, f"1{NNBSP}000"),
        ("225081", f"225{NNBSP}081"),
        (1234.5, f"1{NNBSP}234,5"),
        (None, "—"),
        ("", "—"),
        ("n/a", "n/a"),
    ],
)
def test_numbers_get_french_thousands_separators(value, shown):
    assert nombre(value) == shown


def test_dates_read_in_words_in_paris_time():
    assert date_heure("2026-12-01T20:55:50.299649+01:00") == "1 décembre 2026 à 20 h 55"
    assert date_heure(datetime(2026, 7, 14, 7, 5, tzinfo=UTC)) == "14 juillet 2026 à 9 h 05"
    assert date_heure(None) == "—"
    assert date_heure("pas une date") == "—"
    assert date_jour(date(2026, 1, 5)) == "5 janvier 2026"
    assert date_heure("2026-01-05") == "5 janvier 2026"


@pytest.mark.parametrize(
    ("kind", "epci_type", "shown"),
    [
        ("commune", "", "Commune"),
        ("departement", "", "Département"),
        ("region", "", "Région"),
        ("epci", "METRO", "Métropole"),
        ("epci", "MET69", 'Métropole <small class="text-body-secondary">Métropole de Lyon</small>'),
        ("epci", "CC", "Intercommunalité"),
        ("epci", "CU", "Intercommunalité"),
    ],
)
def test_kinds_are_named_as_the_survey_names_them(kind, epci_type, shown):
    html = str(type_collectivite(Collectivite(kind=kind, epci_type=epci_type)))
    assert html.startswith(shown)
    assert "EPCI" not in html


def test_an_epcis_legal_form_is_spelled_out_for_assistive_technologies():
    html = str(type_collectivite(Collectivite(kind="epci", epci_type="CA")))
    assert html == (
        'Intercommunalité <small class="text-body-secondary">'
        '<abbr title="Communauté d&#x27;agglomération">CA</abbr></small>'
    )


def test_the_followup_lists_brackets_in_numeric_order(edition):
    for n, population in enumerate((3_000, 7_000, 20_000, 70_000, 200_000, 700_000, 2_000_000)):
        town = commune(f"Ville {n}", f"35{n:03}", population)
        invite(make_contact(town, f"c{n}@ville.test"), edition)
    labels = [row.label for row in followup.figures_by(edition, "tranche_population")]
    assert labels == [
        "Moins de 5 000",
        "De 5 000 à 10 000",
        "De 10 000 à 50 000",
        "De 50 000 à 100 000",
        "De 100 000 à 500 000",
        "De 500 000 à 1 million",
        "Plus d'un million",
    ]


def test_the_followup_page_lists_brackets_in_numeric_order(client, alice, cast):
    client.force_login(alice)
    html = client.get(reverse("backoffice:followup", args=[2031])).content.decode()
    table = html[html.index("Par tranche de population") :]
    shown = [label for label in ("De 50 000 à 100 000", "De 100 000 à 500 000") if label in table]
    assert shown == ["De 50 000 à 100 000", "De 100 000 à 500 000"]
    assert table.index("De 50 000 à 100 000") < table.index("De 100 000 à 500 000")


def test_the_export_form_has_a_default_format_and_accented_labels(edition):
    form = ExportJobForm()
    assert form.fields["edition"].label == "Édition"
    assert list(form.fields["format"].choices) == list(ExportJob.Format.choices)
    assert form.fields["format"].initial == "xlsx"
    html = str(form["format"])
    assert "---------" not in html


def test_the_export_page_offers_regions_and_kinds_as_checkbox_lists(client, bob, edition):
    client.force_login(bob)
    html = client.get(reverse("exports:list"), {"edition": edition.pk}).content.decode()
    assert 'data-choice-filter="Chercher une région"' in html
    assert html.count('type="checkbox" name="region"') == 18
    # No Ctrl-click list anywhere on the form (sections are check boxes too).
    assert re.search(r"<select[^>]*multiple", html) is None
    assert re.search(r'value="xlsx"[^>]*checked', html)
    assert "js/choice_filter.js" in html


def test_an_export_without_format_is_refused_in_french(client, bob, edition):
    client.force_login(bob)
    page = client.post(reverse("exports:list"), {"edition": edition.pk, "answers": "labels"})
    html = page.content.decode()
    assert "Le formulaire contient des erreurs" in html
    assert "Format du fichier" in html
    assert not ExportJob.objects.exists()


def test_the_export_job_page_shows_filters_in_words(client, bob, edition):
    job = ExportJob.objects.create(
        edition=edition,
        format="csv",
        filters={
            "type_collectivite": ["metropole"],
            "tranche_population": ["10k_50k"],
            "region": ["53"],
            "status": ["submitted"],
        },
    )
    client.force_login(bob)
    html = client.get(reverse("exports:job", args=[job.pk])).content.decode()
    for words in ("Métropole", "De 10 000 à 50 000", "Bretagne", "Envoyée"):
        assert words in html
    assert "10k_50k" not in html and "submitted" not in html
    assert not re.search(r"\d{4}-\d{2}-\d{2}T", html)


def test_the_login_page_names_the_platform_not_the_host(client, db):
    html = client.get(reverse("login")).content.decode()
    assert "Baromètre de la démocratie locale numérique</span>" in html
    assert "testserver" not in html
    assert 'class="form-control"' in html
    assert ">Identifiant" in html
