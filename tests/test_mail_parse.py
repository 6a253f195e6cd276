"""Reading incoming mail (kesu.mail.parse): charsets, structure, quotes, nature and refusals.

Three kinds of input: the client-shaped files in tests/mail_samples (see its README), raw byte
strings written here the way clients send them (8-bit headers, RFC 2231 names, broken encoded
words), and messages built with the stdlib `EmailMessage` for structures that are tedious to
write by hand. No database.
"""

import base64
import random
import tracemalloc
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from kesu.mail.parse import (
    MailFile,
    MailParseError,
    Nature,
    ParsedMail,
    Verdicts,
    decode_text,
    html_to_text,
    parse,
    strip_quoted,
    subject_topic,
)
from tests.mail_messages import cms_compressed, cms_signed, with_smime_part

SAMPLES = Path(__file__).parent / "mail_samples"
KEFU = "kefu@kesu.example.cn"
BEIJING = timezone(timedelta(hours=8))


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def raw_mail(head: str, body: bytes | str = b"") -> bytes:
    """A message from a header block written with \\n (sent as CRLF, 8-bit as UTF-8) and a body."""
    if isinstance(body, str):
        body = body.encode()
    return head.strip("\n").replace("\n", "\r\n").encode() + b"\r\n\r\n" + body


def b64(data: bytes) -> bytes:
    text = base64.b64encode(data)
    return b"\r\n".join(text[i : i + 76] for i in range(0, len(text), 76)) + b"\r\n"


def encoded_word(text: str, charset: str) -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


def is_gbk_only(text: str) -> bool:
    try:
        text.encode("gb2312")
    except UnicodeEncodeError:
        text.encode("gbk")
        return True
    return False


def built(
    subject: str = "冰箱漏水",
    body: str = "冰箱漏水，请尽快上门。",
    sender: str = "张三 <zhangsan@163.com>",
    **headers: str,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = KEFU
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2026, 11, 20, 10, 0, tzinfo=BEIJING))
    message["Message-ID"] = "<built-1@163.com>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


# ---------------------------------------------------------------------------------------------
# Client-shaped samples


def test_foxmail_gbk_quoted_printable_labelled_gb2312_with_gbk_only_characters():
    mail = parse(sample("foxmail_gbk_qp_attachment.eml"))

    assert is_gbk_only("镕") and is_gbk_only("瑨")
    assert "我是朱镕基路88弄3号的住户张三。" in mail.text
    assert "维修师傅王瑨说要等配件，已经等了五天……" in mail.text
    assert "<div>" not in mail.text  # the plain alternative won over the HTML one
    assert mail.subject == "冰箱漏水，地板泡坏"
    assert (mail.sender_name, mail.sender_email) == ("张三", "zhangsan@163.com")
    assert mail.to == (KEFU,)
    assert mail.message_id == "202611201012312301234@163.com"
    assert mail.date == datetime(2026, 11, 20, 10, 12, 31, tzinfo=BEIJING)
    assert mail.nature is Nature.PERSONAL
    [photo] = mail.files
    assert photo.name == "漏水照片.jpg"  # name="=?gb2312?B?...?=", as Foxmail sends it
    assert photo.content_type == "image/jpeg"
    assert photo.data.startswith(b"\xff\xd8\xff\xe0") and photo.data.endswith(b"\xff\xd9")


def test_qqmail_reply_in_gb18030_base64_is_threaded_and_cut_at_the_qq_marker():
    mail = parse(sample("qqmail_reply_gb18030.eml"))

    assert mail.sender_name == "李䶮"  # GB18030-only: not in GBK
    assert mail.sender_email == "1234567@qq.com"
    assert mail.subject == "回复：[KS-2026-00123] 冰箱漏水"
    assert "“𠮷”" in mail.text  # a four-byte GB18030 sequence
    assert "原始邮件" in mail.text
    assert mail.reply_text == (
        "师傅今天上午来过了，但是没有修好，冰箱还是漏水。\n请再安排一次，周末都在家。\n\n"
        "李䶮（身份证上是“𠮷”字旁的那个李䶮）"
    )
    assert mail.in_reply_to == ("kesu-notice-123.1763634600@kesu.example.cn",)
    assert mail.references == (
        "kesu-ks-2026-00123@kesu.example.cn",
        "kesu-notice-123.1763634600@kesu.example.cn",
    )
    assert mail.files == ()


def test_outlook_chinese_reply_is_cut_at_the_sender_block():
    mail = parse(sample("outlook_zh_reply.eml"))

    assert mail.subject == "答复: [KS-2026-00124] 洗衣机噪音"
    assert mail.sender_email == "wangwu@example-corp.cn"  # sent as WangWu@Example-Corp.cn
    assert mail.reply_text == (
        "收到，谢谢。明天上午9点前我都在家。\n\n另外洗衣机脱水时的噪音越来越大了，"
        "请师傅一并检查。\n\n王五"
    )
    assert "维修人员将于明天上午上门" in mail.text
    assert mail.date == datetime(2026, 11, 23, 2, 15, 44, tzinfo=UTC)
    assert mail.message_id.startswith("SG2PR06MB51236A7C1E2D9F0B3A4C8E7D1F2AB@")


def test_outlook_express_big5_8bit_body_with_a_hong_kong_character():
    mail = parse(sample("outlook_express_big5_8bit.eml"))

    assert mail.subject == "浴室漏水，牆身裂縫"
    assert mail.sender_name == "陳大文"
    assert "浴室天花板漏水，牆身出現裂縫。" in mail.text
    assert "裏面的喉管好像破了，功能完全失效。" in mail.text  # 裏 is HKSCS; 功 ends in 0x5C


def test_gmail_chinese_reply_with_the_attribution_wrapped_onto_two_lines():
    mail = parse(sample("gmail_zh_reply.eml"))

    assert mail.subject == "Re: [KS-2026-00125] 空调不制冷"
    assert mail.sender_name == "Zhao Liu"
    assert mail.message_id == "CAKx9N7=qW3r+Ty_Ui8oP-aS1dF2gH3jK4lZ5xC6vB7nM8@mail.gmail.com"
    assert mail.text.startswith("好的，周四下午在家。\n\n在 2026年11月24日周二 10:00，")
    assert mail.reply_text == "好的，周四下午在家。"


def test_exchange_out_of_office_is_an_auto_reply():
    mail = parse(sample("exchange_out_of_office_zh.eml"))

    assert mail.nature is Nature.AUTO_REPLY
    assert mail.subject == "自动答复: [KS-2026-00126] 热水器漏电"
    assert mail.in_reply_to == ("kesu-notice-126.1764205200@kesu.example.cn",)


def test_postfix_delivery_status_notification_is_a_bounce():
    mail = parse(sample("postfix_dsn.eml"), own_addresses=[KEFU])

    assert mail.nature is Nature.BOUNCE
    assert mail.sender_email == "mailer-daemon@mx.kesu.example.cn"
    assert mail.sender_name == "Mail Delivery System"
    assert mail.text.startswith("This is the mail system at host mx.kesu.example.cn.")
    assert [f.content_type for f in mail.files] == [
        "message/delivery-status",
        "text/rfc822-headers",
    ]
    assert all(f.name.startswith("attachment-") for f in mail.files)
    assert b"Final-Recipient: rfc822; nobody@example.cn" in mail.files[0].data


def test_chinese_system_bounce_with_a_null_return_path():
    raw = sample("system_bounce_zh.eml")
    mail = parse(raw)

    assert mail.subject == "系统退信"
    assert mail.sender_name == "系统管理员"
    assert mail.nature is Nature.BOUNCE
    assert "您发送的邮件未能送达以下收件人" in mail.text
    with_return_path = raw.replace(b"Return-Path: <>", b"Return-Path: <notice@mail.example.cn>")
    assert parse(with_return_path).nature is Nature.PERSONAL


# ---------------------------------------------------------------------------------------------
# Bodies


def test_plain_utf8_message():
    mail = parse(built(body="您好，\n\n冰箱漏水，请尽快上门。\n").as_bytes())

    assert mail.content_key.startswith("sha256-") and mail.content_key.endswith("@kesu.invalid")
    assert mail == ParsedMail(
        message_id="built-1@163.com",
        content_key=mail.content_key,
        in_reply_to=(),
        references=(),
        subject="冰箱漏水",
        sender_name="张三",
        sender_email="zhangsan@163.com",
        to=(KEFU,),
        date=datetime(2026, 11, 20, 10, 0, tzinfo=BEIJING),
        text="您好，\n\n冰箱漏水，请尽快上门。",
        reply_text="您好，\n\n冰箱漏水，请尽快上门。",
        files=(),
        nature=Nature.PERSONAL,
        from_addresses=("zhangsan@163.com",),
        topic="冰箱漏水",
    )


