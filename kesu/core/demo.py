"""Demo data: staff with Chinese names and a few hundred realistic complaints (`kesu demo`).

Every complaint is registered with `actions.register` and then driven by the real action
functions (accept, contact, visit, determine, …) to a target state, so the rows, timelines,
plans, return visits and attachments are exactly what people would have produced by hand;
no row is written around the workflow. Together the complaints reach every state, category,
channel, kind and severity, and the side paths of SPEC §4: rejected plans, failed
verifications, not-satisfied confirmations, appeals, reopening by QA, escalations, QA
determinations of undeterminable products, resolution on the spot, answered inquiries and
suggestions, skipped return visits (anonymous or sensitive), withdrawals, invalid complaints
and duplicates merged into an open complaint.

Time: registration lies in the past (`register(registered_at=...)`); every later step runs
under `kesu.core.clock.as_of` a few hours after the one before (never in the future), so the
timelines read as they would have happened. Finished complaints are registered over the last
six months; complaints still open in the last days or weeks, so that their clocks stay
plausible.

The content is chosen by a seeded random generator: the same seed and count give the same
complaints (only the timestamps move with the day of loading). Loading is idempotent: when
the demo staff have already registered `count` complaints nothing is added; when they have
registered fewer, only the difference is added.
"""

from __future__ import annotations

import random
import struct
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from kesu.accounts.actions import create_user
from kesu.accounts.choices import Role
from kesu.accounts.models import Department, User
from kesu.complaints import actions, costs
from kesu.complaints.actions import Measure, NewComplaint
from kesu.complaints.attachments import add_attachment
from kesu.complaints.authority import MAX_ESCALATION_LEVEL
from kesu.complaints.choices import (
    COMPANY_SIDE,
    FINAL_STATES,
    OPEN_STATES,
    AppealKind,
    Channel,
    ContactMethod,
    CostBearer,
    CostItem,
    Determination,
    Kind,
    RepairScope,
    Severity,
    SkipReason,
    State,
    Visibility,
)
from kesu.complaints.models import Attachment, Category, Complaint
from kesu.core import clock, phones
from kesu.core.defaults import load_defaults
from kesu.policies.queries import current_policy

DEMO_PASSWORD = "demo1234"  # noqa: S105 (the published password of the demo logins)
DEMO_PREFIX = "demo_"

# ------------------------------------------------------------------------------------------
# the cast

# username, name, role, department code, job title
STAFF: list[tuple[str, str, Role, str, str]] = [
    ("demo_kefu1", "王丽", Role.INTAKE, "customer_service", "客服热线受理员"),
    ("demo_kefu2", "李娜", Role.INTAKE, "customer_service", "网络客服受理员"),
    ("demo_kefu3", "陈静", Role.INTAKE, "customer_service", "来访接待受理员"),
    ("demo_zhang", "张伟", Role.HANDLER, "sales_east", "华东区域经理"),
    ("demo_zhao", "赵强", Role.HANDLER, "sales_north", "华北区域经理"),
    ("demo_huang", "黄磊", Role.HANDLER, "sales_south", "华南区域经理"),
    ("demo_sun", "孙涛", Role.HANDLER, "quality", "质量工程师"),
    ("demo_liu", "刘洋", Role.HANDLER, "engineering", "项目负责人"),
    ("demo_song", "宋杰", Role.HANDLER, "engineering", "项目负责人"),
    ("demo_ma", "马超", Role.HANDLER, "logistics", "物流主管"),
    ("demo_he", "何敏", Role.HANDLER, "customer_service", "售后服务主管"),
    ("demo_guo", "郭峰", Role.HANDLER, "technical", "技术工程师"),
    ("demo_qian", "钱建国", Role.DEPT_HEAD, "quality", "质量部部长"),
    ("demo_zhou", "周志强", Role.DEPT_HEAD, "sales", "营销部总监"),
    ("demo_xu", "徐立新", Role.DEPT_HEAD, "engineering", "工程部经理"),
    ("demo_lin", "林海", Role.DEPT_HEAD, "logistics", "物流部经理"),
    ("demo_tang", "唐慧", Role.DEPT_HEAD, "customer_service", "客户服务部经理"),
    ("demo_gao", "高远", Role.DEPT_HEAD, "technical", "技术部部长"),
    ("demo_wu", "吴静", Role.QA, "quality", "品管专员"),
    ("demo_vp", "郑国华", Role.EXECUTIVE, "management", "营销副总"),
    ("demo_gm", "冯建军", Role.EXECUTIVE, "management", "总经理"),
]
INTAKE_BY_CHANNEL = {
    Channel.PHONE: "demo_kefu1",
    Channel.FAX: "demo_kefu1",
    Channel.LETTER: "demo_kefu1",
    Channel.EMAIL: "demo_kefu2",
    Channel.WEB: "demo_kefu2",
    Channel.CHAT: "demo_kefu2",
    Channel.WECHAT: "demo_kefu2",
    Channel.ON_SITE: "demo_kefu3",
    Channel.CONSUMER_ASSOCIATION: "demo_kefu3",
    Channel.GOVERNMENT: "demo_kefu3",
    Channel.MEDIA: "demo_kefu3",
    Channel.LEGAL: "demo_kefu3",
}
REGIONAL = {"east": "demo_zhang", "north": "demo_zhao", "south": "demo_huang"}
REGION_DEPARTMENT = {"east": "sales_east", "north": "sales_north", "south": "sales_south"}

# ------------------------------------------------------------------------------------------
# what the complaints are about

CATEGORY_FAMILY = {
    "product_quality": "product",
    "transport_packaging": "transport",
    "service_quality": "service",
    "staff_conduct": "sales",
    "business_policy": "sales",
    "price_dispute": "sales",
    "schedule": "schedule",
    "technical_design": "technical",
    "construction_quality": "construction",
    "construction_crack": "construction",
    "construction_leak": "construction",
    "other": "other",
}
# categories whose default severity is 2 (SPEC §3) and those whose default is 3
LEVEL2_CATEGORIES = [
    "product_quality",
    "schedule",
    "technical_design",
    "construction_quality",
    "construction_crack",
    "construction_leak",
]
LEVEL3_CATEGORIES = [
    "transport_packaging",
    "service_quality",
    "staff_conduct",
    "business_policy",
    "price_dispute",
    "other",
]
CATEGORY_WEIGHT = {
    "product_quality": 25,
    "construction_leak": 12,
    "construction_crack": 6,
    "construction_quality": 6,
    "schedule": 8,
    "technical_design": 5,
    "transport_packaging": 10,
    "service_quality": 10,
    "staff_conduct": 6,
    "business_policy": 4,
    "price_dispute": 6,
    "other": 3,
}
LEVEL1_CHANNELS = [
    Channel.CONSUMER_ASSOCIATION,
    Channel.GOVERNMENT,
    Channel.MEDIA,
    Channel.LEGAL,
]
CHANNEL_WEIGHT = {
    Channel.PHONE: 30,
    Channel.WECHAT: 15,
    Channel.WEB: 10,
    Channel.ACCOUNT_MANAGER: 8,
    Channel.EMAIL: 7,
    Channel.CHAT: 7,
    Channel.ON_SITE: 6,
    Channel.LETTER: 3,
    Channel.FAX: 2,
}
CHANNEL_SOURCE = {
    Channel.CONSUMER_ASSOCIATION: "市消费者协会（12315）转办：",
    Channel.GOVERNMENT: "12345政务服务便民热线转办：",
    Channel.MEDIA: "《都市晨报》记者来电核实：",
    Channel.LEGAL: "收到律师函：",
}

PRODUCTS: dict[str, list[tuple[str, str, str]]] = {
    "valve": [
        ("闸阀", "Z41H-16C DN100", "台"),
        ("球阀", "Q41F-16P DN50", "台"),
        ("蝶阀", "D371X-16Q DN200", "台"),
        ("止回阀", "H44H-25 DN80", "台"),
        ("截止阀", "J41H-16C DN65", "台"),
    ],
    "waterproof": [
        ("SBS改性沥青防水卷材", "SBS Ⅱ PY PE 4mm", "卷"),
        ("聚氨酯防水涂料", "PU-951 双组份", "桶"),
        ("高分子自粘防水卷材", "HDPE-1.5", "卷"),
    ],
    "pipe": [
        ("PPR给水管", "PPR S5 dn32", "米"),
        ("不锈钢卡压管件", "304 DN25", "件"),
        ("HDPE双壁波纹管", "DN300 SN8", "米"),
    ],
    "window": [
        ("铝合金平开窗", "LC70 断桥系列", "樘"),
        ("塑钢推拉窗", "SG88 系列", "樘"),
    ],
}
QUANTITY = {"台": (4, 60), "卷": (50, 800), "桶": (20, 200), "米": (200, 3000), "件": (100, 2000)}
QUANTITY["樘"] = (10, 120)

PROJECTS = {
    "east": [
        ("阳光花园三期", "上海"),
        ("滨江壹号", "杭州"),
        ("金陵华府", "南京"),
        ("科技园B区研发楼", "苏州"),
        ("东港湾商业中心", "宁波"),
    ],
    "north": [
        ("京西悦府", "北京"),
        ("海河湾小区", "天津"),
        ("泉城花园二期", "济南"),
        ("燕赵国际大厦", "石家庄"),
    ],
    "south": [
        ("云山雅苑", "广州"),
        ("前海国际公寓", "深圳"),
        ("鹭岛花园", "厦门"),
        ("邕江第一人民医院门诊楼", "南宁"),
    ],
}
CITIES = {
    "east": ["上海", "杭州", "南京", "苏州", "宁波", "合肥"],
    "north": ["北京", "天津", "济南", "石家庄", "太原"],
    "south": ["广州", "深圳", "厦门", "南宁", "福州"],
}
ORGANISATIONS = {
    "east": [
        "上海恒润建设工程有限公司",
        "杭州新禾水务工程有限公司",
        "南京宁安物业服务有限公司",
        "苏州合力机电安装有限公司",
        "宁波东港管道工程有限公司",
    ],
    "north": [
        "北京京诚建筑工程有限公司",
        "天津海河机电设备有限公司",
        "济南泉城市政工程有限公司",
        "石家庄鼎盛物业管理有限公司",
    ],
    "south": [
        "广州穗安建设有限公司",
        "深圳鹏程机电工程有限公司",
        "厦门鹭达装饰工程有限公司",
        "南宁绿城水务有限公司",
    ],
}
SURNAMES = (
    "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶"
    "程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金贾夏方邹熊白孟秦邱侯江尹薛段雷龙黎史陶贺毛郝顾"
)
GIVEN_NAMES = (  # noqa: SIM905 (a list literal of 43 names is harder to read)
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 "
    "明 超 秀英 霞 平 刚 桂英 建华 建国 志强 海燕 晓东 红梅 春生 德明 "
    "丽华 文博 子涵 浩然 雨桐 国庆 玉兰 立新 卫东 秀兰 小红 俊杰 佳怡"
).split()


