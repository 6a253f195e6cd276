"""Notification configuration: e-mail settings from the environment, webhook shapes and
signatures, administrators' wording. Pure functions, plus the template row's validation."""

import base64
import hashlib
import hmac

import pytest
from django.core.exceptions import ValidationError

from kesu.envconfig import ConfigError
from kesu.notifications import webhooks
from kesu.notifications.conf import CONSOLE, SMTP, email_settings, parse_email_url
from kesu.notifications.models import DepartmentWebhook, NotificationTemplate
from kesu.notifications.templates import DEFAULTS, render

EMAIL_VARIABLES = (
    "KESU_EMAIL_URL",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "DEFAULT_FROM_EMAIL",
)


@pytest.fixture
def env(monkeypatch):
    for name in EMAIL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_without_mail_settings_messages_go_to_the_console(env):
    settings = email_settings()
    assert settings["EMAIL_BACKEND"] == CONSOLE
    assert settings["DEFAULT_FROM_EMAIL"] == "kesu@localhost"


def test_an_email_url_names_server_account_and_tls(env):
    env.setenv("KESU_EMAIL_URL", "smtp://kesu%40corp.cn:p%40ss@smtp.corp.cn:587?tls=true")
    env.setenv("DEFAULT_FROM_EMAIL", "客诉系统 <kesu@corp.cn>")
    settings = email_settings()
    assert settings == {
        **settings,
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": "smtp.corp.cn",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "kesu@corp.cn",
        "EMAIL_HOST_PASSWORD": "p@ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "DEFAULT_FROM_EMAIL": "客诉系统 <kesu@corp.cn>",
    }


def test_smtps_means_implicit_tls_on_465():
    settings = parse_email_url("smtps://u:p@mail.example.com")
    assert (settings["EMAIL_PORT"], settings["EMAIL_USE_SSL"], settings["EMAIL_USE_TLS"]) == (
        465,
        True,
        False,
    )


def test_email_host_variables_work_without_a_url(env):
    env.setenv("EMAIL_HOST", "smtp.qiye.aliyun.com")
    env.setenv("EMAIL_USE_SSL", "true")
    env.setenv("EMAIL_HOST_USER", "kesu@corp.cn")
    settings = email_settings()
    assert (settings["EMAIL_BACKEND"], settings["EMAIL_PORT"], settings["EMAIL_USE_SSL"]) == (
        SMTP,
        465,
        True,
    )


@pytest.mark.parametrize(
    "url", ["ftp://mail.example.com", "smtp://", "smtp://host:port", "smtp:/nohost"]
)
def test_a_bad_email_url_fails_loudly(url):
    with pytest.raises(ConfigError, match="KESU_EMAIL_URL"):
        parse_email_url(url)


def test_tls_and_ssl_together_fail_loudly(env):
    env.setenv("EMAIL_HOST", "smtp.example.com")
    env.setenv("EMAIL_USE_SSL", "true")
    env.setenv("EMAIL_USE_TLS", "true")
    with pytest.raises(ConfigError):
        email_settings()


# ------------------------------------------------------------------------------------------


def test_wecom_and_dingtalk_get_a_text_message_generic_receivers_the_facts():
    facts = {
        "event": "accept",
        "message": "dispatched",
        "number": "KS20261100001",
        "subject": "新投诉",
        "body": "正文",
        "url": "http://kesu/complaints/KS20261100001",
    }
    for style in ("wecom", "dingtalk"):
        assert webhooks.payload(style, **facts) == {
            "msgtype": "text",
            "text": {"content": "新投诉\n正文"},
        }
    assert webhooks.payload("generic", **facts) == {
        "event": "accept",
        "message": "dispatched",
        "complaint": "KS20261100001",
        "subject": "新投诉",
        "body": "正文",
        "url": "http://kesu/complaints/KS20261100001",
    }


def test_dingtalk_signing_follows_the_robot_documentation():
    url = webhooks.dingtalk_signed(
        "https://oapi.dingtalk.com/robot/send?access_token=t", "SECx", now_ms=1700000000000
    )
    digest = hmac.new(b"SECx", b"1700000000000\nSECx", hashlib.sha256).digest()
    sign = base64.b64encode(digest).decode().replace("+", "%2B").replace("/", "%2F")
    sign = sign.replace("=", "%3D")
    assert url == (
        f"https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000&sign={sign}"
    )


def test_only_http_addresses_are_posted_to():
    with pytest.raises(webhooks.DeliveryError, match="not an http"):
        webhooks.post("file:///etc/passwd", "generic", "", {})
    hook = DepartmentWebhook(url="ftp://example.com/x", department_id=1)
    with pytest.raises(ValidationError) as refused:
        hook.full_clean(exclude=["department"])
    assert "url" in refused.value.message_dict


# ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_built_in_message_renders_with_the_facts_it_may_use():
    context = {
        "number": "KS20261100001",
        "title": "阀门渗漏",
        "category": "产品质量",
        "severity": "二级",
        "state": "已受理",
        "owner": "孙工",
        "department": "质量部",
        "due": "2026-11-21 09:30",
        "clock": "首次联系客户",
        "level": 2,
        "comment": "已发货",
        "actor": "王客服",
        "url": "http://127.0.0.1:8000/complaints/KS20261100001",
    }
    for code in DEFAULTS:
        for language in ("zh-hans", "en"):
            message = render(code, context, language)
            assert "KS20261100001" in message.subject + message.body, code
            assert "{{" not in message.subject + message.body
            assert "\n" not in message.subject


def test_a_template_row_with_broken_syntax_is_refused_by_the_admin_form():
    row = NotificationTemplate(
        code="quality_notice", language="zh-hans", subject="{% if %}", body="{{ number }"
    )
    with pytest.raises(ValidationError) as refused:
        row.clean()
    assert set(refused.value.message_dict) == {"subject"}
    row.subject = "质量投诉 {{ number }}"
    row.clean()


def test_a_misspelt_flag_in_the_email_url_fails_loudly():
    from kesu.envconfig import ConfigError
    from kesu.notifications.conf import parse_email_url

    with pytest.raises(ConfigError):
        parse_email_url("smtp://mail.example.com?tls=ture")