def test_html_only_message_becomes_readable_text():
    html = (
        "<html><head><title>投诉</title><style>p { color: red; }</style>"
        "<script>var x = '<p>no</p>';</script></head><body>"
        "<p>您好：</p><p>冰箱&nbsp;漏水 &amp; 噪音&lt;很大&gt;，&#x8BF7;尽快处理。<br>"
        "型号：BCD-520<br/>地址：上海市</p>\n\n<div>张三</div></body></html>"
    )
    raw = raw_mail(
        """
From: zhangsan@163.com
To: kefu@kesu.example.cn
Subject: =?utf-8?B?5oqV6K+J?=
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: base64
""",
        b64(html.encode("utf-8")),
    )
    mail = parse(raw)

    assert mail.text == (
        "您好：\n\n冰箱 漏水 & 噪音<很大>，请尽快处理。\n型号：BCD-520\n地址：上海市\n\n张三"
    )
    assert mail.subject == "投诉"


def test_html_to_text_lists_tables_and_blank_lines():
    html = (
        "<div>第一行</div><div><br></div><div>第二行</div>"
        "<ul><li>漏水</li><li>噪音</li></ul>"
        "<table><tr><td>型号</td><td>BCD-520</td></tr><tr><td>数量</td><td>1</td></tr></table>"
        "<!-- 注释 --><pre>  保留  空格</pre>末尾"
    )
    assert html_to_text(html) == (
        "第一行\n\n第二行\n\n- 漏水\n- 噪音\n\n型号 BCD-520\n数量 1\n\n保留  空格\n\n末尾"
    )


def test_html_to_text_survives_broken_markup():
    assert html_to_text("<p>冰箱<b>漏水<div x='1'>请处理</p></i>&bogus; <") == (
        "冰箱漏水\n请处理\n\n&bogus; <"
    )


def test_html_only_body_without_charset_label_uses_the_meta_tag():
    html = '<html><head><meta charset="gbk"></head><body>冰箱漏水</body></html>'
    raw = raw_mail(
        """
From: zhangsan@163.com
Subject: test
Content-Type: text/html
Content-Transfer-Encoding: 8bit
""",
        html.encode("gbk"),
    )
    assert parse(raw).text == "冰箱漏水"


@pytest.mark.parametrize("encoding", ["base64", "quoted-printable"])
def test_gbk_body_labelled_gb2312(encoding):
    body = "朱镕基路的王瑨先生反映：热水器漏电。"
    data = body.encode("gbk")
    encoded = b64(data) if encoding == "base64" else quopri_encode(data)
    raw = raw_mail(
        f"""
From: wangjin@example.cn
Subject: =?GB2312?B?yMjLrsb3wqm15w==?=
Content-Type: text/plain; charset=GB2312
Content-Transfer-Encoding: {encoding}
""",
        encoded,
    )
    assert parse(raw).text == body


def quopri_encode(data: bytes) -> bytes:
    import quopri

    return quopri.encodestring(data).replace(b"\n", b"\r\n")


def test_alternative_prefers_plain_but_falls_back_to_html_when_plain_is_empty():
    message = built(body="纯文本正文")
    message.add_alternative("<p>HTML 正文</p>", subtype="html")
    assert parse(message.as_bytes()).text == "纯文本正文"

    empty_plain = built(body="\n")
    empty_plain.add_alternative("<p>HTML 正文</p>", subtype="html")
    assert parse(empty_plain.as_bytes()).text == "HTML 正文"


def test_mixed_with_nested_alternative_and_a_pdf():
    message = built(body="正文见下")
    message.add_alternative("<p>正文见下</p>", subtype="html")
    message.add_attachment(b"%PDF-1.4 fake", maintype="application", subtype="pdf")
    mail = parse(message.as_bytes())

    assert mail.text == "正文见下"
    assert mail.files == (MailFile("attachment-1.pdf", "application/pdf", b"%PDF-1.4 fake"),)


def test_inline_image_in_multipart_related_is_a_file():
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(40))
    message = built(body="照片如下")
    message.add_alternative('<p>照片如下</p><img src="cid:photo1@163.com">', subtype="html")
    html_part = message.get_payload()[1]
    html_part.add_related(png, maintype="image", subtype="png", cid="<photo1@163.com>")
    mail = parse(message.as_bytes())

    assert mail.text == "照片如下"
    assert mail.files == (MailFile("attachment-1.png", "image/png", png),)


def test_attached_message_is_a_file_named_after_its_subject():
    inner = built(subject="转发：冰箱发票", body="发票号 12345")
    outer = built(subject="投诉材料", body="见附件邮件")
    outer.add_attachment(inner)
    mail = parse(outer.as_bytes())

    assert mail.text == "见附件邮件"
    [attached] = mail.files
    assert attached.name == "转发：冰箱发票.eml"
    assert attached.content_type == "message/rfc822"
    assert parse(attached.data).text == "发票号 12345"


def test_base64_encoded_attached_message_is_decoded():
    inner = built(subject="原始投诉", body="第一封").as_bytes()
    raw = raw_mail(
        """
From: zhangsan@163.com
Subject: see attached
Content-Type: multipart/mixed; boundary="m"
""",
        b"--m\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--m\r\n"
        b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + b64(inner)
        + b"--m--\r\n",
    )
    [attached] = parse(raw).files
    assert attached.name == "原始投诉.eml"
    assert parse(attached.data).text == "第一封"


def test_inline_text_parts_around_an_image_are_joined():
    raw = raw_mail(
        """
From: zhangsan@163.com
Subject: =?utf-8?B?54Wn54mH?=
Content-Type: multipart/mixed; boundary="apple"
""",
        "--apple\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n照片一：\r\n"
        "--apple\r\nContent-Type: image/heic\r\nContent-Disposition: inline\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\nAAAA\r\n"
        "--apple\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n就是这里漏水。\r\n"
        "--apple--\r\n".encode(),
    )
    mail = parse(raw)
    assert mail.text == "照片一：\n就是这里漏水。"
    assert [(f.name, f.data) for f in mail.files] == [("attachment-1.heic", b"\x00\x00\x00")]


def test_html_with_an_unclosed_head_still_has_a_body():
    assert html_to_text("<html><head><title>t</title><body><p>冰箱漏水</p>") == "冰箱漏水"


def test_format_flowed_plain_text_is_unwrapped():
    raw = raw_mail(
        """
From: zhangsan@163.com
Subject: flowed
Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes
Content-Transfer-Encoding: 8bit
""",
        "冰箱从上周开始 \r\n漏水。\r\n> 引用 \r\n> 继续\r\n".encode(),
    )
    assert parse(raw).text == "冰箱从上周开始漏水。\n> 引用继续"


def test_unknown_charset_label_still_decodes():
    utf8 = raw_mail(
        """
From: zhangsan@163.com
Subject: charset
Content-Type: text/plain; charset="x-unknown"
Content-Transfer-Encoding: 8bit
""",
        "洗衣机噪音".encode(),
    )
    gbk = utf8.replace("洗衣机噪音".encode(), "洗衣机噪音".encode("gbk"))
    assert parse(utf8).text == "洗衣机噪音"
    assert parse(gbk).text == "洗衣机噪音"


# ---------------------------------------------------------------------------------------------
# Charsets


@pytest.mark.parametrize(
    ("data", "charset", "expected"),
    [
        ("朱镕基".encode("gbk"), "gb2312", "朱镕基"),
        ("王瑨".encode("gbk"), "GB_2312-80", "王瑨"),
        ("李䶮𠮷".encode("gb18030"), "GB18030", "李䶮𠮷"),
        ("李䶮".encode("gb18030"), "gbk", "李䶮"),
        ("漏水，裂縫".encode("big5"), "big5", "漏水，裂縫"),
        ("裏面漏水".encode("big5hkscs"), "big5", "裏面漏水"),
        ("漏水".encode(), None, "漏水"),
        ("冰箱漏水".encode("gbk"), None, "冰箱漏水"),
        ("冰箱漏水".encode("gbk"), "utf-8", "冰箱漏水"),
        ("漏水".encode(), "us-ascii", "漏水"),
        ("冰箱漏水".encode("gbk"), "x-unknown", "冰箱漏水"),
        ("冰箱".encode("utf-16"), "utf-16", "冰箱"),
        ("\ufeff漏水".encode(), "utf-8", "漏水"),
        (b"caf\xe9", "iso-8859-1", "café"),
    ],
)
def test_decode_text(data, charset, expected):
    assert decode_text(data, charset) == expected