@dataclass(frozen=True)
class _Text:
    title: str
    description: str
    demand: str
    subject: str = "none"  # product, project, both, order or none
    parts: tuple[str, ...] = ()
    products: tuple[str, ...] = ()  # the products of the family it fits (all when empty)


ROOF = ("7号楼屋面", "3号楼顶层屋面", "会所屋面", "12号楼顶层")
BATHROOM = ("12号楼1单元502室", "5号楼2单元1103室", "2号楼801室", "9号楼3单元601室")
WALL = ("5号楼外墙东立面", "8号楼北侧外墙", "2号楼1803室客厅", "6号楼2单元楼梯间")
WINDOW = ("1号楼2单元602室主卧", "3号楼1501室客厅", "10号楼902室次卧")
FLOOR = ("地下车库B1层", "4号楼大堂", "1号楼首层商铺", "3号楼601室")

PRODUCT_TEXTS: dict[str, list[_Text]] = {
    "valve": [
        _Text(
            "{product}阀体渗漏",
            "客户反映{date}到货的{product}（型号{model}，批号{batch}），安装后试压时阀体与阀盖"
            "连接处渗漏，共到货{qty}{unit}，已发现{n}{unit}有同样问题。",
            "免费更换问题阀门并承担来回运费",
            "product",
        ),
        _Text(
            "{product}开关卡涩",
            "{product}（型号{model}，批号{batch}）使用不到两个月，手轮转动费力，开关卡涩，"
            "关闭不严，客户怀疑阀杆或密封面有质量问题。",
            "派人到现场检查，确认质量问题后更换",
            "product",
        ),
        _Text(
            "{product}关闭后内漏",
            "客户称{product}关闭后仍有介质通过，管路检修时只能整段泄压，订单号{order}，"
            "共{qty}{unit}，批号{batch}。",
            "尽快更换合格产品",
            "product",
        ),
        _Text(
            "{product}法兰孔距与图纸不符",
            "到货的{product}（批号{batch}）法兰孔距与合同附图不一致，{project}现场装不上，"
            "安装队已等待两天。",
            "补发符合图纸的产品并承担误工费",
            "both",
        ),
    ],
    "waterproof": [
        _Text(
            "防水卷材起鼓开裂",
            "{project}使用的{product}（批号{batch}）铺贴后两周出现大面积起鼓、搭接处开裂，"
            "施工方认为是材料问题。",
            "派技术人员到现场鉴定，属材料问题的予以更换",
            "both",
            products=("SBS改性沥青防水卷材", "高分子自粘防水卷材"),
        ),
        _Text(
            "防水涂料固化不良",
            "{product}（批号{batch}）涂刷后48小时仍发粘不固化，客户怀疑配比有误或材料过期。",
            "检测该批次产品并给出处理意见",
            "product",
            products=("聚氨酯防水涂料",),
        ),
        _Text(
            "卷材厚度不足",
            "客户现场抽检{product}（批号{batch}），实测厚度明显低于标称值，共到货{qty}{unit}。",
            "提供该批次出厂检测报告，不合格则全部退换",
            "product",
            products=("SBS改性沥青防水卷材", "高分子自粘防水卷材"),
        ),
    ],
    "pipe": [
        _Text(
            "管材壁厚不达标",
            "客户抽检发现{product}（批号{batch}）管壁厚度低于国家标准，担心承压能力不够。",
            "提供检测报告，不合格则全部退换",
            "product",
            products=("PPR给水管", "HDPE双壁波纹管"),
        ),
        _Text(
            "管件接口漏水",
            "{project}{part}的{product}接口处漏水，拆开检查发现管件内壁有砂眼，批号{batch}。",
            "更换管件并赔偿墙面修复费用",
            "both",
            BATHROOM,
            products=("不锈钢卡压管件", "PPR给水管"),
        ),
        _Text(
            "波纹管环刚度不够",
            "{product}（批号{batch}）回填后出现明显变形，客户怀疑环刚度达不到SN8。",
            "到现场检测并给出结论",
            "product",
            products=("HDPE双壁波纹管",),
        ),
    ],
    "window": [
        _Text(
            "窗扇变形关闭不严",
            "{project}{part}安装的{product}窗扇变形，关闭不严，刮风时有明显啸叫，"
            "同批共{n}樘有类似情况。",
            "更换变形窗扇",
            "both",
            WINDOW,
        ),
        _Text(
            "五金件生锈脱落",
            "{product}（批号{batch}）使用半年，执手和合页生锈，个别执手已经脱落。",
            "更换全部五金件",
            "product",
        ),
    ],
}
# small details that the intake clerk files as level 3 with a reason (SPEC §3)
COSMETIC_TEXTS = [
    _Text(
        "产品外观色差",
        "{product}（批号{batch}）与上一批次外观颜色不一致，客户认为影响美观。",
        "说明原因，后续供货保证颜色一致",
        "product",
    ),
    _Text(
        "外包装标签印刷模糊",
        "{product}外包装标签印刷模糊，批号看不清，不便于客户入库管理，订单号{order}。",
        "重新提供清晰的标签",
        "order",
    ),
]
# a complaint about a named colleague: sensitive, the colleague never sees it (SPEC §2)
BRIBE_TEXT = _Text(
    "业务员私下收取费用",
    "客户反映业务员{staff}以加急发货为由，要求客户私下转账800元“加急费”，订单号{order}。",
    "退还费用，严肃处理",
    "order",
)
COSMETIC_REASON = [
    "仅外观问题，不影响使用，经与客户沟通按一般投诉处理。",
    "标签问题不涉及产品质量，客户同意按三级处理。",
]

