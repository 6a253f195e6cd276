"""`kesu token` and `kesu user` as a newcomer uses them (issue #13, point 27)."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError
from django.forms import MultiWidget
from django.test import Client
from django.utils import translation

from kesu.accounts.actions import (
    TokenReading,
    create_token,
    create_user,
    find_tokens,
    revoke_token,
)
from kesu.accounts.choices import Role
from kesu.accounts.models import ApiToken, Department, User, hash_token
from kesu.core.memo import forget
from kesu.policies.models import ClockPolicy


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def make_token(capsys, username: str) -> tuple[int, str]:
    call_command("token", "create", username)
    out = capsys.readouterr().out
    return int(re.search(r"Token (\d+) for", out).group(1)), out.split()[-1]


def works(token: str) -> bool:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/me").status_code == 200


def revoke(capsys, text: str) -> str:
    call_command("token", "revoke", text)
    return capsys.readouterr().out


def test_creating_a_token_prints_its_id_and_the_token_last(people, capsys):
    token_id, raw = make_token(capsys, people.intake.username)
    row = ApiToken.objects.get(pk=token_id)
    assert row.user == people.intake and raw.startswith("ks_") and raw[3:11] == row.prefix
    assert works(raw)


def test_the_whole_token_revokes_it(people, capsys):
    token_id, raw = make_token(capsys, people.intake.username)
    assert f"id {token_id}" in revoke(capsys, raw)
    assert not works(raw)


@pytest.mark.parametrize("start", [lambda raw: raw[:9], lambda raw: raw[3:7], lambda raw: raw[:20]])
def test_the_start_of_a_token_with_or_without_ks_revokes_it(people, capsys, start):
    _id, raw = make_token(capsys, people.intake.username)
    revoke(capsys, start(raw))
    assert not works(raw)


def test_the_id_revokes_a_token(people, capsys):
    token_id, raw = make_token(capsys, people.intake.username)
    other = create_token(people.qa)
    revoke(capsys, str(token_id))
    assert not works(raw) and works(other)


def token_starting(user: User, start: str, pk: int | None = None) -> str:
    """A token whose start is `start` (8 characters), made as `issue_token` makes one."""
    raw = f"ks_{start}{'x' * 35}"
    ApiToken.objects.create(pk=pk, user=user, key_hash=hash_token(raw), prefix=start)
    return raw


def test_a_start_that_matches_several_tokens_lists_them_and_revokes_none(people, capsys):
    first = token_starting(people.intake, "abcd1234")
    second = token_starting(people.qa, "abcdEFGH")
    with pytest.raises(CommandError) as refused:
        call_command("token", "revoke", "ks_abcd")
    message = str(refused.value)
    assert "matches 2 active tokens" in message and message.count("(by its start)") == 2
    for raw in (first, second):
        assert raw[3:11] in message
    assert works(first) and works(second)


@pytest.mark.parametrize("text", ["ks_", "abc", "ks_abc", "ABCD", "ks_ABCD1234"])
def test_a_start_is_four_characters_or_more_as_they_are_written(people, text):
    raw = token_starting(people.intake, "abcd1234")
    with pytest.raises(CommandError, match=r"No token matches .*at least 4 characters"):
        call_command("token", "revoke", text)
    assert works(raw)


def test_digits_that_are_an_id_and_the_start_of_another_token_name_both(people, capsys):
    by_id = token_starting(people.intake, "zzzz0000", pk=1234)
    by_start = token_starting(people.qa, "12345678")
    with pytest.raises(CommandError) as refused:
        call_command("token", "revoke", "1234")
    message = str(refused.value)
    assert "matches 2 active tokens" in message
    assert "id 1234  ks_zzzz0000" in message and "(by its id)" in message
    assert "ks_12345678" in message and "(by its start)" in message
    assert works(by_id) and works(by_start)
    assert {found.by for found in find_tokens("1234")} == {TokenReading.ID, TokenReading.START}


def test_a_text_that_matches_no_token_says_what_to_give(people, capsys):
    raw = create_token(people.intake)
    with pytest.raises(CommandError, match=r"No token matches .*whole token, its id"):
        call_command("token", "revoke", "ks_" + "x" * 43)
    assert works(raw)


def test_revoking_a_revoked_token_says_so(people, capsys):
    raw = create_token(people.intake)
    revoke(capsys, raw)
    with pytest.raises(CommandError, match="already revoked"):
        call_command("token", "revoke", raw)


# ------------------------------------------------------------------ the admin role configures


def _admin_client(username: str) -> Client:
    """Logged in through the admin's own login page, as the person would."""
    client = Client()
    client.post("/admin/login/", {"username": username, "password": "Kesu-config-2026"})
    return client


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(page) -> dict:
    """The values of an admin change form, as a browser would send them back unchanged."""
    data = {}
    form = page.context["adminform"].form
    for name in form.fields:
        bound = form[name]
        value = bound.value()
        widget = bound.field.widget
        if isinstance(widget, MultiWidget) and value is not None:
            for i, part in enumerate(widget.decompress(value)):
                data[f"{name}_{i}"] = part
        elif value is True:
            data[name] = "on"
        elif value not in (None, False):
            data[name] = value
    return data


