"""Settings shared by every environment; values come from the environment with safe development defaults."""

import os
from pathlib import Path

import dj_database_url
import fontpkg_noto_sans_thai
import xstatic.pkg.bootstrap as xstatic_bootstrap
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("PORTAL_DATA_DIR", BASE_DIR / ".data"))


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable."""
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    """Read a comma-separated environment variable."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Development default only; production.py refuses to start without DJANGO_SECRET_KEY.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", True)
# Under DEBUG a missing page still shows the portal's 404 page; 1 shows Django's technical page (the URL list).
PORTAL_TECHNICAL_404 = env_bool("PORTAL_TECHNICAL_404", False)

# Partners live on <slug>.<PORTAL_DOMAIN>; the public host is PORTAL_DOMAIN itself.
PORTAL_DOMAIN = os.environ.get("PORTAL_DOMAIN", "localhost")
PORTAL_PORT = os.environ.get("PORTAL_PORT", "8000")
PORTAL_SCHEME = os.environ.get("PORTAL_SCHEME", "http")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", f"{PORTAL_DOMAIN},.{PORTAL_DOMAIN},testserver")

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django_countries",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "django_filters",
    "django_celery_results",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "import_export",
    "csp",
    "portal.core",
    "portal.accounts",
    "portal.audit",
    "portal.integrations",
    "portal.reference",
    "portal.collaboration",
    "portal.insights",
    "portal.events",  # alliance events: matchmaking, meetings, signings (docs/events.md)
    "portal.batteries.registry",  # the passport attribute list and index (the partner half is portal.batteries)
    "chartjs",  # Chart.js (and its stylesheet) as static files, for the statistics dashboards
]
# Apps whose tables are created in every partner schema.
TENANT_APPS = [
    "django.contrib.contenttypes",
    "portal.vehicles",
    "portal.collaboration.notes",
    "portal.compliance",
    "portal.supply",
    "portal.batteries",
    "portal.insights.capture",  # after the apps whose tables it watches
    "portal.inbox",  # a person's notices live in the workspace's schema
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Partner"
TENANT_DOMAIN_MODEL = "tenants.Domain"
# New partners are cloned from this schema, which migrate_schemas keeps current (see docs/architecture.md).
TENANT_BASE_SCHEMA = "partner_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
# Skip schemas that are already up to date: a no-op migrate over hundreds of partners takes seconds.
GET_EXECUTOR_FUNCTION = "django_tenants_smart_executor.load_executor"
PUBLIC_SCHEMA_URLCONF = "portal.urls_public"
ROOT_URLCONF = "portal.urls_tenant"
# TenantSyncRouter migrates only the primary ("default"); ReplicaRouter sends opted-in reads to a read replica.
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter", "portal.core.replicas.ReplicaRouter"]
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False

MIDDLEWARE = [
    "portal.core.requests.RequestIdMiddleware",
    "portal.core.errors.KnownMethodsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.core.hostile.NulByteMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tenants.middleware.PartnerTenantMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.audit.middleware.AuditDeniedMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.accounts.sessions.SessionSecurityMiddleware",
    "portal.accounts.views.StaffTwoFactorMiddleware",
    "portal.integrations.idempotency.IdempotencyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.core.errors.PortalNotFoundMiddleware",  # inside the CSP middleware: its page gets the policy too
    "django_htmx.middleware.HtmxMiddleware",
    "tenants.middleware.MembershipRequiredMiddleware",
    "portal.core.replicas.ReplicaMiddleware",  # after the membership check; does nothing without a replica
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "portal.core.errors.DatabaseUnavailableMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.partner",
                "portal.inbox.context_processors.inbox",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/alliance"),
        engine="tenants.postgresql_backend",  # django-tenants' backend, Citus-aware schema editor (docs/scaling.md)
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# A streaming replica for pages whose reads may lag (portal.core.replicas, docs/scaling.md "Read replicas"):
# without DATABASE_REPLICA_URL everything reads the primary.
PORTAL_READ_REPLICA = None
if os.environ.get("DATABASE_REPLICA_URL"):
    PORTAL_READ_REPLICA = "replica"
    DATABASES[PORTAL_READ_REPLICA] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        engine="tenants.postgresql_backend",  # follows the primary connection's partner schema
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
# After a write, that person's reads stay on the primary this long: longer than the replica's lag ever is.
PORTAL_READ_REPLICA_PIN_SECONDS = int(os.environ.get("DATABASE_REPLICA_PIN_SECONDS", "10"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "tenants.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "portal.accounts.passwords.CharacterVarietyValidator", "OPTIONS": {"min_distinct": 6}},
]
LOGIN_URL = "login"
# Optional two-factor sign-in (TOTP apps, recovery codes); staff must use it for the admin when this is on.
PORTAL_2FA_REQUIRED_FOR_STAFF = env_bool("PORTAL_2FA_REQUIRED_FOR_STAFF", False)
OTP_TOTP_ISSUER = "Alliance Portal"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Brute-force protection: a cool-off, never a permanent lock-out.
LOGIN_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
API_KEY_FAILURE_LIMIT = int(os.environ.get("API_KEY_FAILURE_LIMIT", "20"))
AXES_FAILURE_LIMIT = "tenants.axes.failure_limit"
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
# Never stored in the attempt records (the password field is masked by axes itself).
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token", "token", "csrfmiddlewaretoken"]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "tenants.axes.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
    ("ar", _("Arabic")),
    ("th", _("Thai")),
]
LOCALE_PATHS = [BASE_DIR / "portal" / "locale"]
# One unambiguous date form per language, the month named (portal/formats/<locale>/formats.py).
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end assets come from Python packages, never from a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "portal" / "static",
    ("vendor/bootstrap", xstatic_bootstrap.BASE_DIR),
    # Thai pages name their web font (portal/static/portal/thai.css), not whatever the reader's device has.
    ("vendor/noto-sans-thai", Path(fontpkg_noto_sans_thai.__file__).parent / "files"),
]
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Alliance Portal <no-reply@alliance.example>")

# Cache keys carry the schema so one partner's cached rows never reach another (TENANCY.md).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}
# Rate-limit counters every web process must share: Redis when configured (always under `make run`: the embedded
# Redis, portal.devstack), else a table in public
# (portal.integrations.throttling counts there with one atomic upsert).
CACHES["throttle"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
if os.environ.get("REDIS_CACHE_URL"):
    CACHES["default"].update(
        BACKEND="django_redis.cache.RedisCache",
        LOCATION=os.environ["REDIS_CACHE_URL"],
    )
    CACHES["throttle"] = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": os.environ["REDIS_CACHE_URL"]}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(12 * 3600)))
# Signed out after this long without a request, and after this long whatever happens (portal.accounts.sessions).
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(60 * 60)))
SESSION_ABSOLUTE_TIMEOUT = int(os.environ.get("SESSION_ABSOLUTE_TIMEOUT", str(12 * 3600)))
# Host-only cookies: a browser never sends one partner's session or CSRF cookie to another partner's host.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Strict Content-Security-Policy: no inline scripts or styles, nothing from another origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.integrations.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal.api.permissions.IsPartnerMember"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["portal.api.parsers.BoundedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "portal.api.filtering.RequestedFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["portal.integrations.throttling.CallerRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"caller": os.environ.get("API_RATE_LIMIT", "1200/min")},
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.NamespaceVersioning",
    "ALLOWED_VERSIONS": ["v1"],
    "DEFAULT_VERSION": "v1",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Alliance Portal API",
    "DESCRIPTION": (
        "Partner API of the smart EV industry alliance. Authenticate with `Authorization: Api-Key <key>`. "
        "Every POST accepts an `Idempotency-Key` header: a retry with the same key and body gets the first "
        "answer (header `Idempotent-Replayed: true`) and creates nothing new; the same key with another body "
        "is refused with 422. Keys are kept 48 hours. See docs/api.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Operations are grouped by resource (vehicles, projects, …) rather than all under "v1".
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No deep links: Swagger UI puts each operation's link inside its summary button (nested controls, axe-core).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "PartnerKindEnum": "tenants.choices.PartnerKind",
        "PartnerTierEnum": "tenants.choices.PartnerTier",
        "RoleEnum": "tenants.choices.Role",
        "CallerKindEnum": ["user", "api_key"],
        "VehicleCategoryEnum": "portal.reference.choices.Category",
        "BatteryChemistryEnum": "portal.vehicles.choices.BatteryChemistry",
        "ConnectivityEnum": "portal.vehicles.choices.Connectivity",
        "VehicleStatusEnum": "portal.vehicles.choices.VehicleStatus",
        "ChangeSourceEnum": "portal.vehicles.choices.ChangeSource",
        "ImportModeEnum": "portal.vehicles.choices.ImportMode",
        "ImportStatusEnum": "portal.vehicles.choices.ImportStatus",
        "ProjectStageEnum": "portal.collaboration.choices.Stage",
        "StatisticsBreakdownEnum": "portal.insights.choices.Breakdown",
        "CellStatusEnum": "portal.insights.choices.CellStatus",
        "RiskKindEnum": "portal.insights.choices.RiskKind",
        "TargetMetricEnum": "portal.insights.choices.TargetMetric",
        "ParticipantStatusEnum": "portal.collaboration.choices.ParticipantStatus",
        "TechnologyEnum": "portal.collaboration.choices.Technology",
        "BudgetRangeEnum": "portal.collaboration.choices.BudgetRange",
        "ProductCategoryEnum": "portal.collaboration.choices.ProductCategory",
        "ListingKindEnum": "portal.collaboration.choices.ListingKind",
        "TimelineKindEnum": "portal.collaboration.choices.TimelineKind",
        "CountryEnum": "django_countries.countries",
        "VerdictEnum": "portal.compliance.choices.Verdict",
        "ShipmentStatusEnum": "portal.compliance.choices.ShipmentStatus",
        "IncotermEnum": "portal.compliance.choices.Incoterm",
        "CheckTriggerEnum": "portal.compliance.choices.Trigger",
        "EmbargoSeverityEnum": "portal.reference.models.EmbargoSeverity",
        "ReasonSeverityEnum": ["block", "review", "info"],
        "WebhookEventEnum": "portal.integrations.models.WebhookEvent",
        "WebhookDeliveryStatusEnum": "portal.integrations.models.WebhookDelivery.Status",
        "BatteryCategoryEnum": "portal.batteries.choices.BatteryCategory",
        "BatteryStatusEnum": "portal.batteries.choices.BatteryStatus",
        "ReadingSourceEnum": "portal.batteries.choices.ReadingSource",
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
        "ErrorCode401Enum": "drf_standardized_errors.openapi_serializers.ErrorCode401Enum.choices",
        "ErrorCode403Enum": "drf_standardized_errors.openapi_serializers.ErrorCode403Enum.choices",
        "ErrorCode404Enum": "drf_standardized_errors.openapi_serializers.ErrorCode404Enum.choices",
        "ErrorCode405Enum": "drf_standardized_errors.openapi_serializers.ErrorCode405Enum.choices",
        "ErrorCode406Enum": "drf_standardized_errors.openapi_serializers.ErrorCode406Enum.choices",
        "ErrorCode415Enum": "drf_standardized_errors.openapi_serializers.ErrorCode415Enum.choices",
        "ErrorCode429Enum": "drf_standardized_errors.openapi_serializers.ErrorCode429Enum.choices",
        "ErrorCode500Enum": "drf_standardized_errors.openapi_serializers.ErrorCode500Enum.choices",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "portal.api.schema_hooks.generic_validation_errors",
        "portal.api.schema_hooks.decimals_as_strings_or_numbers",
    ],
}
DRF_STANDARDIZED_ERRORS = {"EXCEPTION_HANDLER_CLASS": "portal.api.errors.PortalExceptionHandler"}
API_KEY_CUSTOM_HEADER = "HTTP_X_API_KEY"
# Webhooks never go to loopback, private or link-local addresses unless staff allow it (e.g. on-premise receivers).
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)

