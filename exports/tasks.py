from exports.results_tasks import *  # noqa: F403
