"""The OpenAPI schema also documents the error answers every operation may give."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


ERRORS = {
    "401": "Jeton absent, inconnu ou révoqué",
    "403": "Le rôle du jeton ne donne pas accès à cette ressource",
    "404": "Introuvable (édition inconnue, non publiée…)",
    "429": "Trop d'appels : réessayez plus tard",
}
PUBLIC_ERRORS = ("404", "429")


class ApiSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        public = not self.get_auth()
        for code, description in ERRORS.items():
            if code in responses or (public and code not in PUBLIC_ERRORS):
                continue
            body = OpenApiResponse(ErrorSerializer, description=description)
            responses[code] = self._get_response_for_code(body, code, direction=direction)
        if "400" not in responses:
            invalid = OpenApiResponse(OpenApiTypes.OBJECT, description="Paramètres invalides")
            responses["400"] = self._get_response_for_code(invalid, "400", direction=direction)
        return responses