CATEGORY_TEXTS: dict[str, list[_Text]] = {
    "transport_packaging": [
        _Text(
            "到货外包装破损",
            "订单{order}的{product}于{date}送达，外包装纸箱多处破损，其中{n}{unit}产品表面有划痕。",
            "更换划伤产品，加强包装",
            "order",
        ),
        _Text(
            "发货数量与订单不符",
            "订单{order}应发{product}{qty}{unit}，实收{m}{unit}，送货单与实物对不上。",
            "尽快补发差额",
            "order",
        ),
        _Text(
            "发错规格型号",
            "订单{order}订购的是{model}，实际送来的是其他规格的{product}，需要调换。",
            "调换为正确型号并承担运费",
            "order",
        ),
        _Text(
            "送货司机卸货不规范",
            "送货司机卸货时直接从车上抛扔{product}，客户现场人员劝阻无效，订单号{order}。",
            "对承运商进行处理，今后规范卸货",
            "order",
        ),
        _Text(
            "产品受潮生锈",
            "{date}到货的{product}外包装没有防潮措施，部分产品表面出现锈迹，订单号{order}。",
            "更换锈蚀产品，改进包装防潮",
            "order",
        ),
    ],
    "service_quality": [
        _Text(
            "客服热线长时间无人接听",
            "客户周三下午多次拨打客服热线，均无人接听，留言后也没有人回电。",
            "给出解释并改进",
        ),
        _Text(
            "售后人员服务态度差",
            "售后服务人员上门时态度冷淡，对客户提出的问题很不耐烦，说“这个不归我们管”。",
            "道歉并更换服务人员",
        ),
        _Text(
            "维修人员上门迟到",
            "约定上午九点上门维修，服务人员下午两点才到，客户专门请假在家等候。",
            "道歉，今后按约定时间上门",
            "project",
            BATHROOM,
        ),
        _Text(
            "反映问题一周无人回复",
            "客户一周前在网上留言反映的问题至今没有人联系，多次催问均被告知“在处理”。",
            "尽快安排专人跟进",
        ),
        _Text(
            "服务人员未清理现场",
            "维修完成后现场遗留包装垃圾和旧配件，服务人员未清理就离开了。",
            "派人清理，加强服务规范",
            "project",
            FLOOR,
        ),
    ],
    "staff_conduct": [
        _Text(
            "业务员承诺的优惠未兑现",
            "签约时业务员{staff}口头承诺批量采购享受九五折，结算时没有按承诺执行。",
            "按承诺价格结算",
            "order",
        ),
        _Text(
            "业务员回复不及时",
            "客户多次联系业务员{staff}询问发货时间，回复拖拉，常常隔天才回。",
            "更换对接业务员或改进工作",
        ),
        _Text(
            "业务员报价前后不一",
            "同一型号的{product}，业务员{staff}两次报价相差较大，客户对此有疑问。",
            "给出合理解释",
            "product",
        ),
        _Text(
            "业务员态度生硬",
            "客户询问合同条款时，业务员{staff}语气生硬，让客户“自己看合同”。",
            "道歉",
        ),
    ],
    "business_policy": [
        _Text(
            "对退货政策有异议",
            "客户认为未开封产品超过7天不予退货的规定不合理，订单号{order}。",
            "放宽退货期限",
            "order",
        ),
        _Text(
            "区域经销政策不公平",
            "客户反映相邻区域经销商的进货价更低，认为区域政策不公平。",
            "统一区域价格政策",
        ),
        _Text(
            "质保金返还手续繁琐",
            "{project}质保期已满，客户对返还质保金需提供的材料清单有异议，认为手续繁琐。",
            "简化手续，尽快返还质保金",
            "project",
        ),
        _Text(
            "最低起订量要求过高",
            "小批量采购{product}也被要求满足最低起订量，客户认为不合理。",
            "取消或降低起订量",
            "product",
        ),
    ],
    "price_dispute": [
        _Text(
            "结算价格与合同不符",
            "订单{order}结算单价高于合同约定单价，差额{amount}元。",
            "按合同价格重新结算",
            "order",
        ),
        _Text(
            "重复收取运费",
            "同一批货物在对账单中运费重复计算，多收了{amount}元，订单号{order}。",
            "退还多收的运费",
            "order",
        ),
        _Text(
            "保修期内维修被收费",
            "{project}保修期内报修，维修后仍被收取材料费{amount}元，客户认为应当免费。",
            "退还维修费用",
            "project",
            BATHROOM,
        ),
        _Text(
            "工程结算金额有争议",
            "{project}结算审核金额与施工方报送金额相差{amount}元，双方对工程量计算有分歧。",
            "重新核对工程量",
            "project",
        ),
    ],
    "schedule": [
        _Text(
            "{project}工程进度滞后",
            "合同约定{project}{part}应于上月底完工，至今仍未完成，现场施工人员明显不足。",
            "增加人员，给出明确的完工日期",
            "project",
            ROOF + WALL,
        ),
        _Text(
            "交货延误影响工期",
            "订单{order}的{product}合同交期已过{days}天仍未发货，客户现场安装队在等货。",
            "尽快发货并承担延期损失",
            "order",
        ),
        _Text(
            "维修承诺期限已过仍未处理",
            "{project}{part}的报修，承诺一周内处理，已经过去两周仍无人上门。",
            "立即安排维修",
            "project",
            BATHROOM + WINDOW,
        ),
        _Text(
            "样品迟迟未寄出",
            "客户申请的{product}样品，承诺三天内寄出，十天后仍未收到，影响投标。",
            "尽快寄出样品",
            "product",
        ),
    ],
    "technical_design": [
        _Text(
            "深化图纸与现场尺寸不符",
            "{project}{part}按我司深化图纸加工的构件与现场尺寸偏差较大，装不上。",
            "修改图纸并承担重新加工的费用",
            "project",
            WALL + WINDOW,
        ),
        _Text(
            "产品选型不当",
            "技术人员推荐的{product}压力等级偏低，{project}试运行时压力接近上限，"
            "客户担心长期运行的可靠性。",
            "重新核算选型并更换",
            "both",
        ),
        _Text(
            "技术资料不全影响验收",
            "{project}竣工验收时发现缺少{product}的合格证和型式检验报告，验收被推迟。",
            "三日内补齐技术资料",
            "both",
        ),
        _Text(
            "排水坡度设计不合理",
            "{project}{part}排水坡度设计不足，雨后长时间积水。",
            "修改设计并整改",
            "project",
            ROOF + FLOOR,
        ),
    ],
    "construction_quality": [
        _Text(
            "地面空鼓起砂",
            "{project}{part}地面多处空鼓，表面起砂，业主收房时发现。",
            "返修至合格",
            "project",
            FLOOR,
        ),
        _Text(
            "外墙涂料起皮脱落",
            "{project}{part}外墙涂料大面积起皮脱落，影响外观。",
            "重新施工",
            "project",
            WALL,
        ),
        _Text(
            "窗框安装不牢固",
            "{project}{part}窗框与墙体连接松动，推拉时晃动明显。",
            "重新加固",
            "project",
            WINDOW,
        ),
        _Text(
            "墙砖空鼓脱落",
            "{project}{part}卫生间墙砖空鼓，已有两块脱落。",
            "重新铺贴",
            "project",
            BATHROOM,
        ),
    ],
    "construction_crack": [
        _Text(
            "{part}墙体出现裂缝",
            "{project}{part}墙体出现多条斜向裂缝，最长约1.2米，业主担心继续发展。",
            "查明原因并修复",
            "project",
            WALL,
        ),
        _Text(
            "顶板出现裂缝",
            "{project}{part}顶板出现通长裂缝，下雨后有水印。",
            "鉴定原因并修复",
            "project",
            BATHROOM + WINDOW,
        ),
        _Text(
            "车库地坪裂缝",
            "{project}{part}地坪出现多条裂缝，部分已经起砂。",
            "修补地坪",
            "project",
            FLOOR,
        ),
    ],
    "construction_leak": [
        _Text(
            "屋面渗漏",
            "{project}{part}雨后屋面渗漏，顶层住户天花板出现大片水渍，墙面发霉。",
            "查找渗漏点彻底维修，赔偿装修损失",
            "project",
            ROOF,
        ),
        _Text(
            "卫生间渗漏至楼下",
            "{project}{part}卫生间渗漏，楼下住户天花板滴水。",
            "重做防水层，修复楼下吊顶",
            "project",
            BATHROOM,
        ),
        _Text(
            "地下室侧墙渗漏",
            "{project}地下车库侧墙多处渗漏，地面积水，车位无法正常停车。",
            "注浆堵漏",
            "project",
            ("地下车库B1层", "地下车库B2层"),
        ),
        _Text(
            "外窗窗台渗漏",
            "{project}{part}下雨时窗台内侧渗漏，墙纸被泡坏。",
            "重新打胶密封，赔偿墙纸",
            "project",
            WINDOW,
        ),
    ],
    "other": [
        _Text(
            "发票开具信息有误",
            "收到的增值税专用发票购买方名称有误，无法认证抵扣，订单号{order}。",
            "重新开具发票",
            "order",
        ),
        _Text(
            "官网产品资料过期",
            "官网下载的{product}安装说明是旧版本，与实物不符。",
            "更新官网资料",
            "product",
        ),
        _Text(
            "对账单迟迟未寄",
            "客户多次催要上季度对账单，至今仍未收到，影响对方财务结账。",
            "尽快寄出对账单",
        ),
    ],
}
PRODUCT_CATEGORY_FAMILIES = {"transport_packaging", "schedule", "technical_design", "other"}

# (kind, category, title, description, answer)
SHORT_PATH_TEXTS: list[tuple[Kind, str, str, str, str]] = [
    (
        Kind.INQUIRY,
        "product_quality",
        "咨询阀门保修期限",
        "客户咨询{product}的保修期多长，保修期内哪些情况可以免费维修。",
        "阀门类产品自到货之日起保修18个月，保修期内非人为原因造成的质量问题免费维修或更换。",
    ),
    (
        Kind.INQUIRY,
        "construction_leak",
        "咨询屋面防水保修范围",
        "业主咨询{project}屋面防水的保修期限和报修方式。",
        "屋面防水保修期为5年，自竣工验收之日起计算，可拨打客服热线或在微信公众号报修。",
    ),
    (
        Kind.INQUIRY,
        "business_policy",
        "咨询退换货流程",
        "客户咨询未使用的{product}能否退货，需要准备哪些单据。",
        "未拆封且不超过7天的产品可退货，请提供送货单和发票复印件，由区域经理办理。",
    ),
    (
        Kind.INQUIRY,
        "business_policy",
        "咨询质保金返还时间",
        "{project}建设单位咨询质保金什么时候返还，需要办理哪些手续。",
        "质保期满后经回访确认无遗留问题即可办理，需提供质保期满确认单，15个工作日内返还。",
    ),
    (
        Kind.INQUIRY,
        "price_dispute",
        "咨询批量采购价格",
        "客户计划采购{qty}{unit}{product}，咨询批量采购的价格优惠。",
        "已将客户需求转区域经理，区域经理将在两个工作日内提供正式报价。",
    ),
    (
        Kind.INQUIRY,
        "technical_design",
        "咨询产品安装要求",
        "施工方咨询{product}安装前是否需要清洗管道，对安装方向有什么要求。",
        "安装前必须冲洗管道去除焊渣杂质，按阀体箭头方向安装，详见随货安装说明第3页。",
    ),
    (
        Kind.INQUIRY,
        "schedule",
        "咨询订单发货时间",
        "客户咨询订单{order}什么时候发货，大约几天能到。",
        "该订单已排产，预计本周五发货，物流时效约3天，发货后短信通知物流单号。",
    ),
    (
        Kind.INQUIRY,
        "other",
        "咨询检测报告获取方式",
        "客户咨询如何获取{product}的型式检验报告。",
        "检测报告可在官网“资料下载”栏目下载，也可联系区域经理索取盖章版本。",
    ),
    (
        Kind.SUGGESTION,
        "service_quality",
        "建议开通夜间服务热线",
        "客户建议客服热线延长服务时间，晚上也能报修。",
        "感谢建议，我司已评估在雨季开通夜间报修值班，届时将通过公众号公告。",
    ),
    (
        Kind.SUGGESTION,
        "transport_packaging",
        "建议包装增加防潮措施",
        "客户建议{product}外包装增加防潮膜，南方雨季仓储容易受潮。",
        "感谢建议，已转物流部和生产部评估改进包装方案。",
    ),
    (
        Kind.SUGGESTION,
        "other",
        "建议提供电子版安装手册",
        "客户建议在产品上加印二维码，扫码即可查看电子版安装手册。",
        "感谢建议，技术部正在制作电子版手册，下季度起新批次产品加印二维码。",
    ),
    (
        Kind.SUGGESTION,
        "staff_conduct",
        "建议业务员定期回访",
        "客户建议业务员每季度主动回访一次，了解产品使用情况。",
        "感谢建议，已纳入营销部客户回访制度，由区域经理按季度回访。",
    ),
]

# words that make a complaint level 1 (SPEC §3), by what the complaint is about
LEVEL1_PHRASES = {
    "injury": "事故造成一名工人手部受伤，已送医院治疗。",
    "media": "客户表示如三日内得不到答复，将向媒体曝光。",
    "lawyer": "客户已委托律师发函，表示将提起诉讼。",
    "association": "客户称已同时向消协投诉。",
    "structure": "业主担心房屋结构出问题，已组织多户业主联名投诉。",
}
LEVEL1_CLAIM = "客户要求赔偿由此造成的全部损失共计{amount}元。"

# ------------------------------------------------------------------------------------------
# what the staff write while handling them

