"""Export jobs (jobs.py) and aggregate results (results.py)."""

from exports.models.jobs import *  # noqa: F403
from exports.models.results import *  # noqa: F403