def test_a_person_created_with_the_admin_role_can_change_a_time_limit_others_cannot(defaults):
    call_command("user", "create", "li_config", "--role", "admin", "--password", "Kesu-config-2026")
    for role in ("intake", "handler", "dept_head", "qa", "executive", "customer"):
        call_command(
            "user", "create", f"x_{role}", "--role", role, "--department", "quality",
            "--password", "Kesu-config-2026",
        )  # fmt: skip
        client = _admin_client(f"x_{role}")
        response = client.get("/admin/policies/clockpolicy/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"], role
    client = _admin_client("li_config")
    assert client.get("/admin/").status_code == 200
    row = ClockPolicy.objects.filter(clock="first_contact").first()
    page = client.get(f"/admin/policies/clockpolicy/{row.pk}/change/")
    assert page.status_code == 200
    data = {**form_data(page), "limit": "12"}
    response = client.post(f"/admin/policies/clockpolicy/{row.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    # saved for new complaints only (the admin's default): the row in force from now is new
    in_force = ClockPolicy.objects.get(
        clock="first_contact",
        severity=row.severity,
        category=row.category,
        kind=row.kind,
        registered_before=None,
    )
    assert in_force.limit == 12
    # the rest of the configuration opens too
    for page in (
        "/admin/accounts/department/",
        "/admin/accounts/user/add/",
        "/admin/complaints/category/",
        "/admin/deadlines/workcalendar/",
        "/admin/notifications/notificationtemplate/",
        "/admin/policies/policy/",
    ):
        assert client.get(page).status_code == 200, page


def test_the_admin_role_is_not_a_superuser(people, defaults):
    call_command("user", "create", "li_config", "--role", "admin", "--password", "Kesu-config-2026")
    client = _admin_client("li_config")
    assert client.get("/admin/auth/group/").status_code == 403
    assert client.get("/admin/complaints/complaint/").status_code == 200  # looked at only
    superuser = people.admin
    assert client.get(f"/admin/accounts/user/{superuser.pk}/password/").status_code == 403
    # editing a colleague cannot hand out superuser status or permissions
    qa = people.qa
    page = client.get(f"/admin/accounts/user/{qa.pk}/change/")
    assert page.status_code == 200
    assert "is_superuser" not in page.context["adminform"].form.fields


def test_a_role_changed_in_the_admin_opens_or_closes_the_admin_site(people, defaults):
    superuser = Client()
    superuser.force_login(people.admin)
    qa = people.qa
    assert not qa.is_staff and not qa.has_perm("policies.change_clockpolicy")

    def change_role(role: str) -> None:
        url = f"/admin/accounts/user/{qa.pk}/change/"
        response = superuser.post(url, {**form_data(superuser.get(url)), "role": role})
        assert response.status_code == 302, response.context["adminform"].form.errors
        qa.refresh_from_db()

    change_role("admin")
    qa = User.objects.get(pk=qa.pk)  # permissions are cached on the instance
    assert qa.is_staff and qa.has_perm("policies.change_clockpolicy")
    assert not qa.has_perm("auth.change_group")
    change_role("qa")
    qa = User.objects.get(pk=qa.pk)
    assert not qa.is_staff and not qa.has_perm("policies.change_clockpolicy")


# ------------------------------------------------------------------ staff phone numbers


def test_a_staff_phone_is_stored_as_every_entrance_stores_one(defaults):
    call_command(
        "user", "create", "zhao_vp", "--role", "executive", "--phone", "139-0000-0007",
    )  # fmt: skip
    assert User.objects.get(username="zhao_vp").phone == "+8613900000007"
    with pytest.raises(CommandError, match="abc"):
        call_command("user", "create", "qian", "--role", "executive", "--phone", "abc")
    assert not User.objects.filter(username="qian").exists()


def test_the_admin_refuses_a_staff_phone_that_is_not_a_number_and_normalises_one(people):
    superuser = Client()
    superuser.force_login(people.admin)
    qa = people.qa
    url = f"/admin/accounts/user/{qa.pk}/change/"

    refused = superuser.post(url, {**form_data(superuser.get(url)), "phone": "=2+5"})
    assert refused.status_code == 200
    assert "phone" in refused.context["adminform"].form.errors
    taken = superuser.post(url, {**form_data(superuser.get(url)), "phone": "010-1234 5678"})
    assert taken.status_code == 302

    qa.refresh_from_db()
    assert qa.phone == "+861012345678"


# ------------------------------------------------------------------ what the admin role cannot take


def config_person() -> User:
    call_command("user", "create", "li_config", "--role", "admin", "--password", "Kesu-config-2026")
    return User.objects.get(username="li_config")


def test_a_revoked_token_cannot_be_brought_back_in_the_admin(people):
    config_person()
    raw = create_token(people.admin)  # a superuser's token
    token = ApiToken.objects.get(prefix=raw[3:11])
    revoke_token(token)
    for client in (_admin_client("li_config"), _logged_in(people.admin)):
        url = f"/admin/accounts/apitoken/{token.pk}/change/"
        page = client.get(url)
        assert page.status_code == 200
        data = {**form_data(page), "revoked_at_0": "", "revoked_at_1": ""}
        client.post(url, data)
        token.refresh_from_db()
        assert token.revoked_at is not None
    forget()
    assert not works(raw)


def test_the_admin_role_revokes_a_token_with_the_admin_action(people):
    config_person()
    raw, other = create_token(people.qa), create_token(people.qa)
    token = ApiToken.objects.get(prefix=raw[3:11])
    client = _admin_client("li_config")
    response = client.post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}
    )
    assert response.status_code == 302
    assert not works(raw) and works(other)  # at once, in this process