CONTACT_SUMMARIES = [
    "已电话联系客户，确认问题属实，承诺{days}个工作日内给出处理意见。",
    "已与客户沟通，客户情绪平稳，约定{days}日内上门查看。",
    "已联系客户现场负责人，了解了问题经过，承诺尽快处理。",
    "客户要求尽快解决，已向客户说明处理流程和时限。",
]
ANONYMOUS_CONTACT = "匿名投诉，无法联系投诉人，按来信内容直接开展调查。"
VISIT_FINDINGS = {
    "product": [
        "现场查看{product}，确认存在客户反映的问题，已拍照取证并取样{n}件。",
        "到客户现场核实，问题产品批号{batch}，已拍照并封存样品。",
        "现场检查安装情况和使用记录，已拍照留存。",
    ],
    "construction": [
        "现场查看{part}，问题属实，已拍照并标注位置。",
        "会同物业到现场勘查，确认问题部位和范围，已拍照记录。",
        "现场做了淋水试验，确认了问题位置，已拍照留存。",
    ],
    "transport": [
        "到客户仓库核对到货情况，破损及差异属实，已拍照。",
        "调取发货记录和签收单，现场清点并拍照。",
    ],
    "schedule": [
        "到现场核实进度，实际完成量与计划相差较大，已拍照记录。",
        "核对生产和发货记录，确认交期延后。",
    ],
    "technical": [
        "到现场复核尺寸和安装条件，已拍照并记录偏差。",
        "会同设计人员到现场核对图纸，已拍照记录。",
    ],
}
VISIT_FAMILIES = frozenset(VISIT_FINDINGS)  # complaints about these always get a site visit
VISIT_FINDINGS_OTHER = [
    "上门向客户了解情况，查看了相关单据，已做记录并拍照。",
    "约客户面谈，核对了沟通记录，情况基本属实。",
]
PHOTO_NAMES = {
    "product": ["现场照片.jpg", "问题部位特写.jpg", "产品铭牌.jpg"],
    "construction": ["渗漏部位.jpg", "现场照片.jpg", "裂缝位置.jpg"],
    "transport": ["包装破损.jpg", "到货照片.jpg"],
    "schedule": ["现场进度.jpg"],
    "technical": ["尺寸偏差.jpg"],
    "service": ["聊天记录截图.jpg", "服务单照片.jpg"],
    "sales": ["沟通记录截图.jpg", "对账单照片.jpg"],
    "other": ["发票照片.jpg"],
    "qa": ["检测报告.jpg", "送检样品.jpg"],
}
ROOT_CAUSES: dict[tuple[str, str], list[str]] = {
    # products, by product family
    ("valve", Determination.DEFECT): [
        "密封圈材料批次不良，硬度偏低",
        "阀体铸件存在砂眼，出厂试压漏检",
        "阀杆加工尺寸超差，装配后卡涩",
        "原材料供应商更换后未做首件检验",
    ],
    ("valve", Determination.MISUSE): [
        "安装前未冲洗管道，焊渣卡入密封面",
        "介质温度超出产品适用范围",
        "安装时螺栓扭矩过大导致法兰变形",
    ],
    ("waterproof", Determination.DEFECT): [
        "卷材胎基克重不足，生产配方控制不严",
        "涂料固化剂配比偏差，出厂检验漏检",
    ],
    ("waterproof", Determination.MISUSE): [
        "施工时基层含水率过高，不具备铺贴条件",
        "涂刷时环境温度过低，未按说明养护",
    ],
    ("pipe", Determination.DEFECT): [
        "挤出工艺参数波动，管材壁厚偏薄",
        "管件铸造有砂眼，出厂试压漏检",
    ],
    ("pipe", Determination.MISUSE): [
        "热熔时间不足，接口未完全熔合",
        "回填时未分层夯实，管道受压变形",
    ],
    ("window", Determination.DEFECT): [
        "型材壁厚偏薄，来料检验未发现",
        "五金件镀层厚度不足",
    ],
    ("window", Determination.MISUSE): [
        "用户长期开窗受风，窗扇受力变形",
        "用户自行拆改后复装不当",
    ],
    # everything else, by category or by group of categories
    ("construction", Determination.COMPANY): [
        "施工班组未按规范设置分格缝",
        "防水层收头处理不到位，附加层漏做",
        "砂浆配比不当，养护时间不足",
        "隐蔽工程验收把关不严",
    ],
    ("construction", Determination.THIRD_PARTY): [
        "分包单位施工质量不合格",
        "门窗分包单位打胶不连续",
    ],
    ("construction", Determination.CUSTOMER): [
        "业主装修时自行开槽，破坏了原有做法",
        "业主擅自拆改，改变了原设计做法",
    ],
    ("transport", Determination.THIRD_PARTY): [
        "承运商装卸不规范，途中未做固定",
        "承运商车辆篷布破损，货物淋雨受潮",
    ],
    ("transport", Determination.COMPANY): [
        "仓库拣货未复核，发错规格和数量",
        "包装设计强度不足，纸箱未加护角",
    ],
    ("service", Determination.COMPANY): [
        "服务人员服务意识不强，未按服务规范执行",
        "派工和排班管理不到位",
    ],
    ("service", Determination.CUSTOMER): [
        "客户留言的联系电话有误，回电未接通",
    ],
    ("staff_conduct", Determination.COMPANY): [
        "业务员超出授权口头承诺",
        "业务员服务意识不强，未及时跟进客户诉求",
    ],
    ("staff_conduct", Determination.CUSTOMER): [
        "客户对合同条款理解有误",
    ],
    ("business_policy", Determination.COMPANY): [
        "政策制定时未充分征求客户意见",
        "区域政策执行口径不统一",
    ],
    ("business_policy", Determination.CUSTOMER): [
        "客户对政策条款理解有误",
    ],
    ("price_dispute", Determination.COMPANY): [
        "对账时系统重复导入费用",
        "结算时未按合同单价执行",
    ],
    ("price_dispute", Determination.CUSTOMER): [
        "客户混淆了含税价与不含税价",
        "客户对工程量计算规则理解有误",
    ],
    ("schedule", Determination.COMPANY): [
        "交期评审不严，排产未考虑旺季订单",
        "项目部劳动力调配不足",
    ],
    ("schedule", Determination.THIRD_PARTY): [
        "原材料供应商延迟交货",
        "总包单位工作面移交延后",
    ],
    ("technical", Determination.COMPANY): [
        "深化设计未到现场复核尺寸",
        "选型计算未考虑实际工况",
        "资料员未随货提供完整的技术资料",
    ],
    ("technical", Determination.CUSTOMER): [
        "客户提供的设计条件与现场不符",
    ],
    ("other", Determination.COMPANY): [
        "经办人员录入客户信息有误",
        "资料未随产品改版同步更新",
    ],
    ("other", Determination.CUSTOMER): [
        "客户提供的信息有误",
    ],
}
DETERMINATION_WEIGHTS: dict[str, list[tuple[Determination, int]]] = {
    "construction": [
        (Determination.COMPANY, 70),
        (Determination.THIRD_PARTY, 15),
        (Determination.CUSTOMER, 15),
    ],
    "transport": [(Determination.THIRD_PARTY, 50), (Determination.COMPANY, 50)],
    "service": [(Determination.COMPANY, 80), (Determination.CUSTOMER, 20)],
    "sales": [(Determination.COMPANY, 50), (Determination.CUSTOMER, 50)],
    "schedule": [(Determination.COMPANY, 60), (Determination.THIRD_PARTY, 40)],
    "technical": [(Determination.COMPANY, 70), (Determination.CUSTOMER, 30)],
    "other": [(Determination.COMPANY, 60), (Determination.CUSTOMER, 40)],
}
RESPONSIBLE_DEPARTMENT = {
    "product": "production",
    "construction": "engineering",
    "transport": "logistics",
    "service": "customer_service",
    "schedule": "production",
    "technical": "technical",
    "other": "customer_service",
}
RESPONSIBLE_ROLES = {
    "product": ["班组长", "检验员", "操作工"],
    "construction": ["施工员", "班组长", "项目经理"],
    "transport": ["仓管员", "调度员"],
    "service": ["服务工程师", "客服专员"],
    "sales": ["业务员", "商务专员"],
    "schedule": ["计划员", "项目经理"],
    "technical": ["设计员", "技术员"],
    "other": ["开票员", "文员"],
}
MEASURES: dict[tuple[str, str], list[str]] = {
    ("product", Determination.DEFECT): [
        "免费更换同型号合格产品，来回运费由公司承担",
        "对同批次库存产品全部复检",
        "生产部对该工序增加100%出厂试压",
        "追溯同批次已发货客户并主动排查",
    ],
    ("product", Determination.MISUSE): [
        "现场指导正确的安装和使用方法",
        "更换受损的密封件",
        "提供书面的安装使用注意事项",
    ],
    ("construction", ""): [
        "查找问题部位并重新施工",
        "重做防水附加层并做48小时闭水试验",
        "凿除空鼓部位后重新施工",
        "裂缝注浆修补并跟踪观测一个月",
        "修复业主室内受损的装修",
    ],
    ("transport", ""): [
        "补发破损及短缺的产品",
        "向承运商索赔",
        "改用加厚纸箱和防潮膜包装",
    ],
    ("service", ""): [
        "向客户书面致歉",
        "对相关服务人员进行服务规范培训",
        "客服热线增加午间值班",
    ],
    ("sales", ""): [
        "按合同约定价格重新结算并退还差额",
        "向客户书面说明政策依据",
        "对业务员进行诫勉谈话并加强培训",
    ],
    ("schedule", ""): [
        "增加施工班组，倒排工期",
        "安排加急生产并专车送货",
        "每日向客户通报进度",
    ],
    ("technical", ""): [
        "重新出具深化设计图纸",
        "补齐合格证和检测报告",
        "重新核算选型并更换为高一压力等级的产品",
    ],
    ("other", ""): [
        "重新开具发票并快递寄出",
        "更新官网资料并通知客户",
    ],
}
SECOND_ROUND_MEASURES = {
    "product": ["更换为升级款产品", "按客户意见补偿来回运费"],
    "construction": ["由部门负责人带队上门再次维修", "补偿业主的误工损失"],
    "transport": ["按客户意见补偿来回运费"],
    "": ["由部门负责人带队上门再次处理", "按客户意见补充处理措施"],
}
PROGRESS_MESSAGES = {
    "product": ["更换的产品已发出，预计三天内到达。", "已安排人员明天上门处理，请保持电话畅通。"],
    "construction": [
        "材料已到场，正在施工，预计本周内完成。",
        "维修班组明天进场，请提前安排开门。",
    ],
    "transport": ["补发的产品已发出，预计两天内到达。", "正在与承运商协商索赔。"],
    "service": ["整改措施已落实，正在对相关人员进行培训。"],
    "sales": ["结算单已重新核对，正在走审批流程。", "区域经理将于本周上门当面说明。"],
    "schedule": ["已调整生产和施工计划，明天起每日通报进度。", "已安排加急，预计下周初到货。"],
    "technical": ["修改后的图纸正在审核，两天内发出。", "技术资料正在整理，两天内寄出。"],
    "": ["已与相关部门协调完毕，正在按方案处理。", "处理工作已完成一半，剩余部分下周初完成。"],
}
COMPLETE_SUMMARIES = {
    "product": ["已更换全部问题产品并试压合格", "已现场处理完毕，运行正常"],
    "construction": ["维修已完成，闭水试验48小时无渗漏", "已按方案修复完毕并清理现场"],
    "transport": ["已补发产品并完成承运商索赔", "已调换为正确型号"],
    "service": ["已向客户致歉，相关人员已完成培训", "已完成整改"],
    "sales": ["已重新结算并退还差额", "已向客户说明并书面回复"],
    "schedule": ["已按调整后的计划完成", "产品已送达现场"],
    "technical": ["已重新出图并完成整改", "技术资料已补齐并送达"],
    "other": ["已重新开具并寄出", "已更新完毕"],
}
VERIFY_PASSED = {
    "product": ["试压合格，无渗漏，运行正常。", "复检合格，客户现场人员确认。"],
    "construction": ["闭水试验48小时无渗漏，验收合格。", "现场复查合格，问题已解决。"],
    "": ["复查合格，整改措施已落实。", "经核实问题已解决。"],
}
VERIFY_FAILED = {
    "product": ["复检不合格，仍存在客户反映的问题。"],
    "construction": ["复查发现仍有一处渗水点，需要返修。", "复查发现修补部位仍有空鼓，需要返修。"],
    "": ["复查发现整改没有落实到位，需要继续处理。"],
}
QA_VERIFY = "质量部验证报告：现场复核处理结果，抽查{n}处均合格，同意结案前确认。"
EXPERT_REVIEWS = [
    "技术部、质量部、安全环保部联合评审：方案可行，同意实施。",
    "专家评审：处理措施有效，需同步排查同批次产品。",
    "技术、质量、安全会签：同意方案，施工期间做好安全防护。",
]
APPROVE_COMMENTS = ["同意", "同意，按期完成并及时向客户通报进度", "同意，注意控制费用", ""]
REJECT_REASONS = [
    "费用划分依据不充分，请补充现场照片和检测结论。",
    "整改措施不具体，请明确每项措施的完成时间。",
    "未考虑同批次其他客户，请补充排查措施。",
]
CONFIRM_COMMENTS = ["客户表示满意", "客户已签字确认", "客户电话确认问题已解决", ""]
NOT_SATISFIED = {
    "product": ["客户要求更换整批产品，而不只是问题产品。", "客户要求补偿停工期间的损失。"],
    "construction": ["客户认为维修后外观与原来不一致。", "客户要求同时修复室内受损的装修。"],
    "": ["客户对处理结果不满意，要求进一步处理。", "客户对补偿金额不满意。"],
}
ANONYMOUS_CONFIRM = "匿名投诉，无法联系投诉人，以内部验证结论作为处理结果确认。"
VISIT_REMARKS = [
    "客户对处理结果满意，希望今后加强质量管控。",
    "客户对服务人员的态度表示感谢。",
    "",
]
VISIT_REMARKS_UNHAPPY = [
    "客户认为处理速度偏慢，对结果基本认可。",
    "客户认为沟通不够及时，希望今后主动告知进度。",
]
SKIP_COMMENTS = {
    SkipReason.ANONYMOUS: "匿名投诉，没有联系方式，不做回访。",
    SkipReason.SENSITIVE: "涉及员工违纪调查，按规定不做回访。",
}
CLOSE_COMMENTS = ["资料齐全，予以结案。", "处理完毕，归档。", ""]
ESCALATE_REASONS = [
    "客户情绪激动，要求部门负责人出面。",
    "超过承诺期限仍未处理完毕。",
    "涉及多个部门，需要协调。",
]
RECLASSIFY_UP = "现场核实存在人身伤害风险，升为一级。"
RECLASSIFY_DOWN = "经核实未造成实际损失，客户同意按二级处理。"
ASSIGN_REASON = "经初步判断需质量部检测鉴定，转质量部处理。"
WITHDRAW_REASONS = [
    "客户已与业务员协商解决，主动撤销投诉。",
    "客户表示问题已自行处理，不再需要跟进。",
    "误会已消除，客户申请撤销。",
]
INVALID_EXPLANATIONS = [
    "经核实系客户将其他厂家的产品误认为我司产品，已向客户解释。",
    "现场检查未发现问题，系客户对使用说明理解有误，已当面解释。",
    "所述问题不属于我司供货和施工范围，已告知客户联系相关单位。",
]
MERGE_COMMENT = "同一客户就同一问题重复反映，合并处理。"
DUPLICATE_PREFIX = "客户再次反映同一问题："
ON_SPOT_SOLUTIONS = {
    "product": "现场检查后调整并更换了易损件，试用正常，客户满意。",
    "technical": "现场讲解安装要求并协助调整，客户认可。",
    "transport": "当场从库存中调换了破损产品，客户满意。",
    "service": "当面致歉并说明改进措施，客户表示接受。",
    "sales": "当场向客户解释政策依据，客户表示理解。",
    "other": "当场重新开具发票，客户满意。",
}
ON_SPOT_CATEGORIES = {
    2: ["product_quality", "technical_design"],
    3: ["transport_packaging", "service_quality", "business_policy", "other"],
}
APPEALS = {
    AppealKind.POLICY_OR_STAFF: "客户对处理结果不认可，要求由公司领导裁决。",
    AppealKind.QUALITY_DETERMINATION: "客户不认可“使用不当”的鉴定结论，申请第三方检测。",
}
APPEAL_AUTHORITY = "市产品质量监督检验研究院"
QA_REOPEN = "质量部月度抽查发现整改记录不完整，重新处理。"
QA_REPORTS = {
    Determination.DEFECT: "检测报告：送检样品关键指标低于标准要求，判定为产品质量问题。",
    Determination.MISUSE: "检测报告：送检样品各项指标合格，问题系使用不当造成，判定为使用不当。",
}
NOTES = [
    "客户要求处理进展通过微信告知。",
    "已调取发货记录核对。",
    "客户情绪较激动，沟通时注意方式。",
    "客户下周出差，上门时间需提前预约。",
]
CUSTOMER_NOTE = "您反映的问题已受理，我们会尽快与您联系。"
COST_GOODWILL = "考虑长期合作关系，配件费用由公司承担。"

