"""The back-office's home: what needs attention today, then the editions."""

from django.shortcuts import render

from barometre.roles import results_reader_required
from surveys.backoffice import attention
from surveys.models import Edition


@results_reader_required
def home(request):
    return render(
        request,
        "backoffice/home.html",
        {"attention": attention.items_for(request.user), "editions": Edition.objects.all()},
    )
