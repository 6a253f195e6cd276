"""The whole installation, above every other app: what prepares, checks and starts a Kesu site.

`kesu serve` (migrate, the default configuration, the first admin, then gunicorn with the
background worker: `gunicorn_hooks`), `kesu worker`, `kesu loaddefaults` (`defaults`: the
departments, categories, time limits and severity words of SPEC.md) and the checks both
commands run before anything waits on the database or the queue (`startup`).

It orchestrates the apps below it, so nothing below imports it (`[tool.importlinter]` in
pyproject.toml); `kesu.core` keeps only infrastructure that knows no app.
"""