def test_the_admin_role_cannot_take_anothers_authority_or_raise_its_own(people):
    me = config_person()
    other_admin = create_user("he_config", role=Role.ADMIN, password="Kesu-config-2026")
    client = _admin_client("li_config")
    for person in (people.executive, other_admin, people.admin):
        url = f"/admin/accounts/user/{person.pk}/password/"
        response = client.post(url, {"password1": "An0ther-pass!", "password2": "An0ther-pass!"})
        assert response.status_code == 403, person
        person.refresh_from_db()
        assert not person.check_password("An0ther-pass!")

    # its own role and an executive's role and active status stay as they are
    for person, changes in (
        (me, {"role": "executive"}),
        (people.executive, {"role": "handler", "is_active": ""}),
        (other_admin, {"role": "qa", "is_active": ""}),
    ):
        url = f"/admin/accounts/user/{person.pk}/change/"
        page = client.get(url)
        assert page.status_code == 200
        assert "role" not in page.context["adminform"].form.fields
        data = {k: v for k, v in {**form_data(page), **changes}.items() if v != ""}
        assert client.post(url, data).status_code == 302
        before = person.role
        person.refresh_from_db()
        assert person.role == before and person.is_active and not person.is_superuser

    # nobody is made an executive or an administrator by it
    url = f"/admin/accounts/user/{people.qa.pk}/change/"
    refused = client.post(url, {**form_data(client.get(url)), "role": "executive"})
    assert "role" in refused.context["adminform"].form.errors
    added = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "new_boss",
            "usable_password": "true",
            "password1": "An0ther-pass!",
            "password2": "An0ther-pass!",
            "role": "admin",
        },
    )
    assert "role" in added.context["adminform"].form.errors
    assert not User.objects.filter(username="new_boss").exists()


def test_the_admin_role_still_manages_other_people(people):
    config_person()
    client = _admin_client("li_config")
    qa = people.qa
    url = f"/admin/accounts/user/{qa.pk}/password/"
    response = client.post(
        url, {"password1": "An0ther-pass!", "password2": "An0ther-pass!", "usable_password": "true"}
    )
    assert response.status_code == 302
    qa.refresh_from_db()
    assert qa.check_password("An0ther-pass!")
    url = f"/admin/accounts/user/{qa.pk}/change/"
    assert client.post(url, {**form_data(client.get(url)), "role": "intake"}).status_code == 302
    qa.refresh_from_db()
    assert qa.role == Role.INTAKE


def test_every_change_of_role_says_who_changed_it_from_what_to_what(people):
    me = config_person()
    superuser = _logged_in(people.admin)
    url = f"/admin/accounts/user/{me.pk}/change/"
    response = superuser.post(url, {**form_data(superuser.get(url)), "role": "executive"})
    assert response.status_code == 302
    entry = LogEntry.objects.filter(object_id=str(me.pk)).latest("action_time")
    assert entry.user == people.admin
    message = entry.get_change_message()
    assert re.search(r"“[^”]+ \(admin\)”.*“[^”]+ \(executive\)”", message), message
    history = superuser.get(f"/admin/accounts/user/{me.pk}/history/").content.decode()
    assert "(executive)”" in history


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_only_the_admin_role_may_act_on_held_mail(defaults, role):
    me = config_person()
    assert User.objects.get(pk=me.pk).has_perm("mail.change_inboundmail")
    other = create_user(f"x_{role}", role=role, department=Department.objects.first())
    assert not other.has_perm("mail.change_inboundmail")


def test_a_token_never_starts_with_a_dash_which_a_command_line_takes_for_an_option(people, capsys):
    from unittest import mock

    bodies = iter(["-dashfirst" + "x" * 33, "okfirst" + "y" * 36])
    with mock.patch("kesu.accounts.actions.secrets.token_urlsafe", lambda n: next(bodies)):
        _id, raw = make_token(capsys, people.intake.username)
    assert raw.startswith("ks_okfirst")
    revoke(capsys, raw[3:7])
    assert not works(raw)
