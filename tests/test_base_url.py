"""Links in e-mail and SMS point where Kesu is served (issue #14, point 14): `kesu serve`
derives them from its own address when KESU_BASE_URL is not set, and refuses to serve on
every address without it."""

import os

import pytest

from kesu.envconfig import ConfigError
from kesu.site.startup import base_url
from tests.test_startup import refused, run


def test_the_given_address_wins():
    assert base_url("0.0.0.0", 8000, "https://kesu.example.com/") == "https://kesu.example.com"  # noqa: S104


def test_without_it_the_served_address_and_port_are_the_links():
    assert base_url("127.0.0.1", 8123, None) == "http://127.0.0.1:8123"
    assert base_url("::1", 8123, "") == "http://[::1]:8123"


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])  # noqa: S104
def test_every_address_without_a_base_url_is_refused(host):
    with pytest.raises(ConfigError, match="KESU_BASE_URL"):
        base_url(host, 8000, None)


def _without_base_url(tmp_path, *args):
    saved = os.environ.pop("KESU_BASE_URL", None)
    try:
        return run(tmp_path, *args)
    finally:
        if saved is not None:
            os.environ["KESU_BASE_URL"] = saved


@pytest.mark.slow
def test_kesu_serve_on_another_port_links_to_that_port(tmp_path):
    done = _without_base_url(tmp_path, "serve", "--prepare-only", "--port", "8765")
    assert done.returncode == 0, done.stderr
    (links,) = [line for line in done.stdout.splitlines() if "SMS" in line or "短信" in line]
    assert links.endswith("http://127.0.0.1:8765/"), done.stdout


@pytest.mark.slow
def test_kesu_serve_on_every_address_without_a_base_url_refuses_to_start(tmp_path):
    every = "0.0.0.0"  # noqa: S104
    refused(
        _without_base_url(tmp_path, "serve", "--host", every, "--prepare-only"), "KESU_BASE_URL"
    )
