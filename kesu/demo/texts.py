"""What the demo complaints are about: categories, products, projects, places, people, and the
texts the clerk types.
"""

from __future__ import annotations

from dataclasses import dataclass

from kesu.complaints.choices import (
    Channel,
    Kind,
)

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
