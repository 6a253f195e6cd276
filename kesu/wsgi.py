import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
application = get_wsgi_application()

from kesu.core.warmup import load_urls  # noqa: E402 (needs the settings above)

load_urls()  # each gunicorn worker imports this module when it starts