# ------------------------------------------------------------------------------------------
# the plan: which complaint ends where, and by which path

# flags that must have happened before a complaint may stop at its target state
MILESTONES = frozenset(
    {
        "reject",
        "verify_fail",
        "not_satisfied",
        "appeal_policy",
        "appeal_quality",
        "qa_reopen",
        "undeterminable",
        "visit",
    }
)


@dataclass(frozen=True)
class _Scenario:
    key: str
    target: State
    flags: frozenset[str]
    weight: int
    exits: tuple[State, ...] = ()  # where a withdrawal or invalidation happens


def _s(key, target, flags=(), weight=1, exits=()) -> _Scenario:
    return _Scenario(key, target, frozenset(flags), weight, tuple(exits))


SCENARIOS = [
    _s("registered", State.REGISTERED, weight=4),
    _s("registered_escalated", State.REGISTERED, {"escalate"}),
    _s("accepted", State.ACCEPTED, weight=4),
    _s("investigating", State.INVESTIGATING, weight=3),
    _s("investigating_visited", State.INVESTIGATING, {"visit"}, 2),
    _s("investigating_major", State.INVESTIGATING, {"major", "visit"}),
    _s("awaiting_qa", State.INVESTIGATING, {"undeterminable"}, 2),
    _s("planning", State.PLANNING, weight=3),
    _s("planning_after_rejection", State.PLANNING, {"reject"}),
    _s("appeal_open", State.PLANNING, {"appeal_policy"}),
    _s("plan_approval", State.PLAN_APPROVAL, weight=3),
    _s("plan_approval_major", State.PLAN_APPROVAL, {"major"}),
    _s("plan_approval_resubmitted", State.PLAN_APPROVAL, {"reject"}),
    _s("treating", State.TREATING, weight=5),
    _s("treating_rework", State.TREATING, {"verify_fail"}),
    _s("verifying", State.VERIFYING, weight=2),
    _s("verifying_major", State.VERIFYING, {"major"}),
    _s("confirming", State.CONFIRMING, weight=3),
    _s("return_visit", State.RETURN_VISIT, weight=3),
    _s("closed", State.CLOSED, weight=26),
    _s("closed_major", State.CLOSED, {"major"}, 3),
    _s("closed_filed", State.CLOSED, {"minor"}, 3),
    _s("closed_cosmetic", State.CLOSED, {"cosmetic"}),
    _s("closed_rejected_plan", State.CLOSED, {"reject"}, 4),
    _s("closed_failed_verification", State.CLOSED, {"verify_fail"}, 3),
    _s("closed_not_satisfied", State.CLOSED, {"not_satisfied"}, 3),
    _s("closed_undeterminable", State.CLOSED, {"undeterminable"}, 4),
    _s("closed_escalated", State.CLOSED, {"escalate"}, 3),
    _s("closed_anonymous", State.CLOSED, {"anonymous"}, 2),
    _s("closed_sensitive", State.CLOSED, {"sensitive"}, 2),
    _s("closed_appeal_policy", State.CLOSED, {"appeal_policy"}),
    _s("closed_appeal_quality", State.CLOSED, {"appeal_quality"}),
    _s("closed_qa_reopen", State.CLOSED, {"qa_reopen"}),
    _s("closed_reclassified", State.CLOSED, {"reclassify"}, 2),
    _s("closed_reassigned", State.CLOSED, {"assign"}, 2),
    _s("on_spot", State.CLOSED, {"on_spot"}, 6),
    _s("answered", State.CLOSED, {"answer"}, 7),
    _s("suggestion", State.CLOSED, {"answer", "suggestion"}, 2),
    _s(
        "withdrawn",
        State.WITHDRAWN,
        weight=4,
        exits=(State.REGISTERED, State.ACCEPTED, State.INVESTIGATING, State.TREATING),
    ),
    _s("invalid", State.INVALID, weight=4, exits=(State.ACCEPTED, State.INVESTIGATING)),
    _s("merged", State.MERGED, weight=3),
]

# how long ago complaints that stop in each state were registered (days)
AGE_DAYS = {
    State.REGISTERED: (0, 2),
    State.ACCEPTED: (0, 3),
    State.INVESTIGATING: (1, 10),
    State.PLANNING: (3, 20),
    State.PLAN_APPROVAL: (3, 20),
    State.TREATING: (5, 30),
    State.VERIFYING: (10, 40),
    State.CONFIRMING: (10, 40),
    State.RETURN_VISIT: (10, 45),
    State.MERGED: (0, 10),
}
HISTORY_DAYS = 180


@dataclass
class _Slot:
    scenario: _Scenario
    registered_at: datetime
    exit_at: State | None = None
    severity: int = 2
    kind: Kind = Kind.COMPLAINT
    category: str = ""
    channel: Channel = Channel.PHONE
    merge_into: int | None = None  # position of the target in the sorted plan
    short_path: tuple[Kind, str, str, str, str] | None = None

    @property
    def flags(self) -> frozenset[str]:
        return self.scenario.flags

    @property
    def target(self) -> State:
        return self.scenario.target


