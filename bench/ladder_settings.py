"""Kesu's settings with the ladder's URLs (bench/ladder_urls.py); used by its server only."""

from kesu.settings import *  # noqa: F403

ROOT_URLCONF = "bench.ladder_urls"
