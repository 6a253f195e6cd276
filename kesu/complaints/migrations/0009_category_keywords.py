from django.db import migrations, models


# The default words as they were when this migration was written (kesu.site.defaults may
# change later; a migration keeps its own copy).
CATEGORY_KEYWORDS = {
    "product_quality": "质量 故障 损坏 不合格 失灵 坏了 阀门 零件 产品",
    "transport_packaging": "运输 包装 破损 物流 快递 送货 压坏",
    "service_quality": "态度 服务 不理 推诿 敷衍 客服 怠慢",
    "staff_conduct": "业务员 销售人员 工作人员 违规 失职 收回扣",
    "business_policy": "政策 优惠 规定 活动 积分",
    "schedule": "进度 延误 工期 拖延 停工 逾期 交付 迟迟",
    "technical_design": "设计 技术 图纸 方案 参数 选型",
    "construction_quality": "施工 工程 返工 不平 空鼓 脱落",
    "construction_crack": "裂缝 开裂 裂纹",
    "construction_leak": "渗漏 漏水 渗水 返潮 滴水",
    "price_dispute": "价格 合同 收费 退款 多收 发票 结算",
}


def fill_default_keywords(apps, schema_editor):
    """Existing installations get the default words for the default categories."""
    Category = apps.get_model("complaints", "Category")
    for code, words in CATEGORY_KEYWORDS.items():
        Category.objects.filter(code=code, keywords="").update(keywords=words)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0008_event_customer_visible_flag"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="keywords",
            field=models.CharField(
                blank=True,
                help_text="Words that suggest this category while a complaint is typed, "
                "separated by spaces.",
                max_length=500,
                verbose_name="keywords",
            ),
        ),
        migrations.RunPython(fill_default_keywords, migrations.RunPython.noop),
    ]
