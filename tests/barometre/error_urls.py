"""The site's URLs plus views that fail on purpose, for the error pages' tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from barometre.urls import handler400, handler403, handler404, handler500, urlpatterns


def bad(request):
    raise SuspiciousOperation("requête forgée")


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("panne voulue par le test")


urlpatterns = [
    *urlpatterns,
    path("essai/400/", bad),
    path("essai/403/", forbidden),
    path("essai/500/", broken),
]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
