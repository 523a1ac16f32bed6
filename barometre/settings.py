"""Settings of the Baromètre platform, read from environment variables.

Local defaults need nothing: SQLite, tasks run in-process, e-mails printed on the console.
Production sets DEBUG=0 and at least SECRET_KEY, DATABASE_URL, CELERY_BROKER_URL, CACHE_URL and
ALLOWED_HOSTS (see .env.example and docker-compose.yml).
"""

import secrets
from pathlib import Path

import dj_database_url
import jinja2
from celery.schedules import crontab
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured

from barometre.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)

# Variables a production deployment must provide; docker-compose.yml is checked against this list.
REQUIRED_IN_PRODUCTION = [
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "SITE_URL",
    "DEFAULT_FROM_EMAIL",
]
INSECURE_KEY_PREFIX = "django-insecure"


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key and not key.startswith(INSECURE_KEY_PREFIX) and len(key) >= 40:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY manquante ou trop faible : avec DEBUG=0, définissez une clé aléatoire "
            "d'au moins 40 caractères."
        )
    if key:
        return key
    # Local use only: a key generated once and kept in var/ so sessions survive a restart.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(INSECURE_KEY_PREFIX + "-" + secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "barometre",
    "respondents",
    "surveys",
    "exports",
    "exports.results",
    "surveys.backoffice",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML and JSON compressed (static files come precompressed from whitenoise, above it).
    # BREACH: Django masks the CSRF token anew on every response.
    "django.middleware.gzip.GZipMiddleware",
    "barometre.middleware.CleanQueryParametersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "barometre.middleware.DatabaseUnavailableMiddleware",
    # A bare 405 (a button's address opened directly) answers a French page.
    "barometre.errors.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "barometre.urls"