@pytest.mark.parametrize("charset", [None, "gb2312", "big5", "utf-8", "x-unknown", "base64", ""])
def test_decode_text_never_raises(charset):
    garbage = random.Random(7).randbytes(2048)
    assert isinstance(decode_text(garbage, charset), str)


# ---------------------------------------------------------------------------------------------
# Headers


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("=?GB2312?B?sfnP5MKpy66jrLXYsOXF3bu1?=", "冰箱漏水，地板泡坏"),
        ("=?gbk?Q?=CF=B4=D2=C2=BB=FA=D4=EB=D2=F4?=", "洗衣机噪音"),
        ("=?gbk?q?=D6=EC=E9F=BB=F9_=C2=B7?=", "朱镕基 路"),
        ("=?big5?B?r0Ss+7p8pPQ=?=", "浴缸漏水"),
        ("=?utf-8?B?5Yaw566x?=\n =?utf-8?B?5ryP5rC0?=", "冰箱漏水"),  # folded
        ("Re: =?GB2312?B?sfnP5A==?= =?GB2312?B?wqnLrg==?= (urgent)", "Re: 冰箱漏水 (urgent)"),
        ("=?GBK?B?sfnP5MI=?= =?GBK?B?qcuu?=", "冰箱漏水"),  # 漏 split across two words
        ("=?utf-8?Q?=E7=A9=BA=E8=B0=83?= =?gb2312?B?sru/qsb0?=", "空调不开启"),
        ("=?UTF-8*zh?B?5oqV6K+J?=", "投诉"),
        ("=?gb2312?B?!!!not base64?= 冰箱", "=?gb2312?B?!!!not base64?= 冰箱"),
        ("=?x-unknown?B?5oqV6K+J?=", "投诉"),
        ("  plain\tASCII  subject ", "plain ASCII subject"),
    ],
)
def test_encoded_subjects(subject, expected):
    raw = raw_mail(f"From: zhangsan@163.com\nSubject: {subject}\nContent-Type: text/plain", "x")
    assert parse(raw).subject == expected


def test_raw_8bit_gbk_and_utf8_headers_are_decoded():
    gbk = (
        b"From: \xd5\xc5\xc8\xfd <zhangsan@163.com>\r\n"
        b"Subject: \xb1\xf9\xcf\xe4\xc2\xa9\xcb\xae\r\n"
        b"Content-Type: text/plain; charset=gbk\r\n\r\n" + "正文".encode("gbk")
    )
    utf8 = (
        "From: 张三 <zhangsan@163.com>\r\nSubject: 冰箱漏水\r\n"
        "Content-Type: text/plain; charset=gbk\r\n\r\n"
    ).encode() + "正文".encode("gbk")
    for raw in (gbk, utf8):
        mail = parse(raw)
        assert (mail.sender_name, mail.subject, mail.text) == ("张三", "冰箱漏水", "正文")


@pytest.mark.parametrize(
    ("from_header", "name", "address"),
    [
        ('"=?gbk?Q?=D5=C5=C8=FD?=" <ZhangSan@163.COM>', "张三", "zhangsan@163.com"),
        ("=?GB2312?B?1cXI/Q==?=<zhangsan@163.com>", "张三", "zhangsan@163.com"),
        ("=?utf-8?B?5byg5LiJ?= <zhangsan@163.com>", "张三", "zhangsan@163.com"),
        ('"Zhang, San" <zhangsan@163.com>', "Zhang, San", "zhangsan@163.com"),
        ("zhangsan@163.com (Zhang San)", "Zhang San", "zhangsan@163.com"),
        ("zhangsan@163.com", "", "zhangsan@163.com"),
        ("=?utf-8?B?5byg5LiJ?=", "张三", ""),
        ("=?utf-8?B?5byg5LiJIDx6aGFuZ3NhbkAxNjMuY29tPg==?=", "张三", "zhangsan@163.com"),
    ],
)
def test_sender_name_and_address(from_header, name, address):
    raw = raw_mail(f"From: {from_header}\nSubject: s\nContent-Type: text/plain", "x")
    mail = parse(raw)
    assert (mail.sender_name, mail.sender_email) == (name, address)


def test_to_addresses_are_lower_case_and_unique():
    raw = raw_mail(
        """
From: zhangsan@163.com
To: =?gb2312?B?v827p7f+zvE=?= <KeFu@Kesu.Example.CN>, "Li, Si" <lisi@example.cn>,
 kefu@kesu.example.cn
Subject: s
""",
        "x",
    )
    assert parse(raw).to == (KEFU, "lisi@example.cn")


def test_reply_threading_headers():
    raw = raw_mail(
        """
From: zhangsan@163.com
Subject: =?utf-8?B?5Zue5aSN77ya5Yaw566x?=
Message-ID:
 <reply-1@163.com>
In-Reply-To: <notice-7@kesu.example.cn> (Customer Service's message of Fri)
References: <ks-1@kesu.example.cn>
 <notice-3@kesu.example.cn>
	<notice-7@kesu.example.cn> <notice-3@kesu.example.cn>
""",
        "好的",
    )
    mail = parse(raw)
    assert mail.message_id == "reply-1@163.com"
    assert mail.in_reply_to == ("notice-7@kesu.example.cn",)
    assert mail.references == (
        "ks-1@kesu.example.cn",
        "notice-3@kesu.example.cn",
        "notice-7@kesu.example.cn",
    )


def test_ids_without_angle_brackets():
    raw = raw_mail(
        "From: a@b.cn\nSubject: s\nMessage-ID: bare-id@163.com\nReferences: x1@a.cn x2@a.cn",
        "x",
    )
    mail = parse(raw)
    assert (mail.message_id, mail.references) == ("bare-id@163.com", ("x1@a.cn", "x2@a.cn"))


def test_missing_message_id_is_derived_from_the_content():
    raw = raw_mail("From: zhangsan@163.com\nSubject: 无编号", "正文".encode())
    first, again = parse(raw), parse(raw)
    other = parse(raw + b"!")

    assert first.message_id.startswith("sha256-") and first.message_id.endswith("@kesu.invalid")
    assert len(first.message_id) == len("sha256-") + 64 + len("@kesu.invalid")
    assert first.message_id == again.message_id
    assert other.message_id != first.message_id


@pytest.mark.parametrize(
    ("date_header", "expected"),
    [
        ("Fri, 20 Nov 2026 10:00:00 +0800 (CST)", datetime(2026, 11, 20, 10, tzinfo=BEIJING)),
        ("20 Nov 2026 02:00:00 -0000", datetime(2026, 11, 20, 2, tzinfo=UTC)),
        ("2026-11-20 10:00:00 +0800", datetime(2026, 11, 20, 10, tzinfo=BEIJING)),
        ("星期五, 20 十一月 2026 10:00:00", None),
        ("Fri, 45 Foo 2026 99:99:99 +0800", None),
        ("2026-11-20 10:00:00", None),
        ("", None),
    ],
)
def test_dates(date_header, expected):
    head = "From: a@b.cn\nSubject: s" + (f"\nDate: {date_header}" if date_header else "")
    parsed = parse(raw_mail(head, "x")).date
    assert parsed == expected
    assert parsed is None or parsed.tzinfo is not None


def test_garbled_raw_8bit_date_is_none():
    raw = b"From: a@b.cn\r\nSubject: s\r\nDate: \xd0\xc7\xc6\xda\xce\xe5\r\n\r\nx"
    assert parse(raw).date is None


# ---------------------------------------------------------------------------------------------
# Attachment names

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment_mail(part_headers: str, data: bytes = b"PK\x03\x04fake") -> bytes:
    return raw_mail(
        """
From: zhangsan@163.com
Subject: =?utf-8?B?6ZmE5Lu2?=
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"
""",
        (
            "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n见附件\r\n--b1\r\n".encode()
            + part_headers.strip("\n").replace("\n", "\r\n").encode("latin-1")
            + b"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + b64(data)
            + b"--b1--\r\n"
        ),
    )


