from io import BytesIO

from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from respondents.models import EmailLog
from surveys.backoffice import followup
from surveys.backoffice.spreadsheet import neutralise


def by_key(rows):
    return {row.key: row for row in rows}


def test_it_counts_each_step_overall(cast, edition):
    overall = followup.figures(edition)
    assert (overall.total, overall.invited, overall.opened, overall.started, overall.submitted) == (
        4,
        4,
        3,
        1,
        1,
    )
    assert overall.rates == {"invited": 100.0, "opened": 75.0, "started": 25.0, "submitted": 25.0}


def test_it_breaks_the_figures_down_by_type_population_and_region(cast, edition):
    types = by_key(followup.figures_by(edition, "type_collectivite"))
    assert set(types) == {"commune", "metropole"}
    assert (types["commune"].total, types["commune"].opened, types["commune"].submitted) == (
        3,
        3,
        1,
    )
    assert (types["metropole"].total, types["metropole"].opened) == (1, 0)
    assert types["metropole"].label == "Métropole"

    tranches = by_key(followup.figures_by(edition, "tranche_population"))
    # Rennes 225 081 and Metz 221 000: 100k-500k; Brest 139 926 too; Vannes 54 000: 50k-100k.
    assert (tranches["100k_500k"].total, tranches["100k_500k"].submitted) == (3, 1)
    assert (tranches["50k_100k"].total, tranches["50k_100k"].started) == (1, 1)

    regions = by_key(followup.figures_by(edition, "region"))
    assert (regions["53"].label, regions["53"].total, regions["53"].rates["submitted"]) == (
        "Bretagne",
        3,
        33.3,
    )
    assert (regions["44"].label, regions["44"].total) == ("Grand Est", 1)


def test_a_revoked_invitation_no_longer_counts(cast, edition, metz_metropole):
    metz_metropole.invitations.update(revoked_at="2031-01-01T00:00:00Z")
    assert followup.figures(edition).total == 3


def test_the_list_filters_by_status_type_and_name(cast, edition):
    def names(**filters):
        rows = followup.filtered(edition, followup.ListFilters(**filters))
        return [row.name for row in rows]

    assert names() == ["Brest", "Metz Métropole", "Rennes", "Vannes"]
    assert names(status="not_submitted") == ["Brest", "Metz Métropole", "Vannes"]
    assert names(status="opened") == ["Brest"]
    assert names(status="started") == ["Vannes"]
    assert names(type_collectivite="metropole") == ["Metz Métropole"]
    assert names(region="44") == ["Metz Métropole"]
    assert names(q="RENNES") == ["Rennes"]
    assert names(q="metropole") == ["Metz Métropole"]
    assert names(q="56260") == ["Vannes"]


def test_staff_see_the_list_with_status_activity_and_contacts(client, alice, cast, edition):
    client.force_login(alice)
    page = client.get(reverse("backoffice:followup", args=[2031]), {"statut": "started"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Vannes" in text and "Brest" not in text.split("Collectivités suivies, page")[1]
    assert "val@vannes.test" in text
    assert "Réponse commencée" in text
    assert "ne veut plus de relances" in text


def test_analysts_see_the_figures_but_not_the_list_nor_the_buttons(client, bob, cast, edition):
    client.force_login(bob)
    page = client.get(reverse("backoffice:followup", args=[2031]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Bretagne" in text
    assert "rose@rennes.test" not in text
    assert "Relancer" not in text
    assert reverse("backoffice:followup-export", args=[2031]) not in text


def test_the_export_lists_the_filtered_collectivites_with_formulas_neutralised(
    client, alice, cast, edition
):
    client.force_login(alice)
    response = client.get(
        reverse("backoffice:followup-export", args=[2031]), {"statut": "not_submitted"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Collectivité", "Code", "SIREN")
    assert [row[0] for row in rows[1:]] == ["Brest", "Metz Métropole", "Vannes"]
    brest = rows[1]
    assert brest[6] == "Lien ouvert, aucune réponse"
    assert brest[8] == "'=cmd|' /C calc'!A0 Martin, @SUM(1), bob@brest.test"
    for row in rows[1:]:
        for value in row:
            if isinstance(value, str):
                assert value[:1] not in "=+-@\t\r", value


def test_neutralise_prefixes_every_formula_trigger():
    for text in ("=1+1", "+33 1", "-2", "@SUM(A1)", "\tx", "\rx", "'=1"):
        assert neutralise(text).startswith("'")
    assert neutralise("Rennes") == "Rennes"


def test_reminders_go_only_to_those_who_have_not_submitted_and_not_opted_out(
    client, alice, cast, edition, rennes, metz_metropole, django_capture_on_commit_callbacks
):
    vannes = cast["vannes"].collectivite
    client.force_login(alice)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("backoffice:followup-remind", args=[2031]),
            {"collectivites": [rennes.pk, metz_metropole.pk, vannes.pk]},
            follow=True,
        )
    reminders = EmailLog.objects.filter(kind=EmailLog.Kind.REMINDER)
    assert sorted(reminders.values_list("to_email", flat=True)) == [
        "marc@metz.test",
        "val@vannes.test",
    ]
    assert sorted(message.to[0] for message in mail.outbox) == ["marc@metz.test", "val@vannes.test"]
    text = response.content.decode()
    assert "2 relances envoyée(s)" in text
    assert "1 collectivité(s) ayant déjà répondu ignorée(s)" in text
    assert "1 contact(s) désinscrit(s) des relances ignoré(s)" in text


def test_reminding_an_empty_selection_says_so(client, alice, cast, edition):
    client.force_login(alice)
    response = client.post(reverse("backoffice:followup-remind", args=[2031]), follow=True)
    assert "Sélectionnez au moins une collectivité à relancer." in response.content.decode()
    assert not EmailLog.objects.exists()


def test_reminding_from_the_followup_twice_the_same_day_sends_once_and_says_why(
    client, alice, cast, edition, metz_metropole, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    url = reverse("backoffice:followup-remind", args=[2031])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"collectivites": [metz_metropole.pk]})
        response = client.post(url, {"collectivites": [metz_metropole.pk]}, follow=True)
    assert EmailLog.objects.filter(kind=EmailLog.Kind.REMINDER).count() == 1
    assert "1 contact(s) déjà relancé(s) aujourd&#x27;hui" in response.content.decode()
