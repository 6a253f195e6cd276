"""Notification infrastructure from the environment: the mail server, the SMS provider, links.

`kesu/settings.py` takes these in (see README):

    from kesu.notifications.conf import email_settings
    globals().update(email_settings())
    KESU_SMS_BACKEND = env_str("KESU_SMS_BACKEND", "kesu.notifications.sms.LogSmsBackend")
    KESU_BASE_URL = env_str("KESU_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

E-mail, in order of precedence:
- `KESU_EMAIL_URL`: `smtp://user:password@host:587?tls=true`, `smtps://user:password@host:465`
  (implicit TLS), `console://` (print to the log), `dummy://` (discard). User and password
  are URL-encoded (`@` as `%40`).
- `EMAIL_HOST` (with `EMAIL_PORT`, `EMAIL_HOST_USER`, `EMAIL_HOST_PASSWORD`, `EMAIL_USE_TLS`,
  `EMAIL_USE_SSL`): SMTP.
- nothing: the console backend, which prints every message (what `make run` uses).
`DEFAULT_FROM_EMAIL` (default `kesu@localhost`) is the sender; `EMAIL_TIMEOUT` (default 10 s).
"""

from urllib.parse import parse_qs, unquote, urlsplit

from kesu.envconfig import ConfigError, env_bool, env_int, env_str, parse_bool

SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
DUMMY = "django.core.mail.backends.dummy.EmailBackend"


def _flag(query: dict[str, list[str]], name: str) -> bool:
    values = query.get(name)
    return parse_bool(f"KESU_EMAIL_URL ?{name}", values[-1]) if values else False


def parse_email_url(url: str) -> dict[str, object]:
    """The Django e-mail settings a `KESU_EMAIL_URL` stands for; fails loudly on a bad one."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": CONSOLE}
    if scheme == "dummy":
        return {"EMAIL_BACKEND": DUMMY}
    if scheme not in ("smtp", "smtps"):
        raise ConfigError(f"KESU_EMAIL_URL: unknown scheme {parts.scheme!r} (smtp, smtps, console)")
    if not parts.hostname:
        raise ConfigError("KESU_EMAIL_URL has no host")
    try:
        port = parts.port
    except ValueError:
        raise ConfigError("KESU_EMAIL_URL has a port that is not a number") from None
    query = parse_qs(parts.query)
    ssl = scheme == "smtps" or _flag(query, "ssl")
    return {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or (465 if ssl else 587 if _flag(query, "tls") else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": ssl,
        "EMAIL_USE_TLS": not ssl and _flag(query, "tls"),
    }


def email_settings() -> dict[str, object]:
    """Django's EMAIL_* settings and DEFAULT_FROM_EMAIL, from the environment."""
    common: dict[str, object] = {
        "DEFAULT_FROM_EMAIL": env_str("DEFAULT_FROM_EMAIL", "kesu@localhost"),
        "SERVER_EMAIL": env_str("DEFAULT_FROM_EMAIL", "kesu@localhost"),
        "EMAIL_TIMEOUT": env_int("EMAIL_TIMEOUT", 10),
    }
    if url := env_str("KESU_EMAIL_URL"):
        return {**common, **parse_email_url(url)}
    if host := env_str("EMAIL_HOST"):
        use_ssl = env_bool("EMAIL_USE_SSL", False)
        use_tls = env_bool("EMAIL_USE_TLS", False)
        if use_ssl and use_tls:
            raise ConfigError("EMAIL_USE_SSL and EMAIL_USE_TLS are exclusive")
        return {
            **common,
            "EMAIL_BACKEND": SMTP,
            "EMAIL_HOST": host,
            "EMAIL_PORT": env_int("EMAIL_PORT", 465 if use_ssl else 587 if use_tls else 25),
            "EMAIL_HOST_USER": env_str("EMAIL_HOST_USER"),
            "EMAIL_HOST_PASSWORD": env_str("EMAIL_HOST_PASSWORD"),
            "EMAIL_USE_TLS": use_tls,
            "EMAIL_USE_SSL": use_ssl,
        }
    return {**common, "EMAIL_BACKEND": CONSOLE}