def _pick(rng: random.Random, weighted: dict[Any, int]) -> Any:
    options = list(weighted)
    return rng.choices(options, weights=[weighted[o] for o in options])[0]


def _covering(rng: random.Random, options: list, used: Counter, weights: dict) -> Any:
    """An option not used yet if there is one (so small demos cover everything), else by weight."""
    unused = [o for o in options if not used[o]]
    chosen = rng.choice(unused) if unused else _pick(rng, {o: weights.get(o, 1) for o in options})
    used[chosen] += 1
    return chosen


def _registered_at(rng: random.Random, target: State, now: datetime) -> datetime:
    low, high = AGE_DAYS.get(target, (3, HISTORY_DAYS))
    day = timezone.localtime(now) - timedelta(days=rng.randint(low, high))
    at = day.replace(hour=rng.randint(8, 19), minute=rng.randint(0, 59), second=0, microsecond=0)
    if at >= now:
        at = now - timedelta(minutes=rng.randint(5, 180))
    return at


def _plan(count: int, rng: random.Random, now: datetime) -> list[_Slot]:
    scenarios = SCENARIOS[:count] + rng.choices(
        SCENARIOS, weights=[s.weight for s in SCENARIOS], k=max(0, count - len(SCENARIOS))
    )
    slots = [
        _Slot(
            scenario,
            _registered_at(rng, scenario.target, now),
            exit_at=rng.choice(scenario.exits) if scenario.exits else None,
        )
        for scenario in scenarios
    ]
    slots.sort(key=lambda slot: slot.registered_at)
    merge_targets: set[int] = set()
    for position, slot in enumerate(slots):
        if slot.target == State.MERGED:
            open_before = [
                earlier
                for earlier in range(position)
                if slots[earlier].target in OPEN_STATES and slots[earlier].exit_at is None
            ]
            fresh = [p for p in open_before if p not in merge_targets]
            if fresh or open_before:
                slot.merge_into = rng.choice((fresh or open_before)[-6:])
                merge_targets.add(slot.merge_into)
            else:  # nothing open to merge into: the customer withdraws
                slot.scenario = next(s for s in SCENARIOS if s.key == "withdrawn")
                slot.exit_at = State.REGISTERED
    used_categories: Counter = Counter()
    used_channels: Counter = Counter()
    for slot in slots:
        if slot.merge_into is not None:
            slot.channel = _pick(rng, CHANNEL_WEIGHT)
            continue
        _classify(slot, rng, used_categories, used_channels)
    return slots


def _classify(slot: _Slot, rng: random.Random, categories: Counter, channels: Counter) -> None:
    """Kind, severity, category and channel of one planned complaint."""
    flags = slot.flags
    if "answer" in flags or (slot.target == State.REGISTERED and rng.random() < 0.2):
        wanted = Kind.SUGGESTION if "suggestion" in flags else None
        texts = [t for t in SHORT_PATH_TEXTS if wanted is None or t[0] == wanted]
        unused = [t for t in texts if not categories[t[1]]]
        slot.short_path = rng.choice(unused or texts)
        slot.kind, slot.category, slot.severity = slot.short_path[0], slot.short_path[1], 3
        categories[slot.category] += 1
        options = list(CHANNEL_WEIGHT)
        slot.channel = _covering(rng, options, channels, CHANNEL_WEIGHT)
        return
    slot.severity = _severity(slot, rng)
    slot.category = _covering(rng, _categories(slot), categories, CATEGORY_WEIGHT)
    if "on_spot" in flags:
        options = [Channel.PHONE, Channel.ON_SITE, Channel.CHAT, Channel.WECHAT]
    elif "anonymous" in flags:
        options = [Channel.LETTER, Channel.WEB, Channel.EMAIL, Channel.PHONE]
    elif slot.severity == 1 and (
        any(not channels[c] for c in LEVEL1_CHANNELS) or rng.random() < 0.4
    ):
        options = LEVEL1_CHANNELS
    else:
        options = list(CHANNEL_WEIGHT)
    weights = {**CHANNEL_WEIGHT, **dict.fromkeys(LEVEL1_CHANNELS, 1)}
    slot.channel = _covering(rng, options, channels, weights)


def _severity(slot: _Slot, rng: random.Random) -> int:
    flags = slot.flags
    if "major" in flags:
        return 1
    if flags & {"minor", "cosmetic"}:
        return 3
    needs_approval = slot.target == State.PLAN_APPROVAL or flags & {
        "reject",
        "undeterminable",
        "appeal_quality",
        "reclassify",
        "assign",
    }
    if needs_approval:
        return 1 if rng.random() < 0.25 else 2
    if flags & {"on_spot", "anonymous"}:
        return rng.choice([2, 3, 3])
    if flags & {"sensitive", "appeal_policy"}:
        return rng.choice([1, 3, 3, 3])
    return rng.choices([1, 2, 3], weights=[15, 50, 35])[0]


def _categories(slot: _Slot) -> list[str]:
    flags = slot.flags
    if flags & {"undeterminable", "appeal_quality", "assign", "cosmetic"}:
        return ["product_quality"]
    if "sensitive" in flags:
        return ["staff_conduct"]
    if "appeal_policy" in flags:
        return ["business_policy", "price_dispute", "service_quality"]
    if "on_spot" in flags:
        return ON_SPOT_CATEGORIES[2 if slot.severity <= 2 else 3]
    if slot.severity == 3:
        return LEVEL3_CATEGORIES
    if slot.severity == 2:
        return LEVEL2_CATEGORIES
    return LEVEL2_CATEGORIES + LEVEL3_CATEGORIES


# ------------------------------------------------------------------------------------------
# the record as the intake clerk writes it


@dataclass
class _Record:
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


