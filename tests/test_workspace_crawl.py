"""Every workspace page, crawled as each role over the demo data: no server error anywhere.

The crawler starts at the dashboard and follows every same-site link it finds (tabs, filters,
complaint pages, the action forms, attachments, the registration form), up to a bound per
kind of page so the run stays short.
"""

import re
from collections import Counter, deque
from html import unescape

import pytest
from django.test import Client

from kesu.accounts.choices import Role
from kesu.accounts.models import User
from kesu.demo.loader import load_demo

pytestmark = pytest.mark.django_db

LINK = re.compile(r'(?:href|hx-get)="(/[^"#]*)')
SKIP = ("/logout/", "/admin/", "/api/", "/static/", "/i18n/")
PER_KIND = 40  # pages of one kind (path shape) per role
# The print menu's documents (PDF, zip) take a few hundred ms each: a few of each kind are
# enough here; tests/test_reports_documents.py reads what they hold.
PER_PRINTED_KIND = 3


def _kind(path: str) -> str:
    """The shape of a path: numbers and query values blanked."""
    shape = re.sub(r"KS\d+", "N", path.split("?")[0])
    return re.sub(r"/\d+", "/i", shape)


def crawl(client: Client) -> tuple[Counter, list[str], Counter]:
    seen, queue, kinds, statuses, failures = {"/"}, deque(["/"]), Counter(), Counter(), []
    while queue:
        path = queue.popleft()
        response = client.get(path)
        statuses[response.status_code] += 1
        if response.status_code >= 500:
            failures.append(path)
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for link in LINK.findall(response.content.decode()):
            link = unescape(link)
            if link in seen or link.startswith(SKIP):
                continue
            seen.add(link)
            bound = PER_PRINTED_KIND if "/print/" in link else PER_KIND
            if kinds[_kind(link)] < bound:
                kinds[_kind(link)] += 1
                queue.append(link)
    return statuses, failures, kinds


def test_no_page_fails_for_any_role(db):
    load_demo(count=60)
    roles_seen = set()
    for role in (Role.INTAKE, Role.HANDLER, Role.DEPT_HEAD, Role.QA, Role.EXECUTIVE):
        user = User.objects.filter(role=role, username__startswith="demo_").first()
        client = Client()
        client.force_login(user)
        statuses, failures, kinds = crawl(client)
        assert not failures, (role, failures)
        assert statuses[200] > 20, (role, statuses)  # it really walked the workspace
        assert kinds["/complaints/N"] and any("/do/" in k for k in kinds), kinds
        roles_seen.add(role)
    assert len(roles_seen) == 5