@pytest.mark.parametrize(
    ("part_headers", "name"),
    [
        (  # RFC 2231 in GBK (Thunderbird with a Chinese locale, some webmails)
            f"Content-Type: {XLSX}\n"
            "Content-Disposition: attachment;\n filename*=GBK''%CE%AC%D0%DE%B5%A5.xlsx",
            "维修单.xlsx",
        ),
        (  # RFC 2231 continuations in UTF-8
            f"Content-Type: {XLSX}\nContent-Disposition: attachment;\n"
            " filename*0*=utf-8''%E7%BB%B4%E4%BF%AE;\n filename*1*=%E5%8D%95; filename*2=.xlsx",
            "维修单.xlsx",
        ),
        (  # RFC 2047 in a quoted name, GB2312 (Outlook, Foxmail, QQ Mail)
            f'Content-Type: {XLSX};\n name="=?GB2312?B?zqzQ3rWlLnhsc3g=?="\n'
            'Content-Disposition: attachment;\n filename="=?GB2312?B?zqzQ3rWlLnhsc3g=?="',
            "维修单.xlsx",
        ),
        (  # RFC 2047 in UTF-8, on Content-Type only
            f'Content-Type: {XLSX}; name="=?utf-8?B?57u05L+u5Y2VLnhsc3g=?="',
            "维修单.xlsx",
        ),
        (  # both forms: RFC 2231 wins
            f"Content-Type: {XLSX}\nContent-Disposition: attachment;"
            " filename=\"weixiudan.xlsx\";\n filename*=UTF-8''%E7%BB%B4%E4%BF%AE%E5%8D%95.xlsx",
            "维修单.xlsx",
        ),
        (  # a Windows path is cut to its last component
            'Content-Type: application/pdf; name="C:\\Users\\zs\\Desktop\\invoice.pdf"',
            "invoice.pdf",
        ),
        ("Content-Type: application/pdf\nContent-Disposition: attachment", "attachment-1.pdf"),
        ("Content-Type: application/x-kesu-unknown", "attachment-1.bin"),
    ],
)
def test_attachment_names(part_headers, name):
    mail = parse(attachment_mail(part_headers))
    assert mail.text == "见附件"
    assert [f.name for f in mail.files] == [name]
    assert mail.files[0].data == b"PK\x03\x04fake"


def test_raw_8bit_gbk_attachment_name():
    raw = attachment_mail("").replace(
        b"\r\nContent-Transfer-Encoding: base64",
        b'Content-Type: application/msword; name="'
        + "发票.doc".encode("gbk")
        + b'"\r\nContent-Transfer-Encoding: base64',
        1,
    )
    raw = raw.replace(b"charset=utf-8", b"charset=gbk").replace("见附件".encode(), b"x")
    assert [f.name for f in parse(raw).files] == ["发票.doc"]


# ---------------------------------------------------------------------------------------------
# Quote stripping


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "好的，我明天在家等。\n\n------------------ 原始邮件 ------------------\n"
            '发件人: "客户服务中心"<kefu@kesu.example.cn>;\n'
            "发送时间: 2026年11月20日(星期五) 晚上6:30\n"
            '收件人: "张三"<zhangsan@163.com>;\n主题: 冰箱漏水\n\n张先生您好',
            "好的，我明天在家等。",
            id="qq-mail",
        ),
        pytest.param(
            "已收到发票，谢谢。\n\n-----原始邮件-----\n"
            "发件人: 客户服务中心 [mailto:kefu@kesu.example.cn] \n"
            "发送时间: 2026年11月20日 17:30\n收件人: 张三\n主题: 发票\n\n发票见附件",
            "已收到发票，谢谢。",
            id="outlook-zh-plain",
        ),
        pytest.param(
            "好的\n\n发件人：客户服务中心 <kefu@kesu.example.cn>\n"
            "日期：2026年11月20日 星期五 17:30\n"
            "收件人：张三\n主题：回复：冰箱漏水\n\n张先生您好",
            "好的",
            id="outlook-zh-block",
        ),
        pytest.param(
            "Please send the technician on Monday.\n\nBest regards,\nZhang San\n\n"
            "________________________________\n"
            "From: Customer Service <kefu@kesu.example.cn>\n"
            "Sent: Friday, November 20, 2026 5:30 PM\nTo: Zhang San <zhangsan@163.com>\n"
            "Subject: RE: [KS-2026-00123] Fridge leaking\n\nDear Mr Zhang",
            "Please send the technician on Monday.\n\nBest regards,\nZhang San",
            id="outlook-en-block",
        ),
        pytest.param(
            "Thanks.\n\n-----Original Message-----\nFrom: kefu@kesu.example.cn\nold text",
            "Thanks.",
            id="original-message",
        ),
        pytest.param(
            "好的\n\nFrom: 客服中心\nSent: Tuesday, December 1, 2026 10:00 AM\nTo: 李娜\n"
            "Subject: RE: 阀门\n\n您好",
            "好的",
            id="outlook-block-without-addresses",
        ),
        pytest.param(
            "补充信息：\nFrom: Shanghai warehouse\nDate: 2026-12-01\n到货时箱子已破损。",
            "补充信息：\nFrom: Shanghai warehouse\nDate: 2026-12-01\n到货时箱子已破损。",
            id="the-customers-own-from-and-date",
        ),
        pytest.param(
            "处理记录：\n时间：12月1日\n发件人：物业王经理\n日期：12月2日\n师傅未上门。",
            "处理记录：\n时间：12月1日\n发件人：物业王经理\n日期：12月2日\n师傅未上门。",
            id="the-customers-own-record",
        ),
        pytest.param(
            "可以。\n\n在 2026年11月20日 星期五 10:00, 张三 <a@b.cn> 写道:\n> 上门时间？",
            "可以。",
            id="gmail-zh-one-line",
        ),
        pytest.param(
            "可以。\n\n在 2026年11月20日周五 上午10:00，客户服务中心 <kefu@kesu.example.cn>\n"
            "写道：\n\n> 上门时间？\n>\n",
            "可以。",
            id="gmail-zh-wrapped",
        ),
        pytest.param(
            "OK.\n\nOn Fri, Nov 20, 2026 at 10:00 AM Zhang San <\nzhangsan@163.com> wrote:\n\n> hi",
            "OK.",
            id="gmail-en-wrapped",
        ),
        pytest.param(
            "OK.\n\nOn Fri, Nov 20, 2026 at 10:00 AM Customer Service <kefu@kesu.example.cn> "
            "wrote:\n> hi",
            "OK.",
            id="gmail-en-one-line",
        ),
        pytest.param(
            "周一可以。\n\n"
            "> 于2026年11月20日，上午10:00，客户服务中心 <kefu@kesu.example.cn> 写道：\n"
            "> \n> 请问何时方便上门？",
            "周一可以。",
            id="apple-mail-quoted-attribution",
        ),
        pytest.param(
            "周一可以。\n\n客户服务中心 <kefu@kesu.example.cn> 于2026年11月20日周五 10:00写道：\n\n"
            "> 请问何时方便上门？",
            "周一可以。",
            id="apple-mail-yu-xiedao",
        ),
        pytest.param(
            "好的，谢谢！\n \n \n \nzhangsan@163.com\n \n"
            "From: 客户服务中心\nDate: 2026-11-20 17:30\n"
            "To: zhangsan@163.com\nSubject: 回复：冰箱漏水\n冰箱漏水的事",
            "好的，谢谢！\n\n\n\nzhangsan@163.com",
            id="foxmail-en",
        ),
        pytest.param(
            "收到\n \n发件人： 客户服务中心\n发送时间： 2026-11-20 17:30\n收件人： zhangsan\n"
            "主题： 回复：冰箱漏水\n张先生您好",
            "收到",
            id="foxmail-zh",
        ),
        pytest.param(
            "同意上门时间。\n\n> 张先生您好：\n> 师傅周一上门。\n>\n\n",
            "同意上门时间。",
            id="trailing-quote",
        ),
        pytest.param(
            "请尽快处理。\n\n-- \n张三\n上海市浦东新区",
            "请尽快处理。",
            id="signature-dash-dash-space",
        ),
        pytest.param("请尽快处理。\n--\n张三", "请尽快处理。", id="signature-dash-dash"),
        pytest.param(
            "On Fri, Nov 20, 2026 at 10:00 AM Customer Service <kefu@kesu.example.cn> wrote:\n"
            "> 请问您方便的上门时间？\n\n周一上午。\n\n> 型号是多少？\n\nBCD-520。\n",
            "On Fri, Nov 20, 2026 at 10:00 AM Customer Service <kefu@kesu.example.cn> wrote:\n"
            "> 请问您方便的上门时间？\n\n周一上午。\n\n> 型号是多少？\n\nBCD-520。",
            id="interleaved-reply-is-kept",
        ),
        pytest.param(
            "我在 10:30 打电话，客服写道：\n“请耐心等待”\n然后就没人理了。",
            "我在 10:30 打电话，客服写道：\n“请耐心等待”\n然后就没人理了。",
            id="prose-with-xiedao-is-kept",
        ),
        pytest.param(
            "请看下面的转发。\n\n---------- Forwarded message ---------\n"
            "From: 物业 <wuye@example.cn>\nDate: Fri, Nov 20, 2026 at 10:00 AM\n"
            "Subject: 漏水\n\n楼上漏水\n-- \n物业",
            "请看下面的转发。\n\n---------- Forwarded message ---------\n"
            "From: 物业 <wuye@example.cn>\nDate: Fri, Nov 20, 2026 at 10:00 AM\n"
            "Subject: 漏水\n\n楼上漏水\n-- \n物业",
            id="forward-is-kept",
        ),
        pytest.param(
            "> 只有引用\r\n> 没有新内容\r\n", "> 只有引用\n> 没有新内容", id="nothing-left"
        ),
    ],
)
def test_strip_quoted(text, expected):
    assert strip_quoted(text).replace("\r\n", "\n") == expected