def _person(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    if rng.random() < 0.2:
        return surname + rng.choice(["先生", "女士"])
    return surname + rng.choice(GIVEN_NAMES)


def _phone(rng: random.Random) -> str:
    """A mobile number, stored as every entrance stores one (E.164, kesu.core.phones)."""
    prefix = rng.choice(["138", "139", "137", "136", "135", "186", "188", "158", "159"])
    return phones.normalise(f"{prefix}{rng.randint(0, 99999999):08d}")


def _values(
    rng: random.Random, slot: _Slot, region: str, chosen: tuple[str, str, str]
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


def _compose(slot: _Slot, rng: random.Random, categories: dict[str, Category]) -> _Record:
    region = _pick(rng, {"east": 45, "north": 30, "south": 25})
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
        name = _person(rng)
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
    return _Record(
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


def _routing(rng, slot: _Slot, family: str, region: str, text: _Text) -> tuple[str, str, str]:
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


# ------------------------------------------------------------------------------------------
# driving one complaint through the real actions


class _Story:
    """Walk one complaint from registration to its planned state, one action at a time."""

    MAX_STEPS = 80

    def __init__(self, demo: _Demo, slot: _Slot, record: _Record, c: Complaint, rng):
        self.demo, self.slot, self.record, self.c, self.rng = demo, slot, record, c, rng
        self.family = CATEGORY_FAMILY[slot.category] if slot.category else "other"
        self.pending = set(slot.flags & MILESTONES)
        self.extras: dict[State, list[str]] = {}
        self.visited = False
        self.photos: list[int] = []
        self.progress_left = rng.randint(0, 2)
        self.plans = 0
        self.open_target = slot.target in OPEN_STATES
        self.cause = self._planned_cause()
        if "escalate" in slot.flags:
            first = State.REGISTERED if slot.target == State.REGISTERED else State.INVESTIGATING
            self.extras.setdefault(first, []).extend(["escalate"] * rng.choice([1, 1, 2]))
        if "reclassify" in slot.flags:
            self.extras.setdefault(State.PLANNING, []).append("reclassify")
        if "assign" in slot.flags:
            self.extras.setdefault(State.INVESTIGATING, []).append("assign")
        if slot.target != State.MERGED and rng.random() < 0.3:
            where = rng.choice([State.REGISTERED, State.INVESTIGATING, State.TREATING])
            self.extras.setdefault(where, []).append(
                "customer_note" if where == State.REGISTERED else "note"
            )

    # who does what ---------------------------------------------------------------------

    def user(self, username: str) -> User:
        return self.demo.users[username]

    @property
    def owner(self) -> User:
        return self.demo.by_id[self.c.owner_id]

    @property
    def intake(self) -> User:
        registrar = self.user(self.record.registrar)
        return registrar if registrar.role == Role.INTAKE else self.user("demo_kefu1")

    def head(self) -> User:
        return self.demo.head_of(self.c.department_id)

    def executive(self) -> User:
        sales = self.demo.departments["sales"].pk
        in_sales = self.c.department_id in self.demo.tree(sales)
        return self.user("demo_vp" if in_sales else "demo_gm")

    def qa(self) -> User:
        return self.user("demo_wu")

    def texts(self, by_family: dict[str, list[str]]) -> list[str]:
        """The texts written about this family of complaints, or the general ones."""
        return by_family.get(self.family) or by_family[""]

    # timing ------------------------------------------------------------------------------

    def after(self, low: int, high: int) -> datetime:
        """A deadline: days after registration, or from today for a complaint still open."""
        base = timezone.now() if self.open_target else self.c.registered_at
        return base + timedelta(days=self.rng.randint(low, high))

    # the walk ----------------------------------------------------------------------------

    def run(self) -> None:
        moment = self.c.registered_at
        for _step in range(self.MAX_STEPS):
            state = State(self.c.state)
            if state == self.slot.target and not self.pending and not self.extras.get(state):
                self._catch_up(timezone.now())
                return
            if state in FINAL_STATES and state != State.CLOSED:
                break
            # Each step happens a few working hours after the one before, never in the future.
            moment = min(moment + timedelta(minutes=self.rng.randint(20, 26 * 60)), timezone.now())
            with clock.as_of(moment):
                self._catch_up(moment)
                if self.extras.get(state):
                    self._extra(self.extras[state].pop(0))
                    continue
                self._step(state)
        raise RuntimeError(
            f"demo complaint {self.c.number} ({self.slot.scenario.key}) stopped in "
            f"{self.c.state} instead of {self.slot.target}"
        )

    def _catch_up(self, moment: datetime) -> None:
        """The deadline ladder's steps (warn, breach, escalate) that fell due before `moment`,
        on the timeline where the sweeper would have put them, told to nobody: the demo's
        past is history, and the first sweep after loading has nothing old to announce."""
        due = self.c.next_check_at
        if due is not None and due <= moment:
            actions.record_past_deadline_steps(self.c, until=moment)

    def _step(self, state: State) -> None:
        flags, slot = self.slot.flags, self.slot
        if slot.exit_at == state and (state != State.INVESTIGATING or self.visited):
            return self._exit()
        if state == State.REGISTERED:
            if "on_spot" in flags:
                return self._resolve_on_spot()
            if "answer" in flags:
                return self._answer()
            if slot.target == State.MERGED:
                return self._merge()
            return self._accept()
        if state == State.ACCEPTED:
            return self._contact()
        if state == State.INVESTIGATING:
            c = self.c
            if c.determination == Determination.UNDETERMINABLE and not c.qa_determination:
                return self._qa_determine()
            if not self.visited and (self.family in VISIT_FAMILIES or "visit" in self.pending):
                return self._visit()
            if slot.exit_at == state:
                return self._exit()
            return self._determine()
        if state == State.PLANNING:
            return self._propose()
        if state == State.PLAN_APPROVAL:
            return self._decide()
        if state == State.TREATING:
            if self.progress_left > 0:
                return self._progress()
            return self._complete()
        if state == State.VERIFYING:
            return self._verify()
        if state == State.CONFIRMING:
            return self._confirm()
        if state == State.RETURN_VISIT:
            if not self.c.return_visit_settled:
                return self._return_visit()
            return self._close()
        if state == State.CLOSED:
            return self._after_close()
        raise RuntimeError(f"no demo step from {state}")

    # extras ------------------------------------------------------------------------------

    def _extra(self, what: str) -> None:
        c, rng = self.c, self.rng
        if what == "escalate":
            if c.escalation_level >= MAX_ESCALATION_LEVEL:  # the deadline ladder got there first
                return
            actor = self.intake if c.owner_id is None or rng.random() < 0.5 else self.owner
            actions.escalate(c, actor=actor, reason=rng.choice(ESCALATE_REASONS))
        elif what == "reclassify":
            up = c.severity == Severity.LEVEL_2
            actions.reclassify(
                c,
                actor=self.owner,
                severity=Severity.LEVEL_1 if up else Severity.LEVEL_2,
                reason=RECLASSIFY_UP if up else RECLASSIFY_DOWN,
            )
        elif what == "assign":
            actions.assign(
                c,
                actor=self.intake,
                owner=self.user("demo_sun"),
                department=self.demo.departments["quality"],
                reason=ASSIGN_REASON,
            )
        elif what == "note":
            actor = self.owner if c.owner_id else self.intake
            actions.note(c, actor=actor, text=rng.choice(NOTES))
        elif what == "customer_note":
            actions.note(c, actor=self.intake, text=CUSTOMER_NOTE, visibility=Visibility.CUSTOMER)

    # the short paths ---------------------------------------------------------------------

    def _resolve_on_spot(self) -> None:
        actor = self.user(self.record.registrar)
        actions.resolve_on_spot(
            self.c,
            actor=actor,
            solution=ON_SPOT_SOLUTIONS.get(self.family, ON_SPOT_SOLUTIONS["service"]),
            customer_confirmed=True,
        )

    def _answer(self) -> None:
        method = {
            Channel.WECHAT: ContactMethod.WECHAT,
            Channel.EMAIL: ContactMethod.EMAIL,
            Channel.ON_SITE: ContactMethod.ON_SITE,
            Channel.LETTER: ContactMethod.LETTER,
        }.get(Channel(self.c.channel), ContactMethod.PHONE)
        actions.answer(self.c, actor=self.intake, answer=self.record.answer, method=method)

    def _merge(self) -> None:
        target = self.demo.numbers[self.slot.merge_into]  # type: ignore[index]
        actions.merge(self.c, actor=self.intake, into=target, comment=MERGE_COMMENT)

    def _exit(self) -> None:
        c = self.c
        if self.slot.target == State.WITHDRAWN:
            actor = self.owner if c.owner_id and self.rng.random() < 0.5 else self.intake
            actions.withdraw(c, actor=actor, reason=self.rng.choice(WITHDRAW_REASONS))
        else:
            actions.invalidate(
                c, actor=self.owner, explanation=self.rng.choice(INVALID_EXPLANATIONS)
            )

    # the normal path ---------------------------------------------------------------------

    def _accept(self) -> None:
        owner = self.user(self.record.owner)
        department = self.demo.departments[self.record.department]
        c, rng = self.c, self.rng
        actor = self.intake
        if owner.pk == c.registered_by_id or (
            owner.role == Role.HANDLER
            and owner.department_id == c.department_id
            and rng.random() < 0.2
        ):
            actor = owner  # takes it himself
        elif c.department_id is not None and rng.random() < 0.25:
            head = self.demo.head_of(c.department_id)
            scope = self.demo.tree(head.department_id)
            if department.pk in scope and c.department_id in scope:
                actor = head
        actions.accept(
            c,
            actor=actor,
            owner=owner,
            department=department,
            comment="请于24小时内联系客户。" if actor != owner else "",
        )

    def _contact(self) -> None:
        c, rng = self.c, self.rng
        if c.anonymous:
            method, summary = ContactMethod.OTHER, ANONYMOUS_CONTACT
        else:
            method = rng.choice([ContactMethod.PHONE] * 3 + [ContactMethod.WECHAT])
            summary = rng.choice(CONTACT_SUMMARIES).format(days=rng.randint(2, 5))
        actions.contact(
            c, actor=self.owner, method=method, promised_at=self.after(3, 7), summary=summary
        )

    def _photo(self, actor: User, names_of: str = "") -> int:
        names = PHOTO_NAMES.get(names_of or self.family, ["现场照片.jpg"])
        name = self.rng.choice(names)
        content = demo_jpeg(
            f"Kesu demo {self.c.number} {len(self.photos) + 1}", shade=self.rng.randint(120, 170)
        )
        upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
        attachment: Attachment = add_attachment(self.c, upload, actor=actor)
        self.photos.append(attachment.pk)
        return attachment.pk

    def _visit(self) -> None:
        self.visited = True
        self.pending.discard("visit")
        findings_pool = VISIT_FINDINGS.get(self.family, VISIT_FINDINGS_OTHER)
        findings = self.rng.choice(findings_pool).format(**self.record.values)
        photo = self._photo(self.owner)
        visited_at = min(
            self.c.registered_at + timedelta(hours=self.rng.randint(18, 60)), clock.now()
        )
        actions.visit(
            self.c,
            actor=self.owner,
            findings=findings,
            sampled=self.family == "product" and self.rng.random() < 0.6,
            visited_at=visited_at,
            attachments=[photo],
        )

    def _planned_cause(self) -> Determination:
        """What the investigation will find (QA's finding when the handler cannot tell)."""
        if self.family != "product":
            weights = DETERMINATION_WEIGHTS.get(self.family, DETERMINATION_WEIGHTS["other"])
            return _pick(self.rng, dict(weights))
        if "appeal_quality" in self.slot.flags:
            return Determination.MISUSE
        return Determination.DEFECT if self.rng.random() < 0.65 else Determination.MISUSE

    def _determine(self) -> None:
        c, rng = self.c, self.rng
        product = self.family == "product"
        if "undeterminable" in self.pending:
            self.pending.discard("undeterminable")
            determination = Determination.UNDETERMINABLE
        else:
            determination = self.cause
        if (product or determination in COMPANY_SIDE) and not self.photos:
            self._photo(self.owner)
        root_cause = ""
        if determination != Determination.UNDETERMINABLE:
            topic = self.record.product_family if product else self.slot.category
            causes = ROOT_CAUSES.get((topic, determination))
            root_cause = rng.choice(causes or ROOT_CAUSES[(self.family, determination)])
        responsible = None
        person = ""
        if determination in COMPANY_SIDE:
            code = RESPONSIBLE_DEPARTMENT.get(self.family, self.record.department)
            if self.family == "schedule" and self.record.department == "engineering":
                code = "engineering"
            responsible = self.demo.departments[code]
            if self.slot.category == "staff_conduct":
                person = f"业务员{self.record.values['staff']}"
            else:
                person = f"{_person(rng)}（{rng.choice(RESPONSIBLE_ROLES[self.family])}）"
        actions.determine(
            c,
            actor=self.owner,
            determination=determination,
            root_cause=root_cause,
            responsible_department=responsible,
            responsible_person=person,
            evidence=list(self.photos),
        )

    def _qa_determine(self) -> None:
        result = self.cause
        evidence = []
        if self.rng.random() < 0.5:
            evidence = [self._photo(self.qa(), "qa")]
        actions.qa_determine(
            self.c,
            actor=self.qa(),
            determination=result,
            report=QA_REPORTS[result],
            evidence=evidence,
        )

    def _propose(self) -> None:
        c, rng = self.c, self.rng
        self.plans += 1
        self.progress_left = rng.randint(0, 2)
        determination = c.effective_determination
        key = (self.family, determination if self.family == "product" else "")
        pool = MEASURES.get(key) or MEASURES[("other", "")]
        if self.plans > 1:
            pool = self.texts(SECOND_ROUND_MEASURES) + pool
        picked = rng.sample(pool, k=min(len(pool), rng.randint(1, 3)))
        colleagues = [self.owner, self.owner, self.head()]
        measures = [
            Measure(
                description=text,
                owner=rng.choice(colleagues),
                deadline=self.after(5 + 5 * (self.plans - 1), 15 + 5 * (self.plans - 1)),
            )
            for text in picked
        ]
        kwargs: dict[str, Any] = {}
        if self.family in ("product", "construction"):
            kwargs["in_warranty"] = rng.random() < 0.85
        undeterminable = c.determination == Determination.UNDETERMINABLE
        if undeterminable:
            kwargs["returned_to_company"] = True
            kwargs["handler_could_determine"] = (
                determination == Determination.MISUSE and rng.random() < 0.3
            )
        if determination == Determination.MISUSE and not undeterminable:
            kwargs["repair_scope"] = rng.choice(list(RepairScope))
        if determination == Determination.MISUSE and rng.random() < 0.25:
            proposed = costs.as_json(
                costs.propose_cost_split(
                    costs.CostFacts(
                        determination=determination,
                        returned_to_company=kwargs.get("returned_to_company", False),
                        initially_undeterminable=undeterminable,
                        repair_scope=kwargs.get("repair_scope", ""),
                        in_warranty=kwargs.get("in_warranty"),
                        handler_could_determine=kwargs.get("handler_could_determine", False),
                        handler_penalty_pct=current_policy().handler_transport_penalty_pct,
                    )
                )
            )
            goodwill = [
                {**line, "bearer": CostBearer.COMPANY} if line["item"] == CostItem.PARTS else line
                for line in proposed
            ]
            if goodwill != proposed:
                kwargs["cost"], kwargs["cost_reason"] = goodwill, COST_GOODWILL
        actions.propose_plan(c, actor=self.owner, measures=measures, **kwargs)

    def _decide(self) -> None:
        c, rng = self.c, self.rng
        major = c.severity == Severity.LEVEL_1
        actor = self.executive() if major else self.head()
        if "reject" in self.pending:
            self.pending.discard("reject")
            actions.reject_plan(c, actor=actor, reason=rng.choice(REJECT_REASONS))
            return
        actions.approve_plan(
            c,
            actor=actor,
            comment=rng.choice(APPROVE_COMMENTS),
            expert_review=rng.choice(EXPERT_REVIEWS) if major else "",
        )

    def _progress(self) -> None:
        self.progress_left -= 1
        method = self.rng.choice([ContactMethod.PHONE, ContactMethod.WECHAT, ContactMethod.SMS])
        actions.progress(
            self.c,
            actor=self.owner,
            message=self.rng.choice(self.texts(PROGRESS_MESSAGES)),
            method=method,
        )

    def _complete(self) -> None:
        summaries = COMPLETE_SUMMARIES.get(self.family, COMPLETE_SUMMARIES["other"])
        actions.complete(self.c, actor=self.owner, summary=self.rng.choice(summaries))

    def _verify(self) -> None:
        c, rng = self.c, self.rng
        passed = "verify_fail" not in self.pending
        self.pending.discard("verify_fail")
        if c.severity == Severity.LEVEL_1:
            actor = self.qa()
            report = QA_VERIFY.format(n=rng.randint(2, 6))
            if not passed:
                report = rng.choice(self.texts(VERIFY_FAILED))
        else:
            actor = self.head() if rng.random() < 0.5 else self.owner
            report = rng.choice(self.texts(VERIFY_PASSED if passed else VERIFY_FAILED))
        actions.verify(c, actor=actor, passed=passed, report=report)
        if not passed:
            self.progress_left = 1

    def _confirm(self) -> None:
        c, rng = self.c, self.rng
        if c.anonymous:
            actions.confirm(
                c,
                actor=self.intake,
                satisfied=True,
                method=ContactMethod.OTHER,
                comment=ANONYMOUS_CONFIRM,
            )
            return
        satisfied = "not_satisfied" not in self.pending
        self.pending.discard("not_satisfied")
        by_owner = rng.random() < 0.4
        actions.confirm(
            c,
            actor=self.owner if by_owner else self.intake,
            satisfied=satisfied,
            method=ContactMethod.ON_SITE if by_owner else ContactMethod.PHONE,
            comment=rng.choice(CONFIRM_COMMENTS)
            if satisfied
            else rng.choice(self.texts(NOT_SATISFIED)),
        )

    def _return_visit(self) -> None:
        c, rng = self.c, self.rng
        if c.anonymous or c.sensitive:
            reason = SkipReason.ANONYMOUS if c.anonymous else SkipReason.SENSITIVE
            actions.skip_return_visit(
                c, actor=self.intake, reason=reason, comment=SKIP_COMMENTS[reason]
            )
            return
        scale = rng.choice([3, 5])
        if scale == 3:
            options = {"satisfied": 70, "neutral": 22, "dissatisfied": 8}
        else:
            options = {
                "very_satisfied": 35,
                "satisfied": 40,
                "neutral": 15,
                "dissatisfied": 7,
                "very_dissatisfied": 3,
            }
        answers = [_pick(rng, options) for _ in range(rng.randint(3, 4))]
        unhappy = {"neutral", "dissatisfied", "very_dissatisfied"} & set(answers)
        by_qa = rng.random() < 0.3
        actions.return_visit(
            c,
            actor=self.qa() if by_qa else self.intake,
            method=ContactMethod.ON_SITE if by_qa else ContactMethod.PHONE,
            scale=scale,
            answers=answers,
            remarks=rng.choice(VISIT_REMARKS_UNHAPPY if unhappy else VISIT_REMARKS),
        )

    def _close(self) -> None:
        actor = self.qa() if self.rng.random() < 0.3 else self.intake
        actions.close(self.c, actor=actor, comment=self.rng.choice(CLOSE_COMMENTS))

    def _after_close(self) -> None:
        c = self.c
        for flag, kind in (
            ("appeal_policy", AppealKind.POLICY_OR_STAFF),
            ("appeal_quality", AppealKind.QUALITY_DETERMINATION),
        ):
            if flag in self.pending:
                self.pending.discard(flag)
                actions.appeal(
                    c,
                    actor=self.intake,
                    kind=kind,
                    reason=APPEALS[kind],
                    authority=APPEAL_AUTHORITY if kind == AppealKind.QUALITY_DETERMINATION else "",
                )
                return
        if "qa_reopen" in self.pending:
            self.pending.discard("qa_reopen")
            actions.reopen(c, actor=self.qa(), reason=QA_REOPEN)
            return
        raise RuntimeError(f"nothing left to do for closed demo complaint {c.number}")


# ------------------------------------------------------------------------------------------
# loading


class _Demo:
    """The staff, departments and categories the stories need, looked up once."""

    def __init__(self):
        self.departments = {d.code: d for d in Department.objects.all()}
        self.categories = {c.code: c for c in Category.objects.all()}
        self.users: dict[str, User] = {}
        self.by_id: dict[int, User] = {}
        self.numbers: dict[int, str] = {}
        self._parents = {d.pk: d.parent_id for d in self.departments.values()}
        self._trees: dict[int, frozenset[int]] = {}

    def add_user(self, user: User) -> None:
        self.users[user.username] = user
        self.by_id[user.pk] = user

    def tree(self, department_id: int | None) -> frozenset[int]:
        """The department and every department below it."""
        if department_id is None:
            return frozenset()
        if department_id not in self._trees:
            found = {department_id}
            changed = True
            while changed:
                below = {pk for pk, parent in self._parents.items() if parent in found}
                changed = not below <= found
                found |= below
            self._trees[department_id] = frozenset(found)
        return self._trees[department_id]

    def head_of(self, department_id: int | None) -> User:
        """The demo department head responsible for a department (or the one above it)."""
        node = department_id
        while node is not None:
            for username, _name, role, code, _title in STAFF:
                if role == Role.DEPT_HEAD and self.departments[code].pk == node:
                    return self.users[username]
            node = self._parents.get(node)
        return self.users["demo_tang"]


def _ensure_staff(demo: _Demo) -> int:
    """Create the demo staff that are missing; returns how many were created."""
    existing = {u.username: u for u in User.objects.filter(username__startswith=DEMO_PREFIX)}
    created = 0
    hashed = ""
    for username, name, role, code, _title in STAFF:
        user = existing.get(username)
        if user is None:
            hashed = hashed or make_password(DEMO_PASSWORD)  # hash once: hashing is slow
            user = create_user(
                username,
                role=role,
                department=demo.departments[code],
                name=name,
                email=f"{username}@example.com",
            )
            user.password = hashed
            user.save(update_fields=["password"])
            created += 1
        demo.add_user(user)
    return created


def demo_complaints():
    """The complaints registered by demo staff."""
    return Complaint.objects.filter(registered_by__username__startswith=DEMO_PREFIX)


def load_demo(count: int = 300, seed: int = 20261121) -> dict[str, Any]:
    """Create the demo staff and register and drive `count` complaints (see the module doc).

    Returns what was done: created/existing complaint counts, staff created, complaints per
    state, the demo logins and their password, and the seconds it took.
    """
    started = time.monotonic()
    load_defaults()
    demo = _Demo()
    with transaction.atomic():
        staff_created = _ensure_staff(demo)
    existing = demo_complaints().count()
    missing = max(0, count - existing)
    if missing:
        now = timezone.now()
        # a batch that tops up an earlier, smaller demo gets its own stream of chance
        plan_rng = random.Random(f"{seed}:{existing}")  # noqa: S311 (demo data, not secrets)
        slots = _plan(missing, plan_rng, now)
        records: dict[int, _Record] = {}
        for position, slot in enumerate(slots):
            rng = random.Random(f"{seed}:{existing}:{position}")  # noqa: S311
            if slot.merge_into is not None:
                records[position] = _duplicate(records[slot.merge_into], slot)
            else:
                records[position] = _compose(slot, rng, demo.categories)
            with transaction.atomic():  # one complaint, all its actions, or nothing
                _tell(demo, position, slot, records[position], rng)
    states = dict(demo_complaints().values_list("state").annotate(n=Count("id")))
    return {
        "created": missing,
        "existing": existing,
        "skipped": missing == 0,
        "staff_created": staff_created,
        "by_state": {state: states.get(state, 0) for state in State},
        "users": [
            (username, name, Role(role).label, demo.departments[code].name, title)
            for username, name, role, code, title in STAFF
        ],
        "password": DEMO_PASSWORD,
        "seconds": time.monotonic() - started,
    }


def _duplicate(original: _Record, slot: _Slot) -> _Record:
    """The same customer reporting the same problem again (to be merged)."""
    slot.category = original.new.category.code
    slot.kind = original.new.kind
    description = original.new.description
    for source in CHANNEL_SOURCE.values():
        description = description.removeprefix(source)
    new = replace(
        original.new,
        channel=slot.channel,
        description=DUPLICATE_PREFIX + description,
        extra_event_data={"source": "demo"},
    )
    return replace(original, new=new, registrar=INTAKE_BY_CHANNEL.get(slot.channel, "demo_kefu1"))


def _tell(demo: _Demo, position: int, slot: _Slot, record: _Record, rng: random.Random) -> None:
    new = record.new
    registrar = demo.users[record.registrar]
    if registrar.role == Role.HANDLER:
        new.department = demo.departments[record.department]
    if new.sensitive:
        new.accused = demo.users[REGIONAL[record.region]]
    complaint, _created = actions.register(
        new,
        actor=registrar,
        severity=record.severity,
        severity_reason=record.severity_reason,
        registered_at=slot.registered_at,
    )
    demo.numbers[position] = complaint.number
    _Story(demo, slot, record, complaint, rng).run()
