"""Synthetic complaints: mixed Chinese/English text shaped like the peer benchmark's.

Record k carries the unique order number SO{k:08d}. The same generator feeds the bulk fill
(rows written straight into the tables) and the bodies POSTed to the API, so both hold the
same kind of text. Sizes are tuned to the peer's averages (title ≈ 89 B, description
≈ 331 B in UTF-8); `run.py` reports the averages it actually stored.
"""

import random
from dataclasses import dataclass

PRODUCTS = [
    ("防水卷材", "waterproof membrane", "FS"),
    ("铝合金窗", "aluminium window", "LC"),
    ("地暖管", "floor heating pipe", "DN"),
    ("釉面瓷砖", "glazed tile", "CZ"),
    ("内墙涂料", "interior paint", "TL"),
    ("恒温水龙头", "thermostatic tap", "SL"),
    ("配电箱", "distribution box", "PD"),
    ("智能门锁", "smart lock", "MS"),
    ("外墙保温板", "facade insulation board", "BW"),
    ("纸面石膏板", "gypsum board", "SG"),
]
ISSUES = [
    ("渗漏", "is leaking"),
    ("表面开裂", "has cracked"),
    ("色差明显", "shows a clear colour difference"),
    ("尺寸与合同不符", "does not match the ordered size"),
    ("安装后松动", "came loose after installation"),
    ("表面起泡脱落", "is blistering and peeling"),
    ("无法正常使用", "does not work properly"),
    ("有持续异响", "makes a constant noise"),
    ("出现锈蚀", "is rusting"),
    ("外壳漏电", "has a live casing"),
]
DEMANDS = [
    ("要求退货退款", "wants the money back"),
    ("要求重新安装", "wants it installed again"),
    ("要求上门检测", "wants an on-site inspection"),
    ("要求赔偿损失", "wants compensation"),
    ("要求书面答复", "wants a written reply"),
    ("要求更换同型号产品", "wants the same model as a replacement"),
]
CITIES = [
    ("上海", "浦东新区"),
    ("杭州", "西湖区"),
    ("南京", "江宁区"),
    ("合肥", "蜀山区"),
    ("天津", "河西区"),
    ("青岛", "黄岛区"),
    ("郑州", "金水区"),
    ("长沙", "岳麓区"),
    ("重庆", "渝北区"),
    ("厦门", "思明区"),
]
VIA = {
    "phone": ("热线电话", "the hotline"),
    "wechat": ("微信公众号", "WeChat"),
    "email": ("电子邮件", "e-mail"),
    "web": ("官网表单", "the web form"),
    "chat": ("在线客服", "online chat"),
    "on_site": ("现场", "a site visit"),
    "letter": ("来信", "a letter"),
    "fax": ("传真", "fax"),
    "account_manager": ("客户经理", "the account manager"),
    "consumer_association": ("消协转办", "the consumer association"),
    "government": ("12345热线转办", "the 12345 hotline"),
    "media": ("媒体", "a newspaper"),
    "legal": ("律师函", "a lawyer's letter"),
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
GIVEN = "伟芳娜敏静磊洋勇艳杰强军丽涛明超霞平刚桂英华建国志文"
ORG_KINDS = ["建设工程有限公司", "装饰设计有限公司", "物业服务有限公司", "置业有限公司"]
MOODS = ["情绪平稳", "比较着急", "非常不满", "表示将投诉到底"]
REMARKS = [
    " 备注:同一批次此前已有类似投诉 (same batch, earlier complaints).",
    " 备注:客户已自行拍照留证 (photos taken by the customer).",
    " 备注:现场已临时处理 (temporary fix on site).",
]

# (code, weight): the share of each value in the data.
CATEGORY_MIX = [
    ("product_quality", 30),
    ("transport_packaging", 8),
    ("service_quality", 12),
    ("staff_conduct", 6),
    ("business_policy", 5),
    ("schedule", 7),
    ("technical_design", 5),
    ("construction_quality", 4),
    ("construction_crack", 5),
    ("construction_leak", 8),
    ("price_dispute", 6),
    ("other", 4),
]
CHANNEL_MIX = [
    ("phone", 40),
    ("wechat", 15),
    ("web", 12),
    ("email", 9),
    ("account_manager", 8),
    ("on_site", 5),
    ("chat", 4),
    ("letter", 2),
    ("fax", 1),
    ("consumer_association", 2),
    ("government", 1.5),
    ("media", 0.3),
    ("legal", 0.2),
]
KIND_MIX = [("complaint", 86), ("suggestion", 7), ("inquiry", 7)]
CONSTRUCTION = {"construction_quality", "construction_crack", "construction_leak", "schedule"}
# The intake clerk names the region for sales matters, and sends 8 % of the rest to another
# department than the category's default (codes of kesu.site.defaults).
SALES = {"staff_conduct", "business_policy", "price_dispute"}
SALES_REGIONS = ["sales_east", "sales_north", "sales_south"]
OTHER_DEPARTMENTS = [
    "customer_service",
    "quality",
    "technical",
    "engineering",
    "production",
    "logistics",
    "purchasing",
]
SEVERITY_REASON = "现场核实后调整等级 (level changed after the site check)"


def _weighted(mix):
    values = [v for v, _w in mix]
    cumulative, total = [], 0.0
    for _v, w in mix:
        total += w
        cumulative.append(total)
    return values, cumulative


# Mobile prefixes the numbering plan has (libphonenumber takes every number under them).
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "156",
    "157",
    "158",
    "159",
    "180",
    "186",
    "187",
    "188",
    "189",
)


