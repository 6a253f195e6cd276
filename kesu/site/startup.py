"""Checks `kesu serve` and `kesu worker` run before anything else: fail at once, naming the
variable, rather than serve without a queue or hang on a database that never answers.

* the database (`DATABASE_URL`): a connection and `SELECT 1` within
  `KESU_DB_CONNECT_TIMEOUT` seconds (PostgreSQL's own `connect_timeout` is set to the same in
  the settings, and the check runs with a statement timeout; the whole check is also bounded
  by a watchdog, so a server that accepts connections but never answers cannot hang it);
* the queue: Redis (`REDIS_URL`) answers PING within `KESU_REDIS_CONNECT_TIMEOUT` seconds,
  or the SQLite queue's file in the data directory can be opened;
* settings only read later: the intake mailbox URL (`KESU_IMAP_URL`) and the SMS backend
  (`KESU_SMS_BACKEND`);
* for `kesu serve`, the address links in e-mail and SMS point to (`base_url`): `KESU_BASE_URL`,
  or else the address it serves on, unless that is every address (`--host 0.0.0.0`), which
  no customer can follow.

Each failure raises `ConfigError` with the variable's (or the file's) name; `kesu` prints it
as one line and exits with status 2.
"""

import threading
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection

from kesu.envconfig import ConfigError, shown


def _within(seconds: float, check: Callable[[], None], late: str) -> None:
    """Run `check` in a thread; ConfigError(`late`) when it has not finished in `seconds`."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            check()
        except BaseException as error:  # handed to the caller's thread
            failure.append(error)

    worker = threading.Thread(target=run, name="kesu-startup-check", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise ConfigError(late)
    if failure:
        raise failure[0]


def _database_name() -> str:
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"the SQLite database {db['NAME']} (DATABASE_URL, or KESU_DATA_DIR)"
    url = f"{db.get('USER', '')}@{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
    return f"DATABASE_URL (postgres://{url}/{db['NAME']})"


def check_database() -> None:
    timeout = settings.KESU_DB_CONNECT_TIMEOUT
    name = _database_name()

    def probe() -> None:
        try:
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("SET statement_timeout = %s", [timeout * 1000])
                cursor.execute("SELECT 1")
                if connection.vendor == "postgresql":
                    cursor.execute("RESET statement_timeout")
        except Exception as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            raise ConfigError(f"{name}: cannot use the database: {reason}") from None
        finally:
            connection.close()  # this thread's connection

    _within(
        timeout + 2,
        probe,
        f"{name}: the database did not answer within {timeout} s "
        f"(KESU_DB_CONNECT_TIMEOUT); is it the right address, and is the server running?",
    )


def check_queue() -> None:
    if settings.REDIS_URL:
        _check_redis(settings.REDIS_URL, settings.KESU_REDIS_CONNECT_TIMEOUT)
    else:
        _check_sqlite_queue(Path(str(settings.HUEY["filename"])))


def _check_redis(url: str, timeout: float) -> None:
    import redis

    def ping() -> None:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            client.ping()
        except redis.RedisError as error:
            raise ConfigError(
                f"REDIS_URL={shown(url)}: cannot reach Redis, the background worker's queue: "
                f"{error}"
            ) from None
        finally:
            client.close()

    _within(
        timeout + 2,
        ping,
        f"REDIS_URL={shown(url)}: Redis did not answer within {timeout} s "
        f"(KESU_REDIS_CONNECT_TIMEOUT)",
    )


def _check_sqlite_queue(path: Path) -> None:
    import sqlite3

    try:
        sqlite3.connect(path, timeout=5).close()
    except sqlite3.Error as error:
        raise ConfigError(
            f"KESU_DATA_DIR: cannot open the queue's file {path} ({error}); "
            "or set REDIS_URL for a queue on Redis"
        ) from None


def check_settings() -> None:
    """Settings read only when they are used: check them now."""
    from django.utils.module_loading import import_string

    if settings.KESU_IMAP_URL:
        from kesu.mail.imap import parse_url

        try:
            parse_url(settings.KESU_IMAP_URL)
        except ValueError as error:  # its message names KESU_IMAP_URL, never the password
            raise ConfigError(str(error)) from None
    try:
        import_string(settings.KESU_SMS_BACKEND)
    except ImportError as error:
        raise ConfigError(
            f"KESU_SMS_BACKEND={settings.KESU_SMS_BACKEND!r} cannot be imported: {error}"
        ) from None


WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "[::]"})  # noqa: S104 (names, not binds)


def base_url(host: str, port: int, given: str | None) -> str:
    """The address links in messages point to: `KESU_BASE_URL` when it is given, otherwise
    the one `kesu serve` serves on."""
    if given:
        return given.rstrip("/")
    if host in WILDCARD_HOSTS:
        raise ConfigError(
            f"KESU_BASE_URL is not set and --host {host or '(empty)'} serves on every address: "
            "links in e-mail and SMS need the address people reach Kesu at, e.g. "
            "KESU_BASE_URL=https://kesu.example.com"
        )
    shown_host = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown_host}:{port}"


def check_all() -> None:
    """Everything `kesu serve` and `kesu worker` need, in the order it is used."""
    check_settings()
    check_database()
    check_queue()
