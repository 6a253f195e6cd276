"""The record as the intake clerk writes it, and the photos that come with it (tiny valid JPEGs,
made without Pillow).
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kesu.complaints.actions import NewComplaint
from kesu.complaints.choices import (
    Channel,
    Severity,
)
from kesu.complaints.models import Category
from kesu.core import phones
from kesu.demo.cast import INTAKE_BY_CHANNEL, REGION_DEPARTMENT, REGIONAL, STAFF
from kesu.demo.plan import Slot, pick
from kesu.demo.texts import (
    BRIBE_TEXT,
    CATEGORY_FAMILY,
    CATEGORY_TEXTS,
    CHANNEL_SOURCE,
    COSMETIC_REASON,
    COSMETIC_TEXTS,
    GIVEN_NAMES,
    LEVEL1_CHANNELS,
    LEVEL1_CLAIM,
    LEVEL1_PHRASES,
    ORGANISATIONS,
    PRODUCT_TEXTS,
    PRODUCTS,
    PROJECTS,
    QUANTITY,
    SURNAMES,
    _Text,
)

# the record as the intake clerk writes it


@dataclass
class Record:
    """A complaint to register, with how it will be routed."""

    new: NewComplaint
    registrar: str  # username
    owner: str
    department: str
    region: str
    severity: Severity | None = None
    severity_reason: str = ""
    answer: str = ""
    product_family: str = ""
    values: dict[str, Any] = field(default_factory=dict)


def person_name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    if rng.random() < 0.2:
        return surname + rng.choice(["先生", "女士"])
    return surname + rng.choice(GIVEN_NAMES)


def _phone(rng: random.Random) -> str:
    """A mobile number, stored as every entrance stores one (E.164, kesu.core.phones)."""
    prefix = rng.choice(["138", "139", "137", "136", "135", "186", "188", "158", "159"])
    return phones.normalise(f"{prefix}{rng.randint(0, 99999999):08d}")


def _values(
    rng: random.Random, slot: Slot, region: str, chosen: tuple[str, str, str]
) -> dict[str, Any]:
    """Everything a text template may mention, drawn once per complaint."""
    product, model, unit = chosen
    low, high = QUANTITY[unit]
    qty = rng.randint(low, high)
    registered = timezone.localtime(slot.registered_at).date()
    arrival = registered - timedelta(days=rng.randint(3, 40))
    ship = arrival - timedelta(days=rng.randint(1, 6))
    made = ship - timedelta(days=rng.randint(5, 30))
    project, city = rng.choice(PROJECTS[region])
    return {
        "product": product,
        "model": model,
        "unit": unit,
        "qty": qty,
        "n": rng.randint(1, max(1, qty // 6)),
        "m": qty - rng.randint(1, max(1, qty // 10)),
        "batch": f"{made:%y%m%d}-{rng.choice('ABC')}{rng.randint(1, 3)}",
        "order": f"SO{ship:%Y%m}{rng.randint(1000, 9999)}",
        "date": f"{arrival.month}月{arrival.day}日",
        "ship_date": ship,
        "arrival_date": arrival,
        "project": project,
        "city": city,
        "days": rng.randint(5, 20),
        "amount": rng.randint(8, 300) * 100,
        "staff": "小" + rng.choice(SURNAMES),
    }


def compose_record(slot: Slot, rng: random.Random, categories: dict[str, Category]) -> Record:
    region = pick(rng, {"east": 45, "north": 30, "south": 25})
    family = CATEGORY_FAMILY[slot.category]
    product_family = rng.choice(list(PRODUCTS))
    if slot.category == "technical_design":
        product_family = rng.choice(["valve", "pipe"])  # what has a pressure rating
    if slot.short_path is not None and slot.category in ("product_quality", "technical_design"):
        product_family = "valve"  # the warranty and installation answers are about valves
    severity: Severity | None = None
    severity_reason = ""
    answer = ""
    if slot.short_path is not None:
        _kind, _code, title, description, answer = slot.short_path
        text = _Text(title, description, "", _subject_of(description))
    elif "cosmetic" in slot.flags:
        text = rng.choice(COSMETIC_TEXTS)
        severity, severity_reason = Severity.LEVEL_3, rng.choice(COSMETIC_REASON)
    elif family == "product":
        text = rng.choice(PRODUCT_TEXTS[product_family])
    else:
        text = rng.choice(CATEGORY_TEXTS[slot.category])
    if "sensitive" in slot.flags:
        text = BRIBE_TEXT
    products = [p for p in PRODUCTS[product_family] if not text.products or p[0] in text.products]
    values = _values(rng, slot, region, rng.choice(products))
    part = rng.choice(text.parts) if text.parts else ""
    values["part"] = part
    if "sensitive" in slot.flags:  # names the accused regional manager
        values["staff"] = next(name for u, name, *_ in STAFF if u == REGIONAL[region])
    title = text.title.format(**values)
    description = text.description.format(**values)
    demand = text.demand.format(**values)
    claim: Decimal | None = None
    if slot.category == "price_dispute" and slot.short_path is None:
        claim = Decimal(values["amount"])
    elif text.demand and rng.random() < 0.15 and family in ("product", "construction"):
        claim = Decimal(rng.randint(5, 300) * 100)
    if slot.severity == 1 and slot.channel not in LEVEL1_CHANNELS and not slot.short_path:
        description, claim = _make_major(rng, slot, family, description, claim)
    if slot.channel in CHANNEL_SOURCE and not slot.short_path:
        description = CHANNEL_SOURCE[slot.channel] + description
    anonymous = "anonymous" in slot.flags
    name = org = phone = email = address = ""
    if not anonymous:
        name = person_name(rng)
        phone = _phone(rng) if slot.channel != Channel.EMAIL or rng.random() < 0.5 else ""
        if slot.channel == Channel.EMAIL or rng.random() < 0.15:
            email = f"{rng.randint(10**7, 10**10)}@qq.com"
        if family == "construction" or (text.subject in ("project", "both") and part):
            address = f"{values['city']}{values['project']}{part}"
            if rng.random() < 0.3:
                org = f"{values['project']}物业服务中心"
        elif rng.random() < 0.6:
            org = rng.choice(ORGANISATIONS[region])
    else:
        by_letter = slot.channel == Channel.LETTER
        description = ("匿名来信反映：" if by_letter else "匿名反映：") + description
    new = NewComplaint(
        channel=slot.channel,
        title=title,
        description=description,
        category=categories[slot.category],
        kind=slot.kind,
        occurred_at=slot.registered_at - timedelta(hours=rng.randint(2, 240)),
        occurred_place=(
            f"{values['city']}{values['project']}{part}"
            if text.subject in ("project", "both")
            else values["city"]
        ),
        demand=demand,
        claim_amount=claim,
        complainant_name=name,
        complainant_org=org,
        complainant_phone=phone,
        complainant_email=email,
        complainant_address=address,
        anonymous=anonymous,
        read_back=slot.channel in (Channel.PHONE, Channel.ON_SITE) and rng.random() < 0.85,
        sensitive="sensitive" in slot.flags,
        extra_event_data={"source": "demo"},
    )
    if text.subject in ("product", "both", "order"):
        new.product_model = f"{values['product']} {values['model']}"
        if slot.short_path is not None:  # an inquiry names only what the caller mentioned
            new.order_no = values["order"] if "{order}" in text.description else ""
            new.quantity = Decimal(values["qty"]) if "{qty}" in text.description else None
        else:
            new.order_no = values["order"]
            new.ship_date, new.arrival_date = values["ship_date"], values["arrival_date"]
            new.quantity = Decimal(values["qty"])
            if text.subject != "order" or rng.random() < 0.5:
                new.batch_no = values["batch"]
    if text.subject in ("project", "both"):
        new.project_name = values["project"]
        new.project_location = part
    registrar, owner, department = _routing(rng, slot, family, region, text)
    return Record(
        new=new,
        registrar=registrar,
        owner=owner,
        department=department,
        region=region,
        severity=severity,
        severity_reason=severity_reason,
        answer=answer,
        product_family=product_family,
        values=values,
    )


def _subject_of(template: str) -> str:
    """What a short-path text is about, from the placeholders it uses."""
    product = "{product}" in template or "{order}" in template
    project = "{project}" in template
    if product and project:
        return "both"
    if product:
        return "product"
    return "project" if project else "none"


def _make_major(rng, slot, family, description, claim) -> tuple[str, Decimal | None]:
    """Add what makes a complaint level 1 (SPEC §3) to a record that lacks it."""
    kinds = ["media", "lawyer", "association", "claim"]
    if family in ("product", "construction"):
        kinds.append("injury")
    if slot.category == "construction_crack":
        kinds.append("structure")
    chosen = rng.choice(kinds)
    if chosen == "claim":
        amount = rng.randint(60, 500) * 1000
        return description + LEVEL1_CLAIM.format(amount=amount), Decimal(amount)
    return description + LEVEL1_PHRASES[chosen], claim


def _routing(rng, slot: Slot, family: str, region: str, text: _Text) -> tuple[str, str, str]:
    """Who registers it, who will own it and in which department."""
    regional = REGIONAL[region]
    registrar = INTAKE_BY_CHANNEL.get(slot.channel, "demo_kefu1")
    if slot.channel == Channel.ACCOUNT_MANAGER:
        registrar = regional
    if "sensitive" in slot.flags:
        return registrar if registrar != regional else "demo_kefu1", "demo_zhou", "sales"
    if registrar == regional:
        return registrar, regional, REGION_DEPARTMENT[region]
    if family == "product":
        if "assign" in slot.flags or rng.random() < 0.3:
            return registrar, regional, REGION_DEPARTMENT[region]
        return registrar, "demo_sun", "quality"
    if family == "sales":
        return registrar, regional, REGION_DEPARTMENT[region]
    if family == "transport" or (family == "schedule" and text.subject in ("order", "product")):
        return registrar, "demo_ma", "logistics"
    if family in ("construction", "schedule"):
        return registrar, rng.choice(["demo_liu", "demo_song"]), "engineering"
    if family == "technical":
        return registrar, "demo_guo", "technical"
    return registrar, "demo_he", "customer_service"


# ------------------------------------------------------------------------------------------
# photos: a tiny valid JPEG (a grey picture with a dark diagonal line), made without Pillow


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">HH", marker, len(payload) + 2) + payload


def demo_jpeg(caption: str, shade: int = 150, width: int = 20, height: int = 15) -> bytes:
    """A baseline greyscale JPEG of `width`×`height` 8-pixel blocks (DC coefficients only).

    The caption goes into a comment segment, so every photo has its own bytes.
    """
    out = bytearray(b"\xff\xd8")
    out += _segment(0xFFE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    out += _segment(0xFFFE, caption.encode())
    out += _segment(0xFFDB, b"\x00" + b"\x01" * 64)  # quantisation: all ones
    out += _segment(0xFFC0, struct.pack(">BHHB", 8, height * 8, width * 8, 1) + b"\x01\x11\x00")
    # DC table: categories 0–11 with 4-bit codes 0000…1011; AC table: end-of-block only, code 0
    out += _segment(0xFFC4, b"\x00" + bytes([0, 0, 0, 12] + [0] * 12) + bytes(range(12)))
    out += _segment(0xFFC4, b"\x10" + bytes([1] + [0] * 15) + b"\x00")
    out += _segment(0xFFDA, b"\x01\x01\x00\x00\x3f\x00")
    bits: list[int] = []
    previous = 0
    for y in range(height):
        for x in range(width):
            level = 60 if abs(x - y * 1.3 - 2) < 1 else min(250, shade + 4 * y)
            dc = 8 * (level - 128)
            diff, previous = dc - previous, dc
            size = abs(diff).bit_length()
            bits += [(size >> i) & 1 for i in (3, 2, 1, 0)]
            value = diff if diff >= 0 else diff + (1 << size) - 1
            bits += [(value >> i) & 1 for i in range(size - 1, -1, -1)]
            bits.append(0)  # end of block
    bits += [1] * (-len(bits) % 8)
    for i in range(0, len(bits), 8):
        byte = int("".join(map(str, bits[i : i + 8])), 2)
        out.append(byte)
        if byte == 0xFF:
            out.append(0)  # byte stuffing
    out += b"\xff\xd9"
    return bytes(out)