def test_forwarded_mail_keeps_the_whole_text():
    body = "请看下面。\n\n------------------ 原始邮件 ------------------\n发件人: 物业\n\n楼上漏水"
    mail = parse(built(subject="转发：楼上漏水", body=body).as_bytes())
    assert mail.reply_text == mail.text == body


# ---------------------------------------------------------------------------------------------
# Nature


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto_Submitted": "auto-replied (vacation)"},
        {"Auto_Submitted": "auto-notified"},
        {"X_Autoreply": "yes"},
        {"X_Autorespond": "1"},
        {"X_Auto_Reply": "true"},
        {"Precedence": "auto_reply"},
    ],
)
def test_auto_reply_by_header(headers):
    assert parse(built(**headers).as_bytes()).nature is Nature.AUTO_REPLY


@pytest.mark.parametrize(
    "subject",
    [
        "自动回复：冰箱漏水",
        "自動回覆: 冰箱漏水",
        "自动答复: [KS-2026-00123] 冰箱漏水",
        "[自动回复] 冰箱漏水",
        "Automatic reply: [KS-2026-00123] Fridge",
        "AUTO: Zhang San is out of the office",
        "Auto Reply: Fridge",
        "Auto-Reply: Fridge",
        "Autoreply: Fridge",
        "Out of Office: Fridge",
        "休假：11月30日返回",
        "休假中 张三",
    ],
)
def test_auto_reply_by_subject(subject):
    assert parse(built(subject=subject).as_bytes()).nature is Nature.AUTO_REPLY


def test_auto_reply_subject_in_encoded_gb2312():
    subject = encoded_word("自动回复: 冰箱漏水", "gb2312")
    raw = raw_mail(f"From: lisi@example.cn\nSubject: {subject}\nContent-Type: text/plain", "x")
    assert parse(raw).nature is Nature.AUTO_REPLY


@pytest.mark.parametrize(
    ("subject", "headers"),
    [
        ("休假回来发现冰箱漏水", {}),
        ("Re: 自动回复的问题", {}),
        ("冰箱漏水", {"Auto_Submitted": "no"}),
        ("冰箱漏水", {"Precedence": "first-class"}),
        ("冰箱漏水", {"sender": "noreplyer.li@163.com"}),  # a person, named like a robot
    ],
)
def test_personal_mail_is_not_an_auto_reply(subject, headers):
    mail = parse(built(subject=subject, **headers).as_bytes())
    assert (mail.nature, mail.bulk) == (Nature.PERSONAL, "")


@pytest.mark.parametrize(
    ("sender", "subject", "headers"),
    [
        ("postmaster@163.com", "系统退信", {}),
        ("Mail Delivery Subsystem <MAILER-DAEMON@googlemail.com>", "Delivery Status", {}),
        ("MAILER-DAEMON", "failure notice", {}),
        ("notice@mail.example.cn", "Undeliverable: 冰箱漏水", {"Return_Path": "<>"}),
        ("notice@mail.example.cn", "投递失败", {"Return_Path": "<>"}),
        ("notice@mail.example.cn", "邮件未送达", {"Return_Path": "<>"}),
        ("notice@mail.example.cn", "Mail delivery failed", {"Return_Path": "<>"}),
        ("system@mail.example.cn", "Message", {"X_Failed_Recipients": "nobody@example.cn"}),
        (  # a delivery report carries Auto-Submitted as well: it is still a bounce
            "postmaster@example.cn",
            "Delivery Status Notification (Failure)",
            {"Auto_Submitted": "auto-replied"},
        ),
    ],
)
def test_bounces(sender, subject, headers):
    mail = parse(built(sender=sender, subject=subject, **headers).as_bytes())
    assert mail.nature is Nature.BOUNCE


def test_null_return_path_without_a_delivery_subject_is_personal():
    mail = parse(built(subject="冰箱漏水", Return_Path="<>").as_bytes())
    assert mail.nature is Nature.PERSONAL


def test_multipart_report_delivery_status_is_a_bounce_whoever_sends_it():
    raw = raw_mail(
        """
From: relay@mail.example.cn
Subject: =?utf-8?B?6YCa55+l?=
Content-Type: multipart/report; report-type="delivery-status"; boundary="r"
""",
        b"--r\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--r\r\n"
        b"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n\r\n"
        b"Final-Recipient: rfc822; a@b.cn\r\nAction: failed\r\n\r\n--r--\r\n",
    )
    mail = parse(raw)
    assert mail.nature is Nature.BOUNCE
    assert mail.text == "failed"


def test_our_own_notification_is_a_loop_not_an_auto_reply():
    message = built(
        sender=f"客户服务中心 <{KEFU}>",
        X_Kesu_Notification="status-changed",
        Auto_Submitted="auto-generated",
    )
    assert parse(message.as_bytes()).nature is Nature.LOOP


@pytest.mark.parametrize(
    ("sender", "headers", "own"),
    [
        ("zhangsan@163.com", {"X_Loop": "kesu@kesu.example.cn"}, ()),
        ("zhangsan@163.com", {"X_Loop": "Kesu"}, ()),
        (f"客服 <{KEFU.upper()}>", {}, (KEFU,)),
        (f"客服 <{KEFU}>", {"Auto_Submitted": "auto-replied"}, (" KeFu@Kesu.Example.cn ",)),
    ],
)
def test_loops(sender, headers, own):
    mail = parse(built(sender=sender, **headers).as_bytes(), own_addresses=own)
    assert mail.nature is Nature.LOOP


def test_too_many_received_headers_is_a_loop():
    received = "".join(
        f"Received: from mx{i}.example.cn by mx{i + 1}.example.cn; "
        f"Fri, 20 Nov 2026 10:00:{i:02d} +0800\n"
        for i in range(26)
    )
    head = received + "From: zhangsan@163.com\nSubject: s"
    assert parse(raw_mail(head, "x")).nature is Nature.LOOP
    assert parse(raw_mail(head.split("\n", 1)[1], "x")).nature is Nature.PERSONAL


def test_one_own_address_passed_as_a_string():
    mail = parse(built(sender=KEFU).as_bytes(), own_addresses=KEFU)
    assert mail.nature is Nature.LOOP
    assert parse(built().as_bytes(), own_addresses=["", KEFU]).nature is Nature.PERSONAL


def test_read_receipt_is_an_auto_reply():
    raw = raw_mail(
        """
From: zhangsan@163.com
Subject: =?gb2312?B?0tG2wTogsfnP5MKpy64=?=
Content-Type: multipart/report; report-type=disposition-notification; boundary="mdn"
""",
        b"--mdn\r\nContent-Type: text/plain\r\n\r\nYour message was read.\r\n--mdn\r\n"
        b"Content-Type: message/disposition-notification\r\n\r\n"
        b"Final-Recipient: rfc822; zhangsan@163.com\r\n"
        b"Disposition: manual-action/MDN-sent-manually; displayed\r\n\r\n--mdn--\r\n",
    )
    mail = parse(raw)
    assert mail.subject == "已读: 冰箱漏水"
    assert mail.nature is Nature.AUTO_REPLY


def test_x_loop_of_someone_else_is_not_ours():
    mail = parse(built(X_Loop="helpdesk@example.cn").as_bytes(), own_addresses=[KEFU])
    assert mail.nature is Nature.PERSONAL


# ---------------------------------------------------------------------------------------------
# Refusals and what is not refused


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"\r\n\r\n  \r\n", id="blank"),
        pytest.param(random.Random(2026).randbytes(2048), id="random-bytes"),
        pytest.param(b"\x00\x01\x02PK\x03\x04" + bytes(range(256)) * 8, id="binary"),
        pytest.param(b"Hello,\r\nmy fridge leaks.\r\n", id="no-headers"),
        pytest.param(b"\r\nFrom: a@b.cn\r\nSubject: s\r\n\r\nx", id="blank-line-first"),
        pytest.param(
            b"Content-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + b64(random.Random(1).randbytes(600)),
            id="truncated-mime-fragment",
        ),
        pytest.param(
            b'Content-Type: multipart/mixed; boundary="zz"\r\n\r\n--zz\r\n'
            b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            b"AAECAwQFBgcICQ\r\n--zz\r\nContent-Type: text/plain; charset=utf-8\r\n"
            b"Content-Transfer-Encoding: 8bit\r\n\r\n" + random.Random(3).randbytes(300),
            id="truncated-multipart-all-unreadable",
        ),
        pytest.param(b"X-Garbage: 1\r\n\r\n" + bytes(range(0, 32)) * 40, id="control-bytes-body"),
    ],
)
def test_unreadable_bytes_raise_mail_parse_error(raw):
    with pytest.raises(MailParseError):
        parse(raw)


