"""The demo's cast: departments' staff with Chinese names, and who takes which call."""

from __future__ import annotations

from kesu.accounts.choices import Role
from kesu.accounts.models import Department, User
from kesu.complaints.choices import (
    Channel,
)
from kesu.complaints.models import Category

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


class Demo:
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
