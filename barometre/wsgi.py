import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "barometre.settings")
application = get_wsgi_application()

# Each web worker, before its first request (Django is set up by now).
from barometre.celery import prepare_sender  # noqa: E402

prepare_sender()