def test_mail_parse_error_is_a_value_error():
    assert issubclass(MailParseError, ValueError)


def test_sender_and_subject_with_an_empty_body_is_a_message():
    mail = parse(b"From: zhangsan@163.com\r\nSubject: =?utf-8?B?5Yaw566x?=\r\n\r\n")
    assert (mail.sender_email, mail.subject, mail.text, mail.reply_text) == (
        "zhangsan@163.com",
        "冰箱",
        "",
        "",
    )


def test_only_a_body_without_sender_or_subject_is_a_message():
    mail = parse("Content-Type: text/plain; charset=utf-8\r\n\r\n冰箱漏水".encode())
    assert (mail.sender_email, mail.text, mail.nature) == ("", "冰箱漏水", Nature.PERSONAL)


def test_mbox_from_line_is_accepted():
    raw = b"From zhangsan@163.com Fri Nov 20 10:00:00 2026\n" + built().as_bytes()
    assert parse(raw).sender_email == "zhangsan@163.com"


def test_broken_everything_except_sender_does_not_raise():
    raw = (
        b"From: =?gb2312?B?####?= <zhangsan@163.com>\r\n"
        b"Subject: =?unknown-8bit?Q?=FF=FE?=\r\n"
        b"Date: yesterday\r\n"
        b"Content-Type: multipart/mixed; boundary=\r\n"
        b"Content-Transfer-Encoding: x-uuencode-bogus\r\n\r\n"
        b"\xff\xfe\x00broken"
    )
    mail = parse(raw)
    assert mail.sender_email == "zhangsan@163.com"
    assert mail.date is None
    assert isinstance(mail.text, str)


# ---------------------------------------------------------------------------------------------
# Issue #13: mail that was lost — lists, bodies, S/MIME, recalls, duplicates, verdicts, QQ


@pytest.mark.parametrize(
    ("headers", "evidence"),
    [
        ({"Precedence": "list"}, "Precedence: list"),
        ({"Precedence": "bulk"}, "Precedence: bulk"),
        ({"Precedence": "junk"}, "Precedence: junk"),
        ({"X_Precedence": "list"}, "X-Precedence: list"),
        ({"List_Id": "客服组 <kefu.company.example>"}, "List-Id: 客服组 <kefu.company.example>"),
        (
            {"List_Post": "<mailto:kefu@company.example>"},
            "List-Post: <mailto:kefu@company.example>",
        ),
        # a ticket system or a web form's mailer: written for a person, answered by nobody
        ({"Auto_Submitted": "auto-generated"}, "Auto-Submitted: auto-generated"),
        ({"sender": "官网留言 <noreply@shop.example>"}, "From: noreply@shop.example"),
        ({"sender": "no-reply@forms.example"}, "From: no-reply@forms.example"),
        ({"sender": "DoNotReply@crm.example"}, "From: donotreply@crm.example"),
        ({"sender": "mailer@site.example"}, "From: mailer@site.example"),
    ],
)
def test_list_or_bulk_mail_is_a_persons_mail_that_must_not_be_answered(headers, evidence):
    mail = parse(built(**headers).as_bytes())

    assert mail.nature is Nature.PERSONAL  # RFC 3834: "do not answer", not "ignore"
    assert mail.bulk == evidence
    assert mail.list_address == ""


def test_personal_mail_may_be_answered():
    mail = parse(built().as_bytes())
    assert (mail.bulk, mail.list_address, mail.verdict) == ("", "", "")


@pytest.mark.parametrize(
    ("headers", "sender"),
    [
        ({"Reply_To": "李娜 <LiNa@Example.com>"}, ("李娜", "lina@example.com")),
        ({"X_Original_From": "李娜 <lina@example.com>"}, ("李娜", "lina@example.com")),
        ({}, ("李娜", "")),  # nobody but the list to answer: no address at all
    ],
)
def test_a_from_rewritten_by_a_list_is_not_the_senders_address(headers, sender):
    message = built(
        sender="'李娜' via 客服组 <kefu-group@company.example>",
        List_Id="<kefu-group.company.example>",
        **headers,
    )
    mail = parse(message.as_bytes())

    assert (mail.sender_name, mail.sender_email) == sender
    assert mail.list_address == "kefu-group@company.example"
    assert mail.bulk.startswith("List-Id")


def test_a_list_posting_from_its_own_address_gives_no_address_to_answer():
    message = built(
        sender="客服组 <kefu-group@company.example>", List_Id="<kefu-group.company.example>"
    )
    mail = parse(message.as_bytes())
    assert (mail.sender_email, mail.list_address) == ("", "kefu-group@company.example")


@pytest.mark.parametrize(
    ("sender", "headers", "trusted", "from_addresses"),
    [
        ("张三 <zhangsan@163.com>", {}, True, ("zhangsan@163.com",)),
        (
            "'李娜' via 客服组 <kefu-group@company.example>",
            {"List_Id": "<kefu-group.company.example>", "Reply_To": "lina@example.com"},
            False,
            ("kefu-group@company.example",),
        ),
        (
            "张三 <zhangsan@163.com>, 李四 <lisi@163.com>",
            {},
            False,
            ("zhangsan@163.com", "lisi@163.com"),
        ),
    ],
)
def test_only_a_from_with_one_address_of_its_own_is_the_senders_proof(
    sender, headers, trusted, from_addresses
):
    mail = parse(built(sender=sender, **headers).as_bytes())
    assert (mail.sender_trusted, mail.from_addresses) == (trusted, from_addresses)


def test_via_in_a_name_without_a_list_is_just_a_name():
    mail = parse(built(sender="Shipped via SF <li@example.cn>").as_bytes())
    assert (mail.sender_email, mail.list_address) == ("li@example.cn", "")


def test_html_body_with_a_plain_footer_added_by_a_gateway_keeps_the_body():
    raw = raw_mail(
        """
From: zhangsan@163.com
Subject: =?utf-8?B?5Yaw566x5ryP5rC0?=
Content-Type: multipart/mixed; boundary="gw"
""",
        "--gw\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        "<html><body><p>冰箱冷藏室漏水，型号BCD-520。</p><p>请尽快上门。</p></body></html>\r\n"
        "--gw\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "本邮件已经过安全网关扫描。\r\n--gw--\r\n".encode(),
    )
    mail = parse(raw)

    assert (
        mail.text == "冰箱冷藏室漏水，型号BCD-520。\n\n请尽快上门。\n\n本邮件已经过安全网关扫描。"
    )


def test_the_same_text_sent_as_plain_and_as_html_in_a_mixed_message_is_read_once():
    raw = raw_mail(
        """
From: zhangsan@163.com
Subject: x
Content-Type: multipart/mixed; boundary="twice"
""",
        "--twice\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n冰箱漏水，请上门。\r\n"
        "--twice\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>冰箱漏水，请上门。</p>\r\n"
        "--twice--\r\n".encode(),
    )
    assert parse(raw).text == "冰箱漏水，请上门。"


def test_joining_many_text_parts_compares_each_with_a_few_neighbours_only(monkeypatch):
    from kesu.mail.parse import body

    compared = []
    real = body.holds
    monkeypatch.setattr(body, "holds", lambda a, b: compared.append(1) or real(a, b))
    count = 2000
    parts = "".join(
        f"--many\r\nContent-Type: text/{'plain' if i % 2 else 'html'}; charset=us-ascii\r\n\r\n"
        f"part {i} says {i * 7919}\r\n"
        for i in range(count)
    )
    raw = raw_mail(
        """
From: zhangsan@163.com
Subject: many
Content-Type: multipart/mixed; boundary="many"
""",
        parts + "--many--\r\n",
    )
    mail = parse(raw)

    assert mail.text.count("says") == count  # every part kept, in order
    assert len(compared) <= 2 * body._NEIGHBOURS * count  # not count × count


def test_opaque_smime_signed_data_is_unwrapped_without_a_key():
    mail = parse(sample("outlook_smime_opaque_signed.eml"))

    assert mail.subject == "冰箱漏水（已签名）"
    assert (
        mail.text
        == "您好：\n我家的冰箱（型号BCD-520）冷藏室漏水，已经三天了。\n请尽快安排师傅上门。\n张三"
    )
    [photo] = mail.files
    assert photo.name == "漏水照片.jpg" and photo.data.startswith(b"\xff\xd8\xff")
    assert not mail.encrypted


