"""Django settings for Kesu. Infrastructure comes from the environment (see README)."""

from datetime import timedelta
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from kesu.envconfig import (
    data_dir,
    database,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_rate,
    env_str,
    env_time_zone,
    env_url,
    secret_key,
    with_query,
)
from kesu.mail.conf import mail_subject_tags, mail_verdicts
from kesu.notifications.conf import email_settings

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir(BASE_DIR / "var", "static")

SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env_bool("KESU_DEBUG", False)
ALLOWED_HOSTS = env_list("KESU_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("KESU_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "huey.contrib.djhuey",
    "kesu.core",
    "kesu.accounts",
    "kesu.policies",
    "kesu.complaints",
    "kesu.deadlines",
    "kesu.notifications",
    "kesu.statistics",
    "kesu.reports",
    "kesu.appraisal",
    "kesu.workspace",
    "kesu.portal",
    "kesu.mail",
    "kesu.demo",
    "kesu.site",
    "kesu.core.axes_admin.AxesConfig",  # django-axes: failed-login throttling, translated
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "kesu.core.middleware.RequestEdgeMiddleware",  # after Locale: its refusals are translated
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kesu.core.middleware.BackgroundRedirectMiddleware",  # inside messages, around the rest
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kesu.core.middleware.SessionExpiryMiddleware",  # after auth and messages
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the lockout page
]

ROOT_URLCONF = "kesu.urls"
WSGI_APPLICATION = "kesu.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kesu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- database: SQLite (WAL) in the data directory unless DATABASE_URL says otherwise -------
DATABASES = {
    "default": database(
        "DATABASE_URL",
        f"sqlite:///{DATA_DIR / 'kesu.sqlite3'}",
        conn_max_age=env_int("KESU_DB_CONN_MAX_AGE", 600),
    )
}
# How long a connection (and `kesu serve`'s start-up check of the database) may take before it
# fails with the variable's name instead of hanging.
KESU_DB_CONNECT_TIMEOUT = env_int("KESU_DB_CONNECT_TIMEOUT", 10)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", KESU_DB_CONNECT_TIMEOUT
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with write transactions queued on a lock file (see its docstring).
    DATABASES["default"]["ENGINE"] = "kesu.core.sqlite_backend"
    DATABASES["default"]["OPTIONS"] = {
        # Writers take the lock at BEGIN (no upgrade deadlocks), wait up to 30 s for it,
        # and WAL lets readers run beside the one writer.
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            # 16 KiB pages waste less space around ~700-byte rows; a no-op on an existing file.
            "PRAGMA page_size=16384;"
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            # The backend checkpoints every 50 commits outside its write lock; SQLite's own
            # checkpoint (inside a commit, lock held) is only the safety net.
            "PRAGMA wal_autocheckpoint=4000;"
            # … and a WAL that one large import made big shrinks back once it is reused.
            "PRAGMA journal_size_limit=67108864;"
            "PRAGMA busy_timeout=30000;"
            "PRAGMA temp_store=MEMORY;"
            "PRAGMA cache_size=-32000;"
            "PRAGMA mmap_size=268435456;"
        ),
    }
    # Test databases live in files too, so concurrent tests use real connections.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-kesu.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- language and time ------------------------------------------------------------------