WSGI_APPLICATION = "barometre.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "barometre.context_processors.platform",
            ],
        },
    },
    {
        # Jinja2 compiles a template to Python code: it renders the question widgets, one per
        # question and dozens on a section page, in half the time of the Django template
        # language (bench/README.md, "Pages de l'agent"). Only templates under
        # jinja_templates/, through the tag `question_widget`; the pages stay Django templates.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "jinja_templates"],
        "APP_DIRS": False,
        # A missing key renders empty, as in the Django templates (DEBUG would print it).
        "OPTIONS": {"undefined": jinja2.Undefined},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'barometre.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the in-process server and a worker read while another connection writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = env_str("CACHE_URL")
if CACHE_URL:
    CACHES = {
        "default": {
            # Fails open: with Redis down, pages answer without their cache (barometre/cache.py).
            "BACKEND": "barometre.cache.FailOpenRedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "backoffice:home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# Static files: our own in static/, vendored libraries from node_modules (installed by npm ci),
# all served by the app through whitenoise. Never a CDN.
STATIC_URL = "static/"
# collectstatic (production images) writes here; in DEBUG the finders serve straight from source.
STATIC_ROOT = None if DEBUG else BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
    ("vendor/svg-maps", NODE_MODULES / "@svg-maps" / "france.departments"),
    ("vendor/sortablejs", NODE_MODULES / "sortablejs"),
]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"

if env_str("AWS_STORAGE_BUCKET_NAME"):
    # S3-compatible object storage (pip install '.[s3]'): needed when web and worker run on
    # different hosts, since exports written by the worker are downloaded through the web.
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "default_acl": "private",
            "querystring_auth": True,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-mail: printed on the console unless an SMTP host is configured.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Baromètre <barometre@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: without a broker, tasks run in-process (eagerly), which is what the demo uses.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL) or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# The worker's task processes lower their CPU priority by this much (barometre/celery.py): on a
# machine shared with gunicorn, the agents' pages come first. 10 in docker-compose.yml.
WORKER_NICENESS = env_int("WORKER_NICENESS", 0)
# Stronger, on Linux: the task processes run in the SCHED_IDLE class, on the cores the pages
# leave; a page's worker that wakes up takes the core at once. On in docker-compose.yml.
WORKER_SCHED_IDLE = env_bool("WORKER_SCHED_IDLE", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that enqueues a task with the broker down must give up within a second or two, not
# retry for 20 s: barometre.tasks.send_task logs it and the beat jobs catch up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.5},
}
# Periodic jobs; each app adds its entries in its own module (see barometre/celery.py).
CELERY_BEAT_SCHEDULE: dict = {
    "clear-expired-sessions": {
        "task": "barometre.tasks.clear_expired_sessions",
        "schedule": 6 * 3600,
    },
    "recompute-results-nightly": {
        "task": "exports.results.tasks.recompute_all_results",
        "schedule": crontab(hour=3, minute=30),
    },
}
# Seconds between a submission and the (debounced) recomputation of the results.
RESULTS_RECOMPUTE_DELAY = env_int("RESULTS_RECOMPUTE_DELAY", 60)

# Respondents (respondents app): magic links stay valid this many days after the wave closes;
# rate limits count per window (seconds) in the cache; reminders run from the beat schedule.
MAGIC_LINK_GRACE_DAYS = env_int("MAGIC_LINK_GRACE_DAYS", 7)
RATELIMIT_WINDOW_SECONDS = env_int("RATELIMIT_WINDOW_SECONDS", 3600)
RATELIMIT_TOKEN_FAILURES_PER_IP = env_int("RATELIMIT_TOKEN_FAILURES_PER_IP", 20)
RATELIMIT_RESEND_PER_IP = env_int("RATELIMIT_RESEND_PER_IP", 10)
RATELIMIT_RESEND_PER_ADDRESS = env_int("RATELIMIT_RESEND_PER_ADDRESS", 3)
RATELIMIT_ACCESS_REQUESTS_PER_IP = env_int("RATELIMIT_ACCESS_REQUESTS_PER_IP", 5)
# Colleagues an agent may invite per window (per contact), from "Mon équipe".
RATELIMIT_COLLEAGUE_INVITES_PER_CONTACT = env_int("RATELIMIT_COLLEAGUE_INVITES_PER_CONTACT", 5)
# Staff login failures per window (barometre/login.py).
RATELIMIT_LOGIN_FAILURES_PER_IP = env_int("RATELIMIT_LOGIN_FAILURES_PER_IP", 20)
RATELIMIT_LOGIN_FAILURES_PER_USERNAME = env_int("RATELIMIT_LOGIN_FAILURES_PER_USERNAME", 5)
# The request header holding the client address set by the reverse proxy (e.g. HTTP_X_REAL_IP);
# empty: REMOTE_ADDR.
RATELIMIT_CLIENT_IP_HEADER = env_str("RATELIMIT_CLIENT_IP_HEADER")
CELERY_BEAT_SCHEDULE["respondents-requeue-stale-emails"] = {
    "task": "respondents.tasks.requeue_stale_emails",
    "schedule": 60,
}
CELERY_BEAT_SCHEDULE["respondents-scheduled-reminders"] = {
    "task": "respondents.tasks.send_scheduled_reminders",
    "schedule": 3600,
}
# Staff back-office: waves open and close at their set times; contacts' personal data is purged
# this many days after the last edition they were invited to (RGPD retention).
CELERY_BEAT_SCHEDULE["surveys-apply-edition-schedule"] = {
    "task": "surveys.backoffice.tasks.apply_edition_schedule",
    "schedule": 60,
}
CONTACT_RETENTION_DAYS = env_int("CONTACT_RETENTION_DAYS", 3 * 365)
CELERY_BEAT_SCHEDULE["respondents-purge-expired-contact-data"] = {
    "task": "respondents.tasks.purge_expired_contact_data",
    "schedule": 24 * 3600,
}
# Addresses told when an agent invites a colleague or a contact says they have left.
STAFF_NOTIFICATION_EMAILS = env_list("STAFF_NOTIFICATION_EMAILS")
PRIVACY_CONTACT_EMAIL = env_str("PRIVACY_CONTACT_EMAIL", "donnees-personnelles@deciderensemble.com")
# Who on the staff is told by e-mail when an agent replies to a flag (none: the inbox only).
STAFF_NOTIFICATION_EMAILS = env_list("STAFF_NOTIFICATION_EMAILS")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 3600)
X_FRAME_OPTIONS = "DENY"
# A refused CSRF token answers in French (JSON to the autosave), as the other error pages.
CSRF_FAILURE_VIEW = "barometre.errors.csrf_failure"
# Strict Content-Security-Policy (django-csp): every script and style is a file of our own; no
# inline script, style attribute or event handler is left in the templates.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Health checks come from the orchestrator over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a near-irreversible commitment of the whole domain: the domain owner
        # opts in with SECURE_HSTS_PRELOAD=1, so its absence is not a warning here.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    if env_bool("BEHIND_TLS_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_tokens": {"()": "barometre.logging.MaskTokensFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_tokens"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint narrates every step of every PDF at INFO.
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# Exports (exports app): a running export older than EXPORT_TIME_LIMIT seconds is marked failed;
# files are deleted EXPORT_RETENTION_HOURS after they were built.
EXPORT_TIME_LIMIT = env_int("EXPORT_TIME_LIMIT", 3600)
EXPORT_RETENTION_HOURS = env_int("EXPORT_RETENTION_HOURS", 72)
# A running export without progress for this long has lost its worker: failed by the reaper.
EXPORT_STALL_SECONDS = env_int("EXPORT_STALL_SECONDS", 300)
CELERY_BEAT_SCHEDULE["reap-exports"] = {
    "task": "exports.tasks.reap_exports",
    "schedule": 60,
}

# Read API for analysts and partners (api app): personal tokens, rate limits per token (and per
# address for the public endpoints), signed webhooks. Webhook URLs must resolve to public
# addresses unless API_WEBHOOK_ALLOW_LOOPBACK (tests: loopback servers).
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ReadsByRole"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "token": env_str("API_RATE_PER_TOKEN", "1200/minute"),
        "public": env_str("API_RATE_PUBLIC", "120/minute"),
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API du Baromètre de la démocratie locale numérique",
    "DESCRIPTION": (
        "Lecture des éditions, du référentiel, des réponses, des résultats et du suivi ; "
        "jetons personnels (en-tête « Authorization: Bearer … »). Les noms de champs sont les "
        "codes du questionnaire."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The browsable page's assets are served by the app itself (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ResponseStatusEnum": "surveys.models.Response.Status",
        "EditionStatusEnum": "surveys.models.Edition.Status",
        "ExportStatusEnum": "exports.models.ExportJob.Status",
    },
}
API_WEBHOOK_ALLOW_LOOPBACK = env_bool("API_WEBHOOK_ALLOW_LOOPBACK", False)
API_WEBHOOK_TIMEOUT = env_int("API_WEBHOOK_TIMEOUT", 10)
API_WEBHOOK_MAX_ATTEMPTS = env_int("API_WEBHOOK_MAX_ATTEMPTS", 6)
API_WEBHOOK_RETRY_BASE_SECONDS = env_int("API_WEBHOOK_RETRY_BASE_SECONDS", 30)