def test_smime_enveloped_data_is_kept_as_a_file_and_said_to_be_encrypted():
    mail = parse(sample("outlook_smime_enveloped.eml"))

    assert mail.subject == "冰箱漏水（已加密）" and mail.sender_email == "zhangsan@example-corp.cn"
    assert mail.encrypted and mail.text == ""
    [sealed] = mail.files
    enveloped_data = b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x03"  # OID 1.2.840.113549.1.7.3
    assert sealed.name == "smime.p7m" and enveloped_data in sealed.data[:20]


SIGNED_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize(
    ("name", "content_type", "inner", "kept_as"),
    [
        (
            "contract.pdf.p7m",
            "application/pkcs7-mime; smime-type=signed-data",
            SIGNED_PDF,
            "contract.pdf",
        ),
        ("合同.docx.p7m", "application/octet-stream", b"PK\x03\x04" + bytes(60), "合同.docx"),
    ],
)
def test_a_signed_file_is_kept_as_that_file_and_the_body_as_it_was(
    name, content_type, inner, kept_as
):
    raw = with_smime_part(
        "signed-file@x.cn", cms_signed(inner), name=name, content_type=content_type
    )
    mail = parse(raw)

    assert mail.text == "请看附件中签名的合同。"  # the file's bytes are not read as the message
    [kept] = mail.files
    assert (kept.name, kept.data, kept.encrypted) == (kept_as, inner, False)
    assert not mail.encrypted


def test_a_signed_message_attached_to_another_is_a_file_not_the_body():
    inner = b"Content-Type: text/plain; charset=utf-8\r\n\r\nsomeone else's words\r\n"
    mail = parse(with_smime_part("attached@x.cn", cms_signed(inner), name="forwarded.p7m"))

    assert mail.text == "请看附件中签名的合同。"
    assert [(f.name, f.data) for f in mail.files] == [("forwarded", inner)]


@pytest.mark.parametrize(
    "data",
    [cms_signed(None), b"MIAGCSqGSIb3 not a CMS structure at all" * 3],
    ids=["certs", "junk"],
)
def test_a_certs_only_or_corrupted_pkcs7_part_is_a_file_not_an_encrypted_message(data):
    mail = parse(with_smime_part("odd@x.cn", data, name="smime.p7m"))
    assert not mail.encrypted
    [kept] = mail.files
    assert (kept.name, kept.data, kept.encrypted) == ("smime.p7m", data, False)


def test_a_compressed_smime_message_is_opened():
    inner = "Content-Type: text/plain; charset=utf-8\r\n\r\n冰箱漏水，请尽快上门。\r\n".encode()
    raw = raw_mail(
        """
From: zhangsan@163.com
Subject: compressed
Content-Type: application/pkcs7-mime; smime-type=compressed-data; name=smime.p7z
Content-Transfer-Encoding: base64
""",
        b64(cms_compressed(inner)),
    )
    mail = parse(raw)
    assert (mail.text, mail.files) == ("冰箱漏水，请尽快上门。", ())


def test_compressed_data_is_inflated_only_up_to_the_limit():
    inner = b"Content-Type: text/plain\r\n\r\n" + b"A" * (8 * 1024 * 1024)
    bomb = cms_compressed(inner)  # 8 MiB in a few kilobytes
    raw = raw_mail(
        """
From: x@example.com
Subject: z
Content-Type: application/pkcs7-mime; smime-type=compressed-data; name=smime.p7z
Content-Transfer-Encoding: base64
""",
        b64(bomb),
    )
    tracemalloc.start()
    try:
        mail = parse(raw, inflate_limit=1024 * 1024)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 4 * 1024 * 1024  # never the 8 MiB it would inflate to
    [kept] = mail.files  # left unopened: the compressed part itself, as received
    assert (kept.name, kept.data) == ("smime.p7z", bomb)
    assert "AAAA" not in mail.text


def test_a_detached_signature_is_not_a_file():
    raw = raw_mail(
        """
From: zhangsan@163.com
Subject: signed
Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="s"
""",
        b"--s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + "冰箱漏水".encode()
        + b"\r\n--s\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\n"
        b"Content-Disposition: attachment; filename=smime.p7s\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIACAQEx\r\n--s--\r\n",
    )
    mail = parse(raw)
    assert (mail.text, mail.files, mail.encrypted) == ("冰箱漏水", (), False)


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("撤回: 冰箱漏水", "张三 希望撤回邮件“冰箱漏水”。"),
        ("Recall: Fridge leaking", 'Zhang San would like to recall the message, "Fridge leaking".'),
        ("召回：冰箱漏水", "张三想要撤回此邮件。"),
    ],
)
def test_an_outlook_recall_notice_is_automatic(subject, body):
    mail = parse(built(subject=subject, body=body, Thread_Topic=subject).as_bytes())
    assert mail.nature is Nature.RECALL
    assert subject in mail.nature_evidence


def test_a_customer_who_writes_recall_in_the_subject_is_a_person():
    mail = parse(
        built(subject="撤回：上次的投诉", body="上次的投诉我想撤回，问题已经解决了。").as_bytes()
    )
    assert mail.nature is Nature.PERSONAL


def test_automatic_mail_says_which_signal_decided():
    assert parse(built(Auto_Submitted="auto-replied").as_bytes()).nature_evidence == (
        "Auto-Submitted: auto-replied"
    )
    assert parse(built(subject="自动回复：冰箱漏水").as_bytes()).nature_evidence == (
        "Subject: 自动回复：冰箱漏水"
    )
    bounce = parse(built(sender="MAILER-DAEMON@mx.example.cn").as_bytes())
    assert bounce.nature_evidence == "From: mailer-daemon@mx.example.cn"


def test_a_message_without_message_id_has_the_same_key_by_smtp_and_from_a_mailbox_file():
    message = built(body="冰箱漏水。\n请尽快上门。\n")
    del message["Message-ID"]
    crlf = message.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    lf = b"From zhangsan@163.com Fri Nov 20 10:00:00 2026\n" + crlf.replace(b"\r\n", b"\n")
    relayed = b"Received: from mx.163.com by mx.kesu.example.cn; Fri, 20 Nov 2026\r\n" + crlf

    key = parse(crlf).message_id
    assert key.startswith("sha256-") and key.endswith("@kesu.invalid")
    assert parse(lf).message_id == key == parse(relayed).message_id
    other = built(body="冰箱漏水。\n请明天上门。\n")
    del other["Message-ID"]
    assert parse(other.as_bytes()).message_id != key


def test_unreadable_bytes_have_one_key_whatever_the_line_ends():
    from kesu.mail.parse import raw_key

    crlf = b"\x00\x01 not mail \xff\r\n" * 5
    assert raw_key(crlf) == raw_key(crlf.replace(b"\r\n", b"\n")) != raw_key(b"other")


AUTH_FAIL = (  # folded by the generator, as servers fold it
    "mx.kesu.example.cn; dkim=none; spf=fail (mx.kesu.example.cn: domain of bank.example "
    "does not designate 203.0.113.9 as permitted sender) smtp.mailfrom=bank.example;"
    " dmarc=fail (p=REJECT sp=REJECT dis=NONE) header.from=bank.example"
)


@pytest.mark.parametrize(
    ("headers", "verdict"),
    [
        ({"Authentication_Results": AUTH_FAIL}, "Authentication-Results (mx.kesu.example.cn): "),
        ({"X_Spam_Flag": "YES"}, "X-Spam-Flag: YES"),
        ({"X_Spam_Status": "Yes, score=12.3 required=5.0"}, "X-Spam-Status: Yes, score=12.3"),
    ],
)
def test_the_receiving_servers_spam_and_forgery_verdicts_are_read(headers, verdict):
    mail = parse(built(**headers).as_bytes(), verdicts=Verdicts())
    assert mail.verdict.startswith(verdict)
    assert mail.nature is Nature.PERSONAL


@pytest.mark.parametrize(
    "headers",
    [
        {
            "Authentication_Results": "mx.kesu.example.cn; spf=pass smtp.mailfrom=163.com;"
            " dmarc=pass"
        },
        {"Authentication_Results": "mx.kesu.example.cn; spf=softfail; dmarc=none"},
        {"X_Spam_Flag": "NO", "X_Spam_Status": "No, score=-0.1"},
    ],
)
def test_passing_or_soft_verdicts_hold_nothing(headers):
    assert parse(built(**headers).as_bytes(), verdicts=Verdicts()).verdict == ""


