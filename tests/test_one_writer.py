"""One writer of the timeline (issue #15): only the actions package creates `ComplaintEvent`
rows, so every event gets the frame's lock, version rule and notification step.

A grep-level check on the syntax trees of `kesu/` (migrations aside): outside
`kesu/complaints/actions/` no module builds an event (`ComplaintEvent(...)`), creates one through
the manager (`ComplaintEvent.objects.create`, `bulk_create`, `get_or_create`,
`update_or_create`) or through a complaint (`<x>.events.create`, …), saves or inserts one it
built (`.save()`, `PreparedInsert`, `insert_row`), or inserts into its table in raw SQL. And no
module outside the package reaches for its private names. Each form is planted in a snippet
to prove the checker sees it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACTIONS = ROOT / "kesu" / "complaints" / "actions"
MODEL = "ComplaintEvent"
CREATING = {"create", "bulk_create", "get_or_create", "update_or_create"}
CREATING |= {f"a{name}" for name in CREATING}  # the async ones (acreate, …)
MANAGERS = {"objects", "_default_manager", "_base_manager"}
INSERTING = {"PreparedInsert", "insert_row"}
BUILDING = {"event_of"}  # the frame's unsaved event
# the table by name, or by the model in an f-string (`{ComplaintEvent._meta.db_table}`)
RAW_INSERT = re.compile(
    r"insert\s+into\s+\W*(complaints_complaintevent\b|\{[^}]*ComplaintEvent)", re.I
)
ACTIONS_MODULE = "kesu.complaints.actions"


@dataclass(frozen=True)
class Fault:
    line: int
    what: str


def _name(node: ast.AST) -> str:
    """The last name of `x` or `a.b.x`; "" for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


class _Checker(ast.NodeVisitor):
    def __init__(self) -> None:
        self.faults: list[Fault] = []
        self.models = {MODEL}  # names the model is known by in the module (aliases)
        self.events: set[str] = set()  # names holding an event the module built

    def fault(self, node: ast.AST, what: str) -> None:
        self.faults.append(Fault(getattr(node, "lineno", 0), what))

    def is_model(self, node: ast.AST) -> bool:
        return _name(node) in self.models

    def is_event(self, node: ast.AST) -> bool:
        """A new event: built here, or a name holding one."""
        if isinstance(node, ast.Call):
            return self.is_model(node.func) or _name(node.func) in BUILDING
        return isinstance(node, ast.Name) and node.id in self.events

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name == MODEL and alias.asname:
                self.models.add(alias.asname)
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        if self.is_model(node.value) and not isinstance(node.value, ast.Call):
            self.models.update(names)  # Event = ComplaintEvent
        elif self.is_event(node.value):
            self.events.update(names)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if self.is_model(func):
            self.fault(node, f"{MODEL}(...) built")
        elif _name(func) in INSERTING and node.args and self.is_event(node.args[0]):
            self.fault(node, f"{_name(func)} of an event")
        elif isinstance(func, ast.Attribute):
            owner = func.value
            if func.attr in CREATING and isinstance(owner, ast.Attribute):
                if owner.attr in MANAGERS and self.is_model(owner.value):
                    self.fault(node, f"{MODEL}.{owner.attr}.{func.attr}")
                elif owner.attr == "events":
                    self.fault(node, f"<complaint>.events.{func.attr}")
            elif func.attr == "save" and self.is_event(owner):
                self.fault(node, "an event saved")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and RAW_INSERT.search(node.value):
            self.fault(node, "raw INSERT into the events' table")

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        if RAW_INSERT.search(ast.unparse(node)):
            self.fault(node, "raw INSERT into the events' table")
        else:
            self.generic_visit(node)


def event_writes(source: str) -> list[Fault]:
    """Where the module's source creates timeline events."""
    checker = _Checker()
    checker.visit(ast.parse(source))
    return checker.faults


def private_uses(source: str) -> list[Fault]:
    """Where the module imports or reads a private name (`_x`) of the actions package."""
    faults: list[Fault] = []
    modules: set[str] = set()  # names bound to the package or one of its modules
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            inside = node.module == ACTIONS_MODULE or node.module.startswith(ACTIONS_MODULE + ".")
            for alias in node.names:
                bound = alias.asname or alias.name
                if inside and alias.name.startswith("_"):
                    faults.append(Fault(node.lineno, f"from {node.module} import {alias.name}"))
                elif inside or f"{node.module}.{alias.name}".startswith(ACTIONS_MODULE):
                    modules.add(bound)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(ACTIONS_MODULE):
                    if any(part.startswith("_") for part in alias.name.split(".")):
                        faults.append(Fault(node.lineno, f"import {alias.name}"))
                    if alias.asname:
                        modules.add(alias.asname)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and (
                (isinstance(node.value, ast.Name) and node.value.id in modules)
                or ast.unparse(node.value).startswith(ACTIONS_MODULE)
            )
        ):
            faults.append(Fault(node.lineno, ast.unparse(node)))
    return sorted(faults, key=lambda f: f.line)


