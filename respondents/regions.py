"""INSEE codes of the current régions, with their names, for filters and breakdowns."""

from respondents.models import normalise_name

REGIONS = {
    "01": "Guadeloupe",
    "02": "Martinique",
    "03": "Guyane",
    "04": "La Réunion",
    "06": "Mayotte",
    "11": "Île-de-France",
    "24": "Centre-Val de Loire",
    "27": "Bourgogne-Franche-Comté",
    "28": "Normandie",
    "32": "Hauts-de-France",
    "44": "Grand Est",
    "52": "Pays de la Loire",
    "53": "Bretagne",
    "75": "Nouvelle-Aquitaine",
    "76": "Occitanie",
    "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d'Azur",
    "94": "Corse",
}


# For choice lists: by name, "Île-de-France" among the I.
REGIONS_BY_NAME = sorted(REGIONS.items(), key=lambda item: normalise_name(item[1]))


def region_name(code: str | None) -> str:
    return REGIONS.get(code or "", code or "—")
