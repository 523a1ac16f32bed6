from django.urls import reverse


def test_the_privacy_notice_is_public_and_linked_from_every_page(client, settings):
    settings.CONTACT_RETENTION_DAYS = 3 * 365
    home = client.get(reverse("home"))
    assert reverse("privacy-notice") in home.text
    notice = client.get(reverse("privacy-notice"))
    assert notice.status_code == 200
    for words in (
        "nom, prénom, fonction et adresse électronique professionnelle",
        "intérêt légitime",
        "3 ans",
        "droit d'accès, de rectification, d'effacement",
        "mailto:",
    ):
        assert words in notice.content.decode()


def test_the_notice_gives_the_configured_retention(client, settings):
    settings.CONTACT_RETENTION_DAYS = 400
    assert "400 jours" in client.get(reverse("privacy-notice")).content.decode()