# Celery: CELERY_BROKER_URL (Redis or RabbitMQ). `make run`, `make test`, `make bench` and `make loadtest` set it to
# an embedded Redis when it is unset (portal.devstack.EmbeddedRedis); a process started without it expects a
# Redis on localhost, the conventional default.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
# Redis hands a task whose worker died (SIGKILL, OOM) to another worker after this many seconds: longer than the
# longest task, or Redis hands out a task that is still running.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 6 * 3600))}
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "django-db")
CELERY_RESULT_EXTENDED = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TENANT_CACHE_SECONDS = 30
CELERY_BEAT_SCHEDULER = "portal.core.scheduler.PartnerAwareScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "purge-idempotency-records": {
        "task": "portal.integrations.tasks.idempotency_purge",
        "schedule": 3600.0,
        "tenant_schemas": ["public"],
    },
    # Every active partner's schema (no `tenant_schemas`): imports whose worker died are redone or failed.
    "vehicle-import-sweep": {"task": "portal.vehicles.tasks.vehicle_import_sweep", "schedule": 120.0},
    "heartbeat": {
        "task": "portal.core.tasks.beat_heartbeat",
        "schedule": 30.0,
        "tenant_schemas": ["public"],
    },
    # Every active partner, daily: certificate expiry warnings (each certificate and threshold once).
    "compliance-certificate-expiry": {
        "task": "portal.compliance.tasks.certificate_expiry_warn",
        "schedule": crontab(hour=6, minute=0),
    },
    # Every active partner, daily: one e-mail with the day's notices to each person who chose the digest.
    "inbox-digest": {"task": "portal.inbox.tasks.inbox_digest", "schedule": crontab(hour=7, minute=0)},
    # Statistics: changed months every five minutes, everything nightly (portal.insights.pipeline).
    "insights-incremental": {
        "task": "portal.insights.tasks.insights_run",
        "schedule": 300.0,
        "kwargs": {"kind": "incremental"},
        "tenant_schemas": ["public"],
    },
    "insights-full": {
        "task": "portal.insights.tasks.insights_run",
        "schedule": crontab(hour=3, minute=15),
        "kwargs": {"kind": "full"},
        "tenant_schemas": ["public"],
    },
    # Safety net for rule changes made outside the admin and services: re-check what is behind, nightly.
    "compliance-recheck-behind": {
        "task": "portal.compliance.tasks.shipments_recheck_all",
        "schedule": crontab(hour=2, minute=30),
        "tenant_schemas": ["public"],
    },
}

