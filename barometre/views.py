from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from barometre.health import run_checks
from barometre.roles import results_reader_required
from surveys.models import Edition


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


@results_reader_required
def staff_home(request):
    editions = Edition.objects.all()
    return render(request, "staff_home.html", {"editions": editions})
