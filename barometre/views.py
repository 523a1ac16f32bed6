from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from barometre.health import run_checks


@require_GET
@never_cache
def healthz(request):
    results = run_checks()
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "erreur", "checks": results},
        status=200 if healthy else 503,
    )


def home(request):
    return render(request, "home.html")


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
