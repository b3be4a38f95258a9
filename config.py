"""Settings for every environment; each secret and URL comes from the environment."""

import json
import os
import tempfile
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    ENV_NAME = "development"
    DEBUG = False
    TESTING = False
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'passerelle.sqlite3'}")
    REDIS_URL = os.environ.get("REDIS_URL") or None
    # Pages and figures kept in Redis until the data under them changes (app/datacache.py); 0 turns it off.
    # Also the longest a result may lag the clock (a call closing at its deadline).
    RESULT_CACHE_SECONDS = int(os.environ.get("RESULT_CACHE_SECONDS", "60"))
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "passerelle:")
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    # Email: with no MAIL_SERVER, messages are written to the log and kept in the outbox.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Passerelle <no-reply@passerelle.local>")
    MAIL_TIMEOUT = 10
    # Seconds to wait before each retry of a failed send; the last value repeats.
    MAIL_RETRY_BACKOFF = (60, 300, 1800, 7200, 21600)
    MAIL_MAX_ATTEMPTS = 8

    # Stripe is off unless both keys are set; contributions and payouts are then recorded by hand.
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY") or None
    # Signing secret of the /stripe/webhook endpoint (whsec_...), to verify each event.
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET") or None
    # Another address for the Stripe API (a local fake in tests); None means Stripe's own.
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE") or None

    # Sessions and cookies.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Languages.
    LANGUAGES = ("en", "fr")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"

    # Rate limits on sign-in (Flask-Limiter syntax); memory by default, Redis when REDIS_URL is set.
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    SIGNIN_LIMIT_PER_ACCOUNT = os.environ.get("SIGNIN_LIMIT_PER_ACCOUNT", "5 per minute;20 per hour")
    SIGNIN_LIMIT_PER_ADDRESS = os.environ.get("SIGNIN_LIMIT_PER_ADDRESS", "30 per minute;300 per hour")
    EMAIL_LINK_LIMIT_PER_ADDRESS = os.environ.get("EMAIL_LINK_LIMIT_PER_ADDRESS", "10 per hour")

    # Links sent by email.
    CONFIRMATION_MAX_AGE = timedelta(days=3)
    PASSWORD_RESET_MAX_AGE = timedelta(hours=2)
    INVITATION_MAX_AGE = timedelta(days=14)
    CONSENT_REQUEST_MAX_AGE = timedelta(days=30)

    # Safeguarding: the age below which a guardian must consent, by ISO 3166 country or subdivision.
    # The most specific key wins (CA-QC before CA); DEFAULT applies where the place is unknown.
    CONSENT_AGES = {
        "DEFAULT": 16,
        "US": 13,
        "CA": 13,
        "CA-QC": 14,
        "GB": 13,
        "BE": 13,
        "FR": 15,
        "ES": 14,
        "IT": 14,
        "DE": 16,
        "NL": 16,
        "IE": 16,
    }
    # CONSENT_AGES_JSON='{"GB": 13, "CA-BC": 13}' adds to or changes the table without editing code.
    CONSENT_AGES.update(json.loads(os.environ.get("CONSENT_AGES_JSON") or "{}"))
    MINIMUM_AGE = 13
    ADULT_AGE = 18
    CONSENT_TEXT_VERSION = "2026-11"

    # Roles that cannot use the portal until two-factor sign-in is on (TOTP, app/twofactor/); comma-separated
    # in the environment, empty for none.
    TWO_FACTOR_REQUIRED_ROLES = tuple(
        role.strip() for role in os.environ.get("TWO_FACTOR_REQUIRED_ROLES", "coordinator,funder").split(",")
        if role.strip())
    # Minutes between the password and the code on a two-step sign-in before starting again.
    TWO_FACTOR_PENDING_MINUTES = 5

    PAGE_SIZE = 25

    # How many proxies (nginx, a load balancer) stand in front of the app and set X-Forwarded-*: their headers
    # are believed only from that many hops, so a client cannot pass itself off as another address.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

    # Uploaded files: "local" keeps them under UPLOAD_FOLDER; see app/storage.py for other backends.
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local")
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))

    @classmethod
    def check(cls) -> None:
        """Refuse to start when a required setting is missing."""


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = True
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105 - test only
    DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    REDIS_URL = None
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_SERVER = None
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    BASE_URL = "http://localhost"
    SERVER_NAME = None
    UPLOAD_FOLDER = str(Path(tempfile.gettempdir()) / f"passerelle-test-uploads-{os.getpid()}")
    # Tests sign coordinators and funders in without a second factor; tests/twofactor turns the rule on.
    TWO_FACTOR_REQUIRED_ROLES = ()


class ProductionConfig(Config):
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    DATABASE_URL = os.environ.get("DATABASE_URL")

    @classmethod
    def check(cls) -> None:
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not getattr(cls, name)]
        if missing:
            raise RuntimeError(f"Production refuses to start without: {', '.join(missing)}")


CONFIGS = {"development": DevelopmentConfig, "test": TestConfig, "production": ProductionConfig}


def config_from_env() -> type[Config]:
    return CONFIGS[os.environ.get("PASSERELLE_ENV", "development")]
