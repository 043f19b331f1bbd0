"""IMG Portal settings: one module, configured by environment variables.

With nothing set it runs for local development on SQLite (DEBUG must still be
asked for with DJANGO_DEBUG=1 by `make run`). Every variable is listed in the
README. Production (DJANGO_DEBUG unset) refuses to start without a secret key
and allowed hosts.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")
# Test mode (set by imgportal/settings_test.py for pytest): development-like defaults, no DEBUG.
TESTING = env_bool("IMGPORTAL_TESTING")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        # Development and tests only: production refuses to start without DJANGO_SECRET_KEY.
        SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # nosec B105
    else:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (production)."
        )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if DEBUG or TESTING:
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
elif not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",  # allauth.mfa's passkey list loads it
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_htmx",
    "import_export",
    "django_tasks_db",
    "django_countries",
    "accounts",
    "pathways",
    "resources",
    "reminders",
    "mentors",
    "catalogue",
    "lca",
    "applications",
]

MIDDLEWARE = [
    "imgportal.middleware.request_log",
    "django.middleware.security.SecurityMiddleware",
    # Early, so responses that inner middleware answer themselves (BadInputMiddleware's 400)
    # carry the policy too.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "imgportal.middleware.BadInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "imgportal.middleware.NoStoreForMembersMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "imgportal.urls"

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
                "django.template.context_processors.csp",
                "imgportal.context_processors.site",
            ],
            "libraries": {"stylesheet": "imgportal.templatetags.stylesheet"},
        },
    },
]

WSGI_APPLICATION = "imgportal.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions + WAL: concurrent writers wait instead of failing
    # with "database is locked" (see shared/SECURITY.md, reliability).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# The cache holds allauth's rate-limit counters: it must be shared between
# workers in production (DatabaseCache needs `manage.py createcachetable`,
# which `make setup` and the deployment steps run).
CACHES = {
    "default": {
        "BACKEND": os.environ.get(
            "CACHE_BACKEND",
            "django.core.cache.backends.locmem.LocMemCache"
            if (DEBUG or TESTING)
            else "django.core.cache.backends.db.DatabaseCache",
        ),
        "LOCATION": os.environ.get("CACHE_LOCATION", "imgportal_cache"),
    }
}
# REDIS_URL (e.g. redis://cache:6379/0) puts the shared cache in Redis, Django's built-in
# backend: no cache table, no cache reads on the database (docs/deployment.md).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }
# Each member's cached pages (pathways/dashboard_cache.py: the dashboard, its sections, the
# timeline, milestone pages and progress forms; applications/season_cache.py: the board, the
# rank list and their fits): keyed by everything they read, so never stale. In Redis with
# REDIS_URL (a prefix of its own), else in each process's memory: never the DatabaseCache,
# whose culling at 300 entries would defeat it.
CACHES["situation"] = (
    {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "situation",
    }
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "situation",
        # 1-30 KB an entry (a dashboard's content about 11 KB, a season page's 28 KB): 60 MB a
        # process at most. Beyond a few hundred members active at once, set REDIS_URL.
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
)
# What shared pages show everyone (resources/directory_cache.py: the directory's results per
# search and each resource's page; catalogue/search_cache.py: the catalogue's cards and
# filters), under tokens that stay in the shared default cache. Many small entries: in Redis with
# REDIS_URL (a prefix of their own), else in each process's memory; never the DatabaseCache,
# whose culling at 300 entries would also throw out the rate limits and the curated content.
CACHES["directory"] = (
    {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "directory",
    }
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "directory",
        "OPTIONS": {"MAX_ENTRIES": 500},  # a page of results about 14 KB: 7 MB at most
    }
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"  # NRMP and ERAS deadlines are given in US Eastern time.
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if (DEBUG or TESTING)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Development and tests serve static files straight from the app folders.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

# --- Accounts (django-allauth 65) -------------------------------------------
SITE_NAME = "IMG Portal"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "pathways:dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True  # password again before changing the email address
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "accounts.forms.SignupForm",
    "add_email": "accounts.forms.AddEmailForm",
    "reset_password": "accounts.forms.ResetPasswordForm",  # nosec B105: a form, not a password
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[IMG Portal] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if (DEBUG or TESTING) else "https"
# Two-factor (allauth.mfa): optional for members, required for staff before the
# admin opens (imgportal/admin_access.py).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = SITE_NAME
# WebAuthn needs HTTPS, except on localhost during development.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG or TESTING
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("ALLAUTH_TRUSTED_PROXY_COUNT", "0"))

# Idle timeout: a session ends SESSION_COOKIE_AGE seconds (default 3 days) after
# the member's last request; accounts.middleware.IdleTimeoutMiddleware slides it
# while they are active (one write per 5 minutes at most, not per request).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(60 * 60 * 24 * 3)))
# Absolute timeout: however active, a session ends this long after it started.
SESSION_ABSOLUTE_AGE = int(os.environ.get("SESSION_ABSOLUTE_AGE", str(60 * 60 * 24 * 30)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Messages ("Confirmation email sent to you@example.com") stay on the server: the
# default cookie storage is signed, not encrypted, so it showed the address.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Email (Django 6.1 MAILERS) ---------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "IMG Portal <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                # A send never hangs: a reminder's claim is retried after 15 minutes
                # (reminders/tasks.py SENDING_TIMEOUT), so a send must end well before.
                "timeout": int(os.environ.get("EMAIL_TIMEOUT", "30")),
            },
        }
    }
elif DEBUG or TESTING:
    # Development: emails (the verification link!) print in the terminal.
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    # Production without EMAIL_HOST: the machine's own mail relay (SMTP on localhost:25,
    # Django's classic default). Never the console backend, which would silently lose the
    # verification emails (check --deploy: mail.E001).
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": "localhost",
                "port": 25,
                "use_tls": False,
                "timeout": int(os.environ.get("EMAIL_TIMEOUT", "30")),
            },
        }
    }

# --- Background work (Django 6 tasks + django-tasks-db) and reminders ------
# Tasks are rows in the database; `manage.py db_worker` runs them (see docs/deployment.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- H-1B evidence from Labor data (lca) -------------------------------------
# An uploaded LCA disclosure file waits here for the worker, which deletes it once imported
# (the web process and the worker must share this directory: docs/deployment.md).
LCA_UPLOAD_DIR = Path(os.environ.get("LCA_UPLOAD_DIR", BASE_DIR / "var" / "lca-uploads"))
# An LCA file is far larger than other uploads (hundreds of thousands of rows): the
# admin refuses one above this size; set the proxy's body limit to match.
LCA_MAX_UPLOAD_BYTES = int(os.environ.get("LCA_MAX_UPLOAD_BYTES", str(400 * 1024 * 1024)))
# Absolute links in emails and the calendar feed (a worker has no request to take the host
# from). Production defaults to https:// and the first allowed host; development follows the
# port served (PORT, which `make run PORT=8101` passes to bin/dev-server, its server and worker).
# Tests keep 8000 whatever PORT the machine has set.
DEV_PORT = (os.environ.get("PORT") or "8000") if (DEBUG and not TESTING) else "8000"
SITE_URL = os.environ.get(
    "SITE_URL",
    f"http://127.0.0.1:{DEV_PORT}" if (DEBUG or TESTING) else f"https://{ALLOWED_HOSTS[0]}",
).rstrip("/")

# --- Security -----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # The stylesheet is inlined under the nonce (imgportal/templatetags/stylesheet.py); 'self'
    # still serves the admin's and allauth's own stylesheets.
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
# Who redirects HTTP to HTTPS: "true" (Django), "proxy" (the reverse proxy in front; Django
# does not, and check --deploy's W008 is silenced because the setting says so), "false"
# (nobody: plain HTTP, e.g. a load test on loopback; W008 rightly warns).
ssl_redirect_by = os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "").strip().lower()
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = ssl_redirect_by != "proxy" and env_bool(
        "DJANGO_SECURE_SSL_REDIRECT", True
    )
    if ssl_redirect_by == "proxy":
        SILENCED_SYSTEM_CHECKS = ["security.W008"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# One line per request from imgportal.middleware.request_log (URL pattern, status, duration;
# no path, query string, user or form data). Errors carry their traceback. No personal data
# is logged (tests/reliability/test_logs.py). Run gunicorn without --access-logfile: its
# access log would print raw paths, which can carry tokens.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # 4xx warnings ("Not Found: /raw/path") repeat the request line with the raw path;
        # 5xx errors still log, with their traceback.
        "django.request": {"level": "ERROR"},
    },
}

if TESTING:
    # Hashing with the production algorithm dominates test time; tests need no strength.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
