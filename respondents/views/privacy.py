"""The public privacy notice, and the staff screens for a contact's personal data (RGPD)."""

from django.conf import settings
from django.shortcuts import render


def privacy_notice(request):
    years, days = divmod(settings.CONTACT_RETENTION_DAYS, 365)
    if days == 0 and years:
        label = f"{years} an{'s' if years > 1 else ''}"
    else:
        label = f"{settings.CONTACT_RETENTION_DAYS} jours"
    return render(
        request,
        "respondents/privacy_notice.html",
        {"retention_years_label": label, "privacy_contact": settings.PRIVACY_CONTACT_EMAIL},
    )
