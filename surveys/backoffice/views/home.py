"""The back-office's home: the editions, for staff and analysts."""

from django.shortcuts import render

from barometre.roles import results_reader_required
from surveys.models import Edition


@results_reader_required
def home(request):
    return render(request, "backoffice/home.html", {"editions": Edition.objects.all()})
