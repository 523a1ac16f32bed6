"""Everything the API reads from the rest of the platform, imported in this one place.

The API is a consumer: no other app imports `api`. When the platform's modules move, only the
imports below change.
"""

from barometre.roles import (
    ANALYSTS,
    STAFF,
    is_staff_member,
    results_reader_required,
    staff_required,
    user_roles,
)
from barometre.tasks import enqueue_on_commit
from exports.models import ExportJob
from exports.results.aggregates import ResultFilters
from exports.results.cache import get_results
from exports.results.disclosure import MIN_RESPONDENTS, suppress_results
from exports.services.exporters import COLUMN_GROUPS
from exports.services.opendata import is_public, read_package, stored_package
from exports.tasks import run_export
from respondents.classification import TRANCHES_POPULATION, TYPES_COLLECTIVITE, tranche_population
from respondents.models import Collectivite
from respondents.regions import REGIONS
from surveys.backoffice.followup import all_figures
from surveys.backoffice.models import EditionEvent, ResponseEvent
from surveys.definition import export_definition
from surveys.hooks import response_submitted
from surveys.models import Answer, Edition, Question, Response

__all__ = [
    "ANALYSTS",
    "COLUMN_GROUPS",
    "MIN_RESPONDENTS",
    "REGIONS",
    "STAFF",
    "TRANCHES_POPULATION",
    "TYPES_COLLECTIVITE",
    "Answer",
    "Collectivite",
    "Edition",
    "EditionEvent",
    "ExportJob",
    "Question",
    "Response",
    "ResponseEvent",
    "ResultFilters",
    "all_figures",
    "enqueue_on_commit",
    "export_definition",
    "get_results",
    "is_public",
    "read_package",
    "stored_package",
    "is_staff_member",
    "results_reader_required",
    "response_submitted",
    "run_export",
    "staff_required",
    "suppress_results",
    "tranche_population",
    "user_roles",
]
