from rest_framework import permissions

from api.sources import ANALYSTS, STAFF, user_roles


def is_staff(request) -> bool:
    return STAFF in user_roles(request.user)


class ReadsByRole(permissions.BasePermission):
    """Staff and analysts read; only staff write (an analyst's token only reads)."""

    message = "Ce jeton n'a pas accès à cette ressource."

    def has_permission(self, request, view) -> bool:
        roles = user_roles(request.user)
        if request.method in permissions.SAFE_METHODS:
            return bool(roles & {STAFF, ANALYSTS})
        return STAFF in roles


class StaffOnly(permissions.BasePermission):
    message = "Réservé à l'équipe."

    def has_permission(self, request, view) -> bool:
        return is_staff(request)
