"""Staff login throttled per client address and per username, with an audit line.

The project's own cache counters (`respondents.ratelimit`) rather than django-axes: the same
fail-open cache and window settings as the public forms, no extra tables or middleware.
"""

import logging

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from respondents import ratelimit

logger = logging.getLogger("barometre.security")
IP_SCOPE = "login-failures-ip"
USERNAME_SCOPE = "login-failures-username"
TOO_MANY = (
    "Trop de tentatives de connexion infructueuses : réessayez dans une heure ou demandez à "
    "un administrateur de réinitialiser votre mot de passe."
)


class ThrottledLoginMixin:
    def clean(self):
        ip = ratelimit.client_ip(self.request) if self.request else ""
        username = (self.data.get("username") or "").strip().lower()
        if ratelimit.is_limited(
            IP_SCOPE, ip, settings.RATELIMIT_LOGIN_FAILURES_PER_IP
        ) or ratelimit.is_limited(
            USERNAME_SCOPE, username, settings.RATELIMIT_LOGIN_FAILURES_PER_USERNAME
        ):
            logger.warning(
                "Connexion refusée (trop d'échecs) : compte %r, adresse %s", username, ip
            )
            raise forms.ValidationError(TOO_MANY, code="too_many_attempts")
        try:
            return super().clean()
        except forms.ValidationError:
            ratelimit.hit(IP_SCOPE, ip)
            ratelimit.hit(USERNAME_SCOPE, username)
            logger.warning("Échec de connexion : compte %r, adresse %s", username, ip)
            raise


class ThrottledAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Identifiant"
        self.fields["password"].label = "Mot de passe"
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"


class ThrottledAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass
