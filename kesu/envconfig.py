"""Typed readers for environment variables: infrastructure comes from the environment.

Each reader fails loudly with the variable's name when the value cannot be parsed, and with
the file's name when a file it needs cannot be read or written, so a typo in a deployment
shows up at start-up, not as a strange behaviour later. `kesu` prints a `ConfigError` as one
line (no traceback) and exits with status 2; a password in a URL is never shown (`shown`).
"""

import os
import secrets
import time
import zoneinfo
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from dj_database_url import DBConfig


class ConfigError(RuntimeError):
    """A setting from the environment (or a file it names) that Kesu cannot use."""


def shown(url: str) -> str:
    """`url` with its password replaced by ***, for messages and logs."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.hostname or ""
        if parts.port is not None:
            host = f"{host}:{parts.port}"
        return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))
    except ValueError:
        return "(unreadable URL)"


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return parse_bool(name, raw)


def parse_bool(name: str, raw: str) -> bool:
    """true/false, yes/no, on/off, 1/0; anything else is a configuration error."""
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean (use true/false)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not an integer") from None


def env_choice(name: str, default: str, choices: list[str]) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ConfigError(f"{name}={value!r} is not one of {', '.join(choices)}")
    return value


def env_time_zone(name: str, default: str) -> str:
    value = env_str(name, default)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{name}={value!r} is not a time zone (e.g. Asia/Shanghai)") from None
    return value


def env_rate(name: str, default: str) -> str:
    """A limit written "count/minutes" (or "count": per 60 minutes), both whole and positive."""
    value = env_str(name, default)
    count, _slash, minutes = value.partition("/")
    if not (count.strip().isdigit() and (not minutes or minutes.strip().isdigit())):
        raise ConfigError(f"{name}={value!r} is not a limit written count/minutes (e.g. 10/60)")
    if int(count) < 1 or (minutes and int(minutes) < 1):
        raise ConfigError(f"{name}={value!r}: the count and the minutes must be at least 1")
    return value


def env_url(name: str, schemes: tuple[str, ...]) -> str:
    """A URL with one of `schemes`, or "" when unset."""
    value = env_str(name).strip()
    if value and urlsplit(value).scheme.lower() not in schemes:
        raise ConfigError(
            f"{name}={shown(value)!r} is not a URL starting with "
            + " or ".join(f"{scheme}://" for scheme in schemes)
        )
    return value


def with_query(url: str, **defaults: object) -> str:
    """`url` with `defaults` added to its query string where it does not set them itself."""
    parts = urlsplit(url)
    given = {pair.split("=", 1)[0] for pair in parts.query.split("&") if pair}
    extra = [f"{key}={value}" for key, value in defaults.items() if key not in given]
    query = "&".join(filter(None, [parts.query, *extra]))
    return urlunsplit(parts._replace(query=query))


def database(name: str, default: str, conn_max_age: int) -> "DBConfig":
    """Django's DATABASES["default"] from a database URL (dj-database-url)."""
    import dj_database_url

    value = env_str(name, default)
    expected = "postgres://user@host:5432/name or sqlite:////path/kesu.sqlite3"
    try:
        config = dj_database_url.parse(value, conn_max_age=conn_max_age)
    except (ValueError, KeyError, TypeError) as error:
        raise ConfigError(
            f"{name}={shown(value)!r} is not a database URL ({expected}): {error}"
        ) from None
    if config["ENGINE"] not in _DATABASE_ENGINES:
        raise ConfigError(
            f"{name}={shown(value)!r}: Kesu runs on PostgreSQL or SQLite ({expected})"
        )
    return config


_DATABASE_ENGINES = ("django.db.backends.postgresql", "django.db.backends.sqlite3")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def data_dir(default: Path, *subdirectories: str) -> Path:
    """KESU_DATA_DIR (or `default`), created with its `subdirectories` if missing."""
    path = Path(os.environ.get("KESU_DATA_DIR") or default).expanduser().resolve()
    for directory in (path, *(path / sub for sub in subdirectories)):
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigError(
                f"KESU_DATA_DIR: cannot create the directory {directory}: {error.strerror}"
            ) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError(f"KESU_DATA_DIR: the directory {path} is not writable")
    return path


def secret_key(directory: Path) -> str:
    """KESU_SECRET_KEY, or a key generated once and kept in the data directory."""
    if key := os.environ.get("KESU_SECRET_KEY"):
        return key
    path = directory / "secret_key"
    try:
        if path.exists():
            return _read_key(path)
        key = secrets.token_urlsafe(50)
        # O_EXCL: when two processes start at once, only one writes; the other reads its key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return _read_key(path)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key)
        return key
    except (OSError, UnicodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "it is not ASCII text"
        raise ConfigError(
            f"KESU_SECRET_KEY is not set and the key file {path} cannot be used: {reason}"
        ) from None


def _read_key(path: Path) -> str:
    for _attempt in range(20):  # another process may have created it and be writing it
        if key := path.read_text(encoding="ascii").strip():
            return key
        time.sleep(0.05)
    raise ConfigError(f"KESU_SECRET_KEY is not set and the key file {path} is empty")