@dataclass
class Record:
    """What a caller knows at registration (the API's RegisterIn, flattened)."""

    k: int
    kind: str
    channel: str
    category: str
    title: str
    description: str
    demand: str
    complainant_name: str
    complainant_org: str
    complainant_phone: str
    complainant_email: str
    product_model: str
    batch_no: str
    order_no: str
    project_name: str
    project_location: str
    claim_amount: str | None
    department: str | None = None  # code; None: the category's default
    severity: int | None = None  # None: the proposed level
    severity_reason: str = ""
    read_back: bool = False

    def api_payload(self, order_no: str | None = None) -> dict:
        """The JSON body of POST /api/v1/complaints; `order_no` replaces SO{k:08d}."""
        so = f"SO{self.k:08d}"
        sub = (lambda s: s.replace(so, order_no)) if order_no else (lambda s: s)
        payload = {
            "kind": self.kind,
            "channel": self.channel,
            "category": self.category,
            "title": self.title,
            "description": sub(self.description),
            "demand": self.demand,
            "complainant": {
                "name": self.complainant_name,
                "organisation": self.complainant_org,
                "phone": self.complainant_phone,
                "email": self.complainant_email,
            },
            "product": {
                "model": self.product_model,
                "batch_no": self.batch_no,
                "order_no": sub(self.order_no),
            },
        }
        if self.project_name:
            payload["project"] = {"name": self.project_name, "location": self.project_location}
        if self.claim_amount is not None:
            payload["claim_amount"] = self.claim_amount
        if self.department:
            payload["department"] = self.department
        if self.severity is not None:
            payload["severity"] = self.severity
            payload["severity_reason"] = self.severity_reason
        if self.read_back:
            payload["read_back"] = True
        return payload


class Generator:
    """Deterministic for a given seed; `make(k)` builds record k."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self._categories = _weighted(CATEGORY_MIX)
        self._channels = _weighted(CHANNEL_MIX)
        self._kinds = _weighted(KIND_MIX)

    def pick(self, weighted):
        values, cumulative = weighted
        return self.rng.choices(values, cum_weights=cumulative)[0]

    def make(self, k: int) -> Record:
        r = self.rng
        kind = self.pick(self._kinds)
        channel = self.pick(self._channels)
        category = self.pick(self._categories)
        p_cn, p_en, p_code = PRODUCTS[r.randrange(len(PRODUCTS))]
        i_cn, i_en = ISSUES[r.randrange(len(ISSUES))]
        d_cn, d_en = DEMANDS[r.randrange(len(DEMANDS))]
        city, district = CITIES[r.randrange(len(CITIES))]
        via_cn, _via_en = VIA[channel]
        batch = f"{2024 + r.randrange(3)}-{1 + r.randrange(12):02d}"
        name = SURNAMES[r.randrange(len(SURNAMES))] + "".join(
            r.choice(GIVEN) for _ in range(1 + (r.random() < 0.6))
        )
        # a mainland mobile, stored as the product stores every number (E.164)
        phone = f"+86{r.choice(MOBILE_PREFIXES)}{r.randrange(10**8):08d}"
        days = 2 + r.randrange(120)
        title = f"{city}{p_cn}{i_cn}(批号:{batch}) / {p_en} {i_en}"
        description = (
            f"客户{name}({city}{district})通过{via_cn}反映:{days}天前收货的{p_cn}"
            f"(批号{batch}){i_cn},{d_cn}。Order SO{k:08d}: the customer says the {p_en} "
            f"{i_en} after {days} days and {d_en}. 客户{r.choice(MOODS)},"
            f"请在{r.choice((4, 8, 24, 48))}小时内联系。"
        )
        if r.random() < 0.35:
            description += r.choice(REMARKS)
        org = ""
        if r.random() < 0.3:
            org = f"{city}{r.choice('华新恒安远宏达盛')}{r.choice(ORG_KINDS)}"
        construction = category in CONSTRUCTION
        department = None
        if category in SALES:
            department = r.choice(SALES_REGIONS)
        elif r.random() < 0.08:
            department = r.choice(OTHER_DEPARTMENTS)
        severity = 1 + r.randrange(3) if r.random() < 0.04 else None
        return Record(
            k=k,
            kind=kind,
            channel=channel,
            category=category,
            title=title,
            description=description,
            demand=d_cn,
            complainant_name=name,
            complainant_org=org,
            complainant_phone=phone,
            complainant_email=f"kehu{k}@example.com" if r.random() < 0.2 else "",
            product_model=f"{p_code}-{100 + r.randrange(900)}",
            batch_no=batch,
            order_no=f"SO{k:08d}",
            project_name=f"{city}{r.choice('东南西北')}苑{1 + r.randrange(30)}号楼"
            if construction
            else "",
            project_location=f"{1 + r.randrange(30)}层{r.choice(('卫生间', '外墙', '屋面'))}"
            if construction
            else "",
            claim_amount=f"{r.choice((800, 1500, 3000, 12000, 60000))}.00"
            if r.random() < 0.08
            else None,
            department=department,
            severity=severity,
            severity_reason=SEVERITY_REASON if severity is not None else "",
            read_back=r.random() < 0.7,
        )
