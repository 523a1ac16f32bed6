"""The API's Celery tasks (found by the worker's autodiscovery of `api.tasks`)."""

from api.webhooks import deliver_webhook

__all__ = ["deliver_webhook"]