# Export compliance: screening scores (0–100) and certificate expiry warnings (days ahead).
COMPLIANCE_SCREENING = {
    "REVIEW_SCORE": float(os.environ.get("COMPLIANCE_SCREENING_REVIEW_SCORE", "85")),
    "BLOCK_SCORE": float(os.environ.get("COMPLIANCE_SCREENING_BLOCK_SCORE", "97")),
}
COMPLIANCE_EXPIRY_WARNING_DAYS = [int(day) for day in env_list("COMPLIANCE_EXPIRY_WARNING_DAYS", "90,30,7")]
COMPLIANCE_CERTIFICATE_MAX_BYTES = int(os.environ.get("COMPLIANCE_CERTIFICATE_MAX_MB", "10")) * 1024 * 1024
# CSV / XLSX imports of the reference tables in the admin run in one transaction: a bad file changes nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line carries the request id (X-Request-ID), also in Celery tasks sent during that request.
    "filters": {
        "request_id": {"()": "portal.core.requests.RequestIdFilter"},
        "client_errors_without_traceback": {"()": "portal.core.errors.ClientErrorsWithoutTraceback"},
    },
    "formatters": {"standard": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "standard"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django_tenants_smart_executor": {"level": "ERROR"},
        # Refusals (403 and friends) are logged as one line each; server errors keep their traceback.
        "django.request": {"filters": ["client_errors_without_traceback"]},
    },
}
