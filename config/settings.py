"""Django settings for Incasso. Every value that differs between machines comes from the environment.

The embedded default (no ``DATABASE_URL``) is a single-machine SQLite database under ``var/`` with a generated
development key. Anything else, PostgreSQL included, must be configured explicitly.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url

from config.env import EnvError, env_bool, env_int, env_keyring, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("INCASSO_VAR_DIR", str(BASE_DIR / "var")))

EMBEDDED = "DATABASE_URL" not in os.environ
DEBUG = env_bool("DEBUG", default=EMBEDDED)


def _secret_key() -> str:
    key = env_secret("SECRET_KEY")
    if key:
        return key
    if not EMBEDDED:
        raise EnvError("SECRET_KEY (or SECRET_KEY_FILE) must be set when DATABASE_URL is set")
    # Embedded default only: a key generated once per checkout and kept beside the SQLite database.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "dev-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()


def _embedded_key(name: str, file_name: str) -> list[tuple[str, bytes]]:
    """Keys for field encryption (P-3): from the environment, or on the embedded default only a generated dev key."""
    keys = env_keyring(name)
    if keys:
        return keys
    if not EMBEDDED:
        raise EnvError(f"{name} (or {name}_FILE) must be set when DATABASE_URL is set")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / file_name
    if not key_file.exists():
        key_file.write_text(base64.b64encode(secrets.token_bytes(32)).decode(), encoding="utf-8")
        key_file.chmod(0o600)
    return [("dev", base64.b64decode(key_file.read_text(encoding="utf-8").strip()))]


# Master keys wrap each data subject's data key; the first is current, the others still unwrap until
# `incasso keys rotate` has rewrapped everything and `incasso keys retire VERSION` has retired them.
INCASSO_MASTER_KEYS = _embedded_key("INCASSO_MASTER_KEYS", "dev-master-key")
# The root of the blind-index keys (one derived per field); kept apart from the master keys so that rotating those
# does not change every index.
INCASSO_BLIND_INDEX_KEY = _embedded_key("INCASSO_BLIND_INDEX_KEY", "dev-blind-index-key")[0][1]
# Unwrapped data keys kept per process: at most this many, each for at most this many seconds (a key shredded by
# another process stops being usable here within that time).
INCASSO_DATA_KEY_CACHE_SIZE = env_int("INCASSO_DATA_KEY_CACHE_SIZE", 10_000)
INCASSO_DATA_KEY_CACHE_SECONDS = env_int("INCASSO_DATA_KEY_CACHE_SECONDS", 60)
# The age secret key (AGE-SECRET-KEY-1...) backups are encrypted with (`incasso backup key` makes one). No default,
# not even embedded: without it `incasso backup create` refuses rather than write a readable copy of everyone.
INCASSO_BACKUP_KEY = env_secret("INCASSO_BACKUP_KEY") or ""
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

DATABASES: dict[str, Any]
if EMBEDDED:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "incasso.sqlite3"),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
        }
    }
else:
    try:
        DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL"), conn_max_age=60)}
    except ValueError as exc:
        raise EnvError(f"DATABASE_URL is malformed: {exc}") from None

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "incasso.accounts",
    "incasso.crypto",
    "incasso.parties",
    "incasso.cases",
    "incasso.sensitive",
    "incasso.circumstances",
    "incasso.paylinks",
    "incasso.arrangements",
    "incasso.payments",
    "incasso.ledger",
    "incasso.decisions",
    "incasso.communications",
    "incasso.print_house",
    "incasso.collection",
    "incasso.legal",
    "incasso.privacy",
    "incasso.disclosures",
    "incasso.integrations",
    "incasso.handover",
    "incasso.aml",
    "incasso.audit",
    "incasso.demo",
    "incasso.web",
    "incasso.backoffice",
    "incasso.complaints",
    "incasso.intake",
    "incasso.consent",
    "incasso.rights",
    "incasso.backups",
    "incasso.debtor_portal",
    "incasso.webhooks",
    "incasso.client_portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy (Django has no CSP of its own).
    "incasso.web.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Idle sessions end (P-7): INCASSO_STAFF_IDLE_SECONDS for staff, INCASSO_IDLE_SECONDS for everybody else.
    "incasso.accounts.sessions.IdleSessionMiddleware",
    # Staff: second factor verified and confidentiality statement accepted before any page (P-7).
    "incasso.accounts.middleware.StaffAccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "incasso.web.context_processors.shell",
                "incasso.consent.context_processors.cookie_banner",
            ],
        },
    },
]

# Argon2 first: new and re-hashed passwords use it (P-7).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# --- Access control (P-7): second factor, monitoring ---
OTP_TOTP_ISSUER = env_str("INCASSO_OTP_ISSUER", "Incasso")
# Demo databases only: staff pages without a second factor, so the printed demo log-ins work at once. Refused
# outside the embedded default (SQLite on one machine).
INCASSO_DEMO_SKIP_SECOND_FACTOR = env_bool("INCASSO_DEMO_SKIP_SECOND_FACTOR", default=False)
if INCASSO_DEMO_SKIP_SECOND_FACTOR and not EMBEDDED:
    raise EnvError("INCASSO_DEMO_SKIP_SECOND_FACTOR may only be set for the embedded (SQLite) demo database")
# More distinct case reads than this per user per hour raise a mass_read alert for the privacy officer.
INCASSO_MASS_READ_THRESHOLD = env_int("INCASSO_MASS_READ_THRESHOLD", 100)
# --- end of access-control settings ---
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
# Before every app's catalog: overrides Django's own Dutch wording where it differs from ours ("Inloggen").
LOCALE_PATHS = [BASE_DIR / "config" / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HSTS-ready: 0 (off) by default; a deployment behind TLS sets e.g. SECURE_HSTS_SECONDS=31536000.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Sessions (P-7): a log-in lasts at most SESSION_COOKIE_AGE; staff are logged out after
# INCASSO_STAFF_IDLE_SECONDS without a request, everybody else after INCASSO_IDLE_SECONDS.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
INCASSO_STAFF_IDLE_SECONDS = env_int("INCASSO_STAFF_IDLE_SECONDS", 30 * 60)
INCASSO_IDLE_SECONDS = env_int("INCASSO_IDLE_SECONDS", 60 * 60)
# Lock-out (P-7): this many failed log-ins for one user name (or from one address, x4) within the window lock
# further attempts for INCASSO_LOCKOUT_SECONDS, or until an administrator unlocks.
INCASSO_LOCKOUT_FAILURES = env_int("INCASSO_LOCKOUT_FAILURES", 5)
INCASSO_LOCKOUT_WINDOW_SECONDS = env_int("INCASSO_LOCKOUT_WINDOW_SECONDS", 15 * 60)
INCASSO_LOCKOUT_SECONDS = env_int("INCASSO_LOCKOUT_SECONDS", 15 * 60)
# Complaints (Wki): the agency answers a complaint within this many days of receiving it.
INCASSO_COMPLAINT_ANSWER_DAYS = env_int("INCASSO_COMPLAINT_ANSWER_DAYS", 14)
# The privacy statement linked from every page's footer.
INCASSO_PRIVACY_STATEMENT_URL = env_str("INCASSO_PRIVACY_STATEMENT_URL", "/privacy-statement/")

# The interest-rate table ships with the code (incasso/domain/data/interest_rates.json). An administrator can
# point this at a newer file to add or confirm rates without a deploy.
INTEREST_RATES_FILE = env_str("INCASSO_INTEREST_RATES_FILE", "") or None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Distributed jobs (Celery on Redis). Empty broker URL: jobs run in-process (the embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-chunk leaves the chunk for another (chunks are idempotent)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
DAILY_RUN_CHUNK_TIMEOUT = env_int("INCASSO_DAILY_RUN_CHUNK_TIMEOUT", 600)

# --- Communications: the agency's identity on every letter and e-mail, print files, e-mail (C-8, LEGAL.md §8) ---
# Wki: every communication shows the agency's identity, address, registration number and complaints procedure.
# The defaults are the demo agency's; `incasso check --deploy` fails while any of them is still a demo value.
INCASSO_AGENCY_NAME = env_str("INCASSO_AGENCY_NAME", "Incasso demo agency")
INCASSO_AGENCY_ADDRESS = env_list("INCASSO_AGENCY_ADDRESS", ["Voorbeeldstraat 1", "1012 AB Amsterdam"])  # lines
INCASSO_AGENCY_WKI_NUMBER = env_str("INCASSO_AGENCY_WKI_NUMBER", "WKI-DEMO-0000")
INCASSO_AGENCY_KVK_NUMBER = env_str("INCASSO_AGENCY_KVK_NUMBER", "00000000")
INCASSO_AGENCY_IBAN = env_str("INCASSO_AGENCY_IBAN", "NL91ABNA0417164300")
INCASSO_AGENCY_COMPLAINTS_URL = env_str("INCASSO_AGENCY_COMPLAINTS_URL", "https://incasso.example/klachten")
INCASSO_AGENCY_PORTAL_URL = env_str("INCASSO_AGENCY_PORTAL_URL", "https://incasso.example/mijn")
INCASSO_AGENCY_PHONE = env_str("INCASSO_AGENCY_PHONE", "")
INCASSO_AGENCY_EMAIL = env_str("INCASSO_AGENCY_EMAIL", "")
# Print batches (one PDF + a CSV manifest for the print house) are written under this directory.
INCASSO_MEDIA_DIR = Path(env_str("INCASSO_MEDIA_DIR", str(VAR_DIR / "media")))
# E-mail goes out over SMTP with TLS; the letter services refuse to send while both TLS and SSL are off.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# For EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (what `make run` uses: the demo sends no mail).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@incasso.example")
# The public site's address, for links in e-mails (newsletter confirmation and unsubscribe, privacy statement).
INCASSO_PUBLIC_URL = env_str("INCASSO_PUBLIC_URL", "http://localhost:8000")
# --- end of communications settings ---

# --- Money: the agency's bank identity for SEPA files, and the payment provider for payment links (C-9) ---
INCASSO_AGENCY_BIC = env_str("INCASSO_AGENCY_BIC", "ABNANL2A")
INCASSO_SEPA_CREDITOR_ID = env_str("INCASSO_SEPA_CREDITOR_ID", "NL00ZZZ000000000000")
# Empty: payment links are off (the webhook answers 503 and creating a link says which setting is missing).
INCASSO_PAYMENT_PROVIDER_URL = env_str("INCASSO_PAYMENT_PROVIDER_URL", "")
INCASSO_PAYMENT_PROVIDER_KEY = env_secret("INCASSO_PAYMENT_PROVIDER_KEY") or ""
INCASSO_PAYMENT_WEBHOOK_URL = env_str(
    "INCASSO_PAYMENT_WEBHOOK_URL", "https://incasso.example/api/v1/payment-links/webhook"
)
# The recipients-register entry (disclosures.Recipient.name) a payment link's disclosure is logged against.
INCASSO_PAYMENT_RECIPIENT = env_str("INCASSO_PAYMENT_RECIPIENT", "Payment provider")

# --- The central insolvency register (CIR, SOAP with WS-Security). Empty: checks are queued, not made. ---
INCASSO_CIR_URL = env_str("INCASSO_CIR_URL", "")
INCASSO_CIR_USER = env_str("INCASSO_CIR_USER", "")
INCASSO_CIR_PASSWORD = env_secret("INCASSO_CIR_PASSWORD") or ""
INCASSO_CIR_RECIPIENT = env_str("INCASSO_CIR_RECIPIENT", "Centraal Insolventieregister")

# --- Outside REST services (issue 8). An empty URL: the service is not used (its calls are refused or queued). ---
# Each names the recipients-register entry (disclosures.Recipient.name) its disclosures are logged against.
INCASSO_ADDRESS_URL = env_str("INCASSO_ADDRESS_URL", "")
INCASSO_ADDRESS_API_KEY = env_secret("INCASSO_ADDRESS_API_KEY") or ""
INCASSO_ADDRESS_RECIPIENT = env_str("INCASSO_ADDRESS_RECIPIENT", "Address service")
INCASSO_KVK_URL = env_str("INCASSO_KVK_URL", "")
INCASSO_KVK_API_KEY = env_secret("INCASSO_KVK_API_KEY") or ""
INCASSO_KVK_RECIPIENT = env_str("INCASSO_KVK_RECIPIENT", "Kamer van Koophandel")
INCASSO_CREDIT_ADAPTER = env_str("INCASSO_CREDIT_ADAPTER", "null")  # "null" (no bureau) or "rest"
INCASSO_CREDIT_URL = env_str("INCASSO_CREDIT_URL", "")
INCASSO_CREDIT_API_KEY = env_secret("INCASSO_CREDIT_API_KEY") or ""
INCASSO_CREDIT_RECIPIENT = env_str("INCASSO_CREDIT_RECIPIENT", "Credit bureau")
INCASSO_HANDOVER_SSH_KEY_FILE = env_str("INCASSO_HANDOVER_SSH_KEY_FILE", "")  # our key on partners' SFTP

# --- Data-subject requests (issue 6): the public base URL of download links, and the mailbox read for requests ---
INCASSO_PUBLIC_BASE_URL = env_str("INCASSO_PUBLIC_BASE_URL", "https://incasso.example")
INCASSO_RIGHTS_IMAP_HOST = env_str("INCASSO_RIGHTS_IMAP_HOST", "")  # empty: the mailbox is not read
INCASSO_RIGHTS_IMAP_PORT = env_int("INCASSO_RIGHTS_IMAP_PORT", 993)
INCASSO_RIGHTS_IMAP_SSL = env_bool("INCASSO_RIGHTS_IMAP_SSL", default=True)  # False: STARTTLS on a plain port
INCASSO_RIGHTS_IMAP_USER = env_str("INCASSO_RIGHTS_IMAP_USER", "")
INCASSO_RIGHTS_IMAP_PASSWORD = env_secret("INCASSO_RIGHTS_IMAP_PASSWORD") or ""
INCASSO_RIGHTS_IMAP_MAILBOX = env_str("INCASSO_RIGHTS_IMAP_MAILBOX", "INBOX")
INCASSO_RIGHTS_IMAP_CA_FILE = env_str("INCASSO_RIGHTS_IMAP_CA_FILE", "")  # empty: the system's trusted roots
