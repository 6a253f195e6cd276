"""Driving one demo complaint through the real actions, step by step, to its planned end."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kesu.accounts.choices import Role
from kesu.accounts.models import User
from kesu.complaints import actions, costs
from kesu.complaints.actions import Measure
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
    RepairScope,
    Severity,
    SkipReason,
    State,
    Visibility,
)
from kesu.complaints.models import Attachment, Complaint
from kesu.core import clock
from kesu.demo.cast import Demo
from kesu.demo.compose import Record, demo_jpeg, person_name
from kesu.demo.handling_texts import (
    ANONYMOUS_CONFIRM,
    ANONYMOUS_CONTACT,
    APPEAL_AUTHORITY,
    APPEALS,
    APPROVE_COMMENTS,
    ASSIGN_REASON,
    CLOSE_COMMENTS,
    COMPLETE_SUMMARIES,
    CONFIRM_COMMENTS,
    CONTACT_SUMMARIES,
    COST_GOODWILL,
    CUSTOMER_NOTE,
    DETERMINATION_WEIGHTS,
    ESCALATE_REASONS,
    EXPERT_REVIEWS,
    INVALID_EXPLANATIONS,
    MEASURES,
    MERGE_COMMENT,
    NOT_SATISFIED,
    NOTES,
    ON_SPOT_SOLUTIONS,
    PHOTO_NAMES,
    PROGRESS_MESSAGES,
    QA_REOPEN,
    QA_REPORTS,
    QA_VERIFY,
    RECLASSIFY_DOWN,
    RECLASSIFY_UP,
    REJECT_REASONS,
    RESPONSIBLE_DEPARTMENT,
    RESPONSIBLE_ROLES,
    ROOT_CAUSES,
    SECOND_ROUND_MEASURES,
    SKIP_COMMENTS,
    VERIFY_FAILED,
    VERIFY_PASSED,
    VISIT_FAMILIES,
    VISIT_FINDINGS,
    VISIT_FINDINGS_OTHER,
    VISIT_REMARKS,
    VISIT_REMARKS_UNHAPPY,
    WITHDRAW_REASONS,
)
from kesu.demo.plan import MILESTONES, Slot, pick
from kesu.demo.texts import CATEGORY_FAMILY
from kesu.policies.queries import current_policy

# driving one complaint through the real actions


class Story:
    """Walk one complaint from registration to its planned state, one action at a time."""

    MAX_STEPS = 80

    def __init__(self, demo: Demo, slot: Slot, record: Record, c: Complaint, rng):
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
        if self.c.owner_id is None:  # the stories ask only once the complaint is assigned
            raise LookupError(f"{self.c.number} has no owner yet")
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
            with clock.as_of(moment), actions.unannounced():
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
        if self.slot.merge_into is None:  # only a slot planned as a duplicate merges
            raise LookupError(f"{self.c.number} has nothing to merge into")
        target = self.demo.numbers[self.slot.merge_into]
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
        attachment: Attachment = actions.add_attachment(self.c, upload, actor=actor)
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
            return pick(self.rng, dict(weights))
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
                person = f"{person_name(rng)}（{rng.choice(RESPONSIBLE_ROLES[self.family])}）"
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
        answers = [pick(rng, options) for _ in range(rng.randint(3, 4))]
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