LANGUAGE_CODE = env_choice("KESU_LANGUAGE", "zh-hans", ["zh-hans", "en"])
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_time_zone("KESU_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- files ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
KESU_ATTACHMENT_MAX_BYTES = env_int("KESU_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
# Larger request bodies than one attachment plus its form are refused before they are read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- background work (issue: time limits); SQLite storage unless REDIS_URL is set --------
REDIS_URL = env_url("REDIS_URL", ("redis", "rediss", "unix"))
# Seconds to reach Redis: `kesu serve` and `kesu worker` check it when they start, and a
# connection that cannot be made fails instead of hanging.
KESU_REDIS_CONNECT_TIMEOUT = env_int("KESU_REDIS_CONNECT_TIMEOUT", 5)
HUEY = {
    "huey_class": "huey.RedisHuey" if REDIS_URL else "kesu.core.queue.SqliteHuey",
    "name": "kesu",
    "immediate": env_bool("KESU_HUEY_IMMEDIATE", False),
    **(
        {"url": with_query(REDIS_URL, socket_connect_timeout=KESU_REDIS_CONNECT_TIMEOUT)}
        if REDIS_URL
        else {"filename": str(DATA_DIR / "huey.sqlite3")}
    ),
}
# /healthz/worker answers 503 when a worker has started but no deadline sweep (every minute)
# has completed for this many seconds (/healthz, the web process's own, does not look).
KESU_HEALTH_SWEEP_MAX_AGE = env_int("KESU_HEALTH_SWEEP_MAX_AGE", 300)

# --- notifications (SPEC §7): e-mail, SMS provider, links in messages ---------------------
# KESU_EMAIL_URL (smtp://user:pass@host:587?tls=true, smtps://…, console://, dummy://), or
# EMAIL_HOST/EMAIL_PORT/EMAIL_HOST_USER/EMAIL_HOST_PASSWORD/EMAIL_USE_TLS/EMAIL_USE_SSL;
# printed to the console when nothing is set.
_email = email_settings()
globals().update(_email)
DEFAULT_FROM_EMAIL = str(_email["DEFAULT_FROM_EMAIL"])
KESU_SMS_BACKEND = env_str("KESU_SMS_BACKEND", "kesu.notifications.sms.LogSmsBackend")
KESU_BASE_URL = env_str("KESU_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# The monthly report goes out on the first working day of a month from this local hour (0–23),
# so that QA has the morning to write its commentary (kesu.reports.actions.due_month).
KESU_MONTHLY_REPORT_HOUR = env_int("KESU_MONTHLY_REPORT_HOUR", 16)
# The monthly summaries (kesu.reports.digests): the after-sales department whose heads get the
# salespeople's summary, and the sales departments (with those below them) whose members'
# complaints it sums up, by department code.
KESU_AFTER_SALES_DEPARTMENT = env_str("KESU_AFTER_SALES_DEPARTMENT", "customer_service")
KESU_SALES_DEPARTMENTS = env_list("KESU_SALES_DEPARTMENTS", ["sales"])
# The company's name at the top of every printed document (kesu/reports/pdf).
KESU_COMPANY_NAME = env_str("KESU_COMPANY_NAME")

# --- customer channels (issue #5) ---------------------------------------------------------
# The public form: accepted submissions per network address and per phone/e-mail, as
# "count/minutes"; one more within the window is refused with a clear message.
KESU_PUBLIC_FORM_PER_ADDRESS = env_rate("KESU_PUBLIC_FORM_PER_ADDRESS", "10/60")
KESU_PUBLIC_FORM_PER_CONTACT = env_rate("KESU_PUBLIC_FORM_PER_CONTACT", "5/60")
# Reverse proxies in front of Kesu (addresses): the client is read from X-Forwarded-For.
KESU_TRUSTED_PROXIES = env_list("KESU_TRUSTED_PROXIES", [])
# E-mail intake: a mailbox polled every minute by the worker (imaps://user:pass@host/INBOX),
# and the local SMTP listener `kesu mail smtpd` a company MTA forwards to.
KESU_IMAP_URL = env_str("KESU_IMAP_URL")  # read by kesu.mail.imap; checked by kesu serve
KESU_SMTPD_HOST = env_str("KESU_SMTPD_HOST", "127.0.0.1")
KESU_SMTPD_PORT = env_int("KESU_SMTPD_PORT", 2525)
KESU_MAIL_MAX_BYTES = env_int("KESU_MAIL_MAX_BYTES", 30 * 1024 * 1024)
# Where customers' replies go (the intake mailbox); our own addresses, to recognise mail
# loops. Both default to DEFAULT_FROM_EMAIL.
KESU_MAIL_REPLY_TO = env_str("KESU_MAIL_REPLY_TO", DEFAULT_FROM_EMAIL)
KESU_MAIL_OWN_ADDRESSES = env_list(
    "KESU_MAIL_OWN_ADDRESSES",
    list(dict.fromkeys(a for a in (DEFAULT_FROM_EMAIL, KESU_MAIL_REPLY_TO) if a)),
)
# The receiving mail server's verdicts that hold a message for review (kesu/mail/conf.py):
# KESU_MAIL_HOLD_AUTH, KESU_MAIL_AUTHSERV_IDS, KESU_MAIL_SPAM_HEADERS; and the tags its
# gateway puts in front of subjects from outside (KESU_MAIL_SUBJECT_TAGS).
KESU_MAIL_VERDICTS = mail_verdicts()
KESU_MAIL_SUBJECT_TAGS = mail_subject_tags()

LOGIN_URL = "/login/"
CSRF_FAILURE_VIEW = "kesu.core.errors.csrf_failure"  # a page in the product's words
LOGIN_REDIRECT_URL = "/inbox/"
LOGOUT_REDIRECT_URL = "/login/"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses while a username/address is locked out
    "django.contrib.auth.backends.ModelBackend",
    "kesu.accounts.permissions.RolePermissionBackend",  # the admin role configures (SPEC §1)
]
# Failed logins: after 5 for one username from one address, 15 minutes' pause.
AXES_FAILURE_LIMIT = env_int("KESU_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("KESU_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "kesu.core.client.client_ip"  # through KESU_TRUSTED_PROXIES
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "workspace/locked_out.html"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOG_LEVEL = env_choice(
    "KESU_LOG_LEVEL", "WARNING", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Huey's consumer adds a handler of its own (and logs at INFO) unless its logger has
    # one: with the root's too, every line came out twice, and two lines a minute per task.
    "loggers": {"huey": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False}},
}
