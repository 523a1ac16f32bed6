from django.conf import settings

from barometre.roles import ANALYSTS, STAFF, user_roles

SITE_NAME = "Baromètre de la démocratie locale numérique"


def platform(request):
    roles = user_roles(request.user) if hasattr(request, "user") else set()
    return {
        "site_name": SITE_NAME,
        "is_staff_member": STAFF in roles,
        "is_analyst": ANALYSTS in roles,
        "debug": settings.DEBUG,
    }