def _modules(*tops: str) -> list[Path]:
    found = []
    for top in tops:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" in path.parts or path.is_relative_to(ACTIONS):
                continue
            found.append(path)
    return found


def _report(faults: dict[Path, list[Fault]]) -> str:
    return "\n".join(
        f"{path.relative_to(ROOT)}:{f.line}: {f.what}" for path, its in faults.items() for f in its
    )


def test_only_the_actions_package_creates_timeline_events():
    modules = _modules("kesu")
    assert len(modules) > 100  # the walk found the code
    faults = {p: f for p in modules if (f := event_writes(p.read_text(encoding="utf-8")))}
    assert not faults, "timeline events written outside kesu/complaints/actions:\n" + _report(
        faults
    )


def test_the_actions_package_does_write_them():
    """The checker is not blind to the real writers: the package itself trips it."""
    written = {p.name for p in ACTIONS.glob("*.py") if event_writes(p.read_text(encoding="utf-8"))}
    assert {"frame.py", "registration.py", "ladder.py"} <= written


def test_nothing_outside_the_actions_package_uses_its_private_names():
    modules = _modules("kesu", "tests", "bench")
    faults = {p: f for p in modules if (f := private_uses(p.read_text(encoding="utf-8")))}
    assert not faults, "private names of the actions package used:\n" + _report(faults)


PLANTED = """
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.complaints.models import ComplaintEvent as Event
from kesu.complaints import models
from kesu.core.rows import PreparedInsert, insert_row
from kesu.complaints.actions.frame import event_of

Alias = ComplaintEvent

def writes(c, rows, cursor, table):
    ComplaintEvent(complaint=c, type="note")                      # 1 built
    models.ComplaintEvent(complaint=c, type="note")               # 2 built, by attribute
    Event(complaint=c, type="note")                               # 3 built, imported as
    Alias(complaint=c, type="note")                               # 4 built, assigned
    ComplaintEvent.objects.create(complaint=c)                    # 5
    ComplaintEvent.objects.bulk_create(rows)                      # 6
    ComplaintEvent.objects.get_or_create(complaint=c)             # 7
    Event.objects.update_or_create(complaint=c)                   # 8
    ComplaintEvent._default_manager.create(complaint=c)           # 9
    c.events.create(type="note")                                  # 10
    c.events.bulk_create(rows)                                    # 11
    Complaint.objects.get(pk=1).events.get_or_create(type="note") # 12
    made = event_of(c, "note", None)
    made.save()                                                   # 13
    PreparedInsert(made).execute()                                # 14
    insert_row(event_of(c, "note", None))                         # 15
    cursor.execute("INSERT INTO complaints_complaintevent (type) VALUES ('note')")  # 16
    cursor.execute(f"insert into {ComplaintEvent._meta.db_table} (type) values (%s)")  # 17
    cursor.execute(f'INSERT INTO "complaints_complaintevent" ("{table}") VALUES (1)')  # 18
"""

INNOCENT = """
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.core.rows import PreparedInsert

def reads(c, rows, cursor):
    ComplaintEvent.objects.filter(complaint=c).count()
    c.events.filter(type="note").exists()
    c.events.all()
    Complaint.objects.create(number="KS1")
    PreparedInsert(Complaint(number="KS2")).execute()
    c.save()
    cursor.execute("SELECT id FROM complaints_complaintevent")
    cursor.execute("INSERT INTO complaints_complaint (number) VALUES ('KS3')")
"""


def test_the_checker_catches_each_form_of_writing_an_event():
    faults = event_writes(PLANTED)
    caught = {f.line for f in faults}
    marked = {
        i for i, line in enumerate(PLANTED.splitlines(), start=1) if re.search(r"# \d+\b", line)
    }
    missed = "\n".join(PLANTED.splitlines()[i - 1] for i in sorted(marked - caught))
    assert not missed, "the checker missed:\n" + missed
    assert caught == marked  # and nothing else in the snippet
    assert len(marked) == 18


def test_the_checker_leaves_reading_and_other_tables_alone():
    assert event_writes(INNOCENT) == []


def test_the_checker_catches_private_names_of_the_actions_package():
    planted = """
from kesu.complaints import actions
from kesu.complaints.actions import frame
from kesu.complaints.actions.frame import _told, lock
import kesu.complaints.actions.registration as registration

actions._private(1)
frame._told.get()
registration._helper()
kesu.complaints.actions.frame._told
actions.register(1)
lock(1)
"""
    found = [f.what for f in private_uses(planted)]
    assert found == [
        "from kesu.complaints.actions.frame import _told",
        "actions._private",
        "frame._told",
        "registration._helper",
        "kesu.complaints.actions.frame._told",
    ], found


def test_the_portals_links_know_neither_the_notifications_nor_the_actions():
    """`portal.links` keeps the token mechanics; the rules read links (one way), the actions
    record what staff do with them. Late imports inside functions count too."""
    tree = ast.parse((ROOT / "kesu" / "portal" / "links.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
        elif isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
    above = ("kesu.notifications", ACTIONS_MODULE)
    assert not [m for m in imported if m.startswith(above)], imported
