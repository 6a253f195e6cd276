"""What the demo's staff write while handling complaints: contact, visit, plan, progress,
verification, closing.
"""

from __future__ import annotations

from kesu.complaints.choices import (
    AppealKind,
    Determination,
    SkipReason,
)

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
