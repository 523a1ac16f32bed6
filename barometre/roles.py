"""The platform's roles, as Django groups created by a data migration.

Staff (the Décider ensemble team) run editions, invitations and review; analysts read results
and exports. Respondents are agents of a collectivité: they never get a Django account and reach
only their own response through a magic link (respondents app).
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

STAFF = "staff"
ANALYSTS = "analysts"
ROLES = (STAFF, ANALYSTS)


def user_roles(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return set(ROLES)
    cached = getattr(user, "_barometre_roles", None)
    if cached is None:
        cached = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._barometre_roles = cached
    return cached


def is_staff_member(user) -> bool:
    return STAFF in user_roles(user)


def can_read_results(user) -> bool:
    return bool(user_roles(user) & {STAFF, ANALYSTS})


def role_required(*roles: str):
    """Allow a view to signed-in users holding one of `roles`; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not user_roles(request.user) & set(roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


staff_required = role_required(STAFF)
results_reader_required = role_required(STAFF, ANALYSTS)
