import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils.translation import gettext as _

from kesu.accounts.actions import ensure_admin
from kesu.envconfig import ConfigError
from kesu.site import startup
from kesu.site.defaults import load_defaults


def default_workers() -> int:
    """2 on SQLite (one writer at a time; measured best in bench/), cores + 1 otherwise."""
    return 2 if connection.vendor == "sqlite" else (os.cpu_count() or 1) + 1


def gunicorn_argv(host: str, port: int, workers: int, background_worker: bool = False) -> list[str]:
    """How `kesu serve` runs gunicorn (the benchmark runs it the same way).

    With `background_worker`, gunicorn also starts and stops `kesu worker` (the deadline
    sweep and notification delivery) through the hooks in kesu.site.gunicorn_hooks.
    """
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "kesu.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--graceful-timeout",
        "10",
    ]
    if background_worker:
        argv += ["--config", "python:kesu.site.gunicorn_hooks"]
    if os.environ.get("KESU_ACCESS_LOG"):
        argv += ["--access-logfile", "-"]  # without it gunicorn formats no access lines at all
    return argv


class Command(BaseCommand):
    help = "Prepare the database and serve Kesu with the production server (gunicorn)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="default: 2 on SQLite (one writer at a time; measured best in bench/), "
            "cores + 1 on PostgreSQL",
        )
        parser.add_argument(
            "--demo",
            action="store_true",
            help="also load demo data (a few hundred complaints in Chinese)",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start the background worker (run `kesu worker` separately)",
        )
        parser.add_argument(
            "--prepare-only", action="store_true", help="migrate and load the defaults, then exit"
        )

    def handle(self, *args, host, port, workers, demo, prepare_only, no_worker, **options):
        # Before anything waits on them: a database or queue that is not there fails here,
        # with its variable's name, instead of hanging or serving without a worker.
        startup.check_all()
        # links in e-mail and SMS: the address given, or the one served on (never another
        # port's); gunicorn's workers and the background worker inherit it
        links_base = startup.base_url(host, port, os.environ.get("KESU_BASE_URL"))
        os.environ["KESU_BASE_URL"] = settings.KESU_BASE_URL = links_base
        call_command("migrate", interactive=False, verbosity=0)
        load_defaults()
        password_file = settings.DATA_DIR / "admin-password.txt"
        created = ensure_admin()
        if created is not None:
            try:
                fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(f"{created[0]} {created[1]}\n")
            except OSError as error:
                raise ConfigError(
                    f"KESU_DATA_DIR: cannot write {password_file}: {error.strerror}"
                ) from None
        call_command("collectstatic", interactive=False, verbosity=0)
        if demo:
            call_command("demo", stdout=self.stdout)
        base = f"http://{host}:{port}"
        self.stdout.write(_("Kesu is ready at %(url)s/") % {"url": base})
        self.stdout.write(_("  administration: %(url)s/admin/") % {"url": base})
        self.stdout.write(_("  REST API docs:  %(url)s/api/v1/docs") % {"url": base})
        self.stdout.write(_("  links in e-mail and SMS: %(url)s/") % {"url": links_base})
        if created is not None:
            self.stdout.write(
                _("  log in as “%(user)s” with password “%(password)s” (also kept in %(file)s)")
                % {"user": created[0], "password": created[1], "file": password_file}
            )
        elif password_file.exists():
            self.stdout.write(
                _("  the first admin's password is kept in %(file)s") % {"file": password_file}
            )
        self.stdout.flush()
        if prepare_only:
            return
        argv = gunicorn_argv(
            host, port, workers or default_workers(), background_worker=not no_worker
        )
        os.execv(sys.executable, argv)  # noqa: S606 (our own interpreter, fixed arguments)