def test_only_the_receiving_servers_own_authentication_results_count():
    message = built()
    message["Authentication-Results"] = "mx.kesu.example.cn; spf=pass; dmarc=pass"
    message["Authentication-Results"] = "relay.example.net; spf=fail; dmarc=fail"
    raw = message.as_bytes()
    assert parse(raw, verdicts=Verdicts()).verdict == ""  # the topmost header is the nearest
    relay = Verdicts(authserv_ids=frozenset({"relay.example.net"}))
    assert "dmarc=fail" in parse(raw, verdicts=relay).verdict


def test_by_default_only_a_failed_dmarc_holds_a_message():
    # forwarded mail fails SPF on every hop after the first: a customer's forward is not spam
    forwarded = "mx.kesu.example.cn; spf=fail smtp.mailfrom=qq.com; dkim=pass; dmarc=pass"
    assert (
        parse(built(Authentication_Results=forwarded).as_bytes(), verdicts=Verdicts()).verdict == ""
    )
    assert Verdicts().auth_failures == frozenset({"dmarc=fail"})


def test_the_configured_default_holds_on_a_failed_dmarc_only(monkeypatch):
    from kesu.mail.conf import mail_verdicts

    monkeypatch.delenv("KESU_MAIL_HOLD_AUTH", raising=False)
    assert mail_verdicts().auth_failures == frozenset({"dmarc=fail"})


MICROSOFT_365 = (  # Exchange Online writes no authserv-id, and folds without a space
    "spf=fail (sender IP is 203.0.113.9) smtp.mailfrom=bank.example; dkim=none (message not "
    "signed) header.d=none;dmarc=none action=none header.from=bank.example;compauth=fail "
    "reason=001"
)


def test_authentication_results_without_an_authserv_id_are_read_whole():
    spf = Verdicts(auth_failures=frozenset({"spf=fail"}))
    held = parse(built(Authentication_Results=MICROSOFT_365).as_bytes(), verdicts=spf).verdict
    assert held == "Authentication-Results: spf=fail"
    assert (
        parse(built(Authentication_Results=MICROSOFT_365).as_bytes(), verdicts=Verdicts()).verdict
        == ""
    )
    dmarc_first = "dmarc=fail action=quarantine header.from=bank.example; spf=pass"
    assert parse(
        built(Authentication_Results=dmarc_first).as_bytes(), verdicts=Verdicts()
    ).verdict == ("Authentication-Results: dmarc=fail")


def test_verdicts_are_configuration():
    raw = built(Authentication_Results=AUTH_FAIL, X_Spam_Flag="YES").as_bytes()
    assert parse(raw).verdict == ""  # no configuration: nothing is judged
    only_dmarc = Verdicts(auth_failures=frozenset({"dmarc=fail"}), spam_headers=())
    assert parse(raw, verdicts=only_dmarc).verdict.endswith("dmarc=fail")
    custom = Verdicts(auth_failures=frozenset(), spam_headers=(("x-qq-spam", "true"),))
    assert parse(built(X_QQ_SPAM="true").as_bytes(), verdicts=custom).verdict == "X-QQ-SPAM: true"


def test_plain_text_with_html_entities_is_unescaped():
    body = "您好&nbsp;&nbsp;冰箱漏水&gt;三天了，&amp;nbsp;请尽快&lt;上门&gt;。\n价格&amp;型号见附件"
    mail = parse(built(body=body).as_bytes())
    assert mail.text == "您好  冰箱漏水>三天了， 请尽快<上门>。\n价格&型号见附件"


def test_plain_text_without_entities_keeps_its_ampersands():
    assert parse(built(body="R&D部门说A&B型号都漏水").as_bytes()).text == "R&D部门说A&B型号都漏水"


@pytest.mark.parametrize(
    "separator",
    [
        "----------Reply to Message----------",
        "------------------ Original ------------------",
        "------------------&nbsp;Original&nbsp;------------------",
        "------------------&nbsp;原始邮件&nbsp;------------------",
    ],
)
def test_qq_mail_separators_cut_the_quoted_message(separator):
    body = f'师傅没来。\n\n{separator}\nFrom: &nbsp;"kefu"<kefu@kesu.example.cn>;\n旧内容'
    assert parse(built(subject="回复：冰箱漏水", body=body).as_bytes()).reply_text == "师傅没来。"


@pytest.mark.parametrize(
    "text",
    [
        "在 2026年11月20日 10:00，客服 <kefu@kesu.example.cn> 写道：\n"
        "> 已受理\n> 请等待\n\n还是没修好。",
        "> 已受理\n> 请等待\n\n还是没修好。",
        "On Fri, Nov 20, 2026 at 10:00 AM 客服 <kefu@kesu.example.cn> wrote:\n"
        ">已受理\n\n还是没修好。",
    ],
)
def test_a_bottom_posted_reply_loses_the_quote_above_it(text):
    assert strip_quoted(text) == "还是没修好。"


@pytest.mark.parametrize(
    ("subject", "topic", "answered"),
    [
        ("回复：回复：阀门渗漏", "阀门渗漏", True),
        ("Re: RE[2]: 阀门渗漏", "阀门渗漏", True),
        ("答复: Fw: 阀门渗漏 ", "阀门渗漏", True),
        ("回复(3)：阀门渗漏", "阀门渗漏", True),
        ("转发：阀门渗漏", "阀门渗漏", True),
        ("阀门渗漏", "阀门渗漏", False),
        ("Re:", "", True),
    ],
)
def test_subject_topic_strips_reply_and_forward_prefixes(subject, topic, answered):
    assert subject_topic(subject) == (topic, answered)


@pytest.mark.parametrize(
    ("subject", "topic", "answered"),
    [
        ("[EXT] Re: 阀门渗漏", "阀门渗漏", True),
        ("【外部邮件】回复：阀门渗漏", "阀门渗漏", True),
        ("*EXTERNAL* RE: [External] 阀门渗漏", "阀门渗漏", True),
        ("Re: [ext] 阀门渗漏", "阀门渗漏", True),
        ("[EXT] 阀门渗漏", "阀门渗漏", False),
        ("阀门渗漏 [EXT]", "阀门渗漏 [EXT]", False),  # only in front
    ],
)
def test_gateway_tags_around_reply_prefixes_are_not_the_topic(subject, topic, answered):
    mail = parse(built(subject=subject).as_bytes())
    assert (mail.topic, mail.answered) == (topic, answered)


def test_the_configured_gateway_tags(monkeypatch):
    from kesu.mail.conf import mail_subject_tags

    monkeypatch.delenv("KESU_MAIL_SUBJECT_TAGS", raising=False)
    assert "[EXT]" in mail_subject_tags() and "【外部邮件】" in mail_subject_tags()
    monkeypatch.setenv("KESU_MAIL_SUBJECT_TAGS", "〔外部〕,[OUTSIDE]")
    assert mail_subject_tags() == ("〔外部〕", "[OUTSIDE]")
    monkeypatch.setenv("KESU_MAIL_SUBJECT_TAGS", "none")
    assert mail_subject_tags() == ()


def test_gateway_tags_are_configuration():
    raw = built(subject="〔外部〕回复：阀门渗漏").as_bytes()
    assert parse(raw).topic == "〔外部〕回复：阀门渗漏"
    assert parse(raw, subject_tags=("〔外部〕",)).topic == "阀门渗漏"
    forward = built(subject="[EXT] Fw: 阀门渗漏", body="看下面\n\n发件人: a@b.cn\n发送时间: x")
    assert parse(forward.as_bytes()).reply_text == parse(forward.as_bytes()).text  # a forward


def test_a_recall_notices_topic_is_the_recalled_messages():
    mail = parse(
        built(subject="撤回: 回复：阀门渗漏", body="李娜 希望撤回邮件“回复：阀门渗漏”。").as_bytes()
    )
    assert (mail.nature, mail.recalled) == (Nature.RECALL, "阀门渗漏")


def test_no_text_parse_hands_out_holds_a_nul_or_a_lone_surrogate():
    raw = raw_mail(
        """
From: =?utf-8?B?5byg\x00=?= <zhangsan@163.com>
Subject: =?utf-8?Q?=E5=86=B0=00=E7=AE=B1?=
X-Loop: kesu-\xff
Content-Type: multipart/mixed; boundary="n"
""",
        b"--n\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\xe5\x86\xb0\x00\xe7\xae\xb1\r\n"
        b'--n\r\nContent-Type: image/png; name="a\x00\xff.png"\r\n\r\n\x89PNG\r\n--n--\r\n',
    )
    mail = parse(raw)

    texts = [mail.subject, mail.sender_name, mail.text, mail.reply_text, mail.nature_evidence]
    texts += [f.name for f in mail.files]
    assert mail.text == "冰箱" and mail.nature is Nature.LOOP
    for text in texts:
        assert "\x00" not in text and not any("\ud800" <= c <= "\udfff" for c in text), text
