"""Export jobs: a file built by a Celery task, stored, downloadable by staff and analysts."""
