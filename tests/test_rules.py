"""The pure rules: severity proposal, cost responsibility, satisfaction, numbering."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kesu.complaints import costs, numbering, satisfaction
from kesu.complaints.choices import Determination, RepairScope
from kesu.complaints.severity import SeverityRules, propose_severity

RULES = SeverityRules(
    level1_claim_amount=Decimal("50000"),
    level1_channels=frozenset({"media", "consumer_association", "government", "legal"}),
    keywords=(("受伤", 1), ("媒体", 1), ("坍塌", 1), ("渗漏", 2)),
)


def propose(**kw):
    args = {
        "kind": "complaint",
        "channel": "phone",
        "category_default": 3,
        "claim_amount": None,
        "texts": ["客户反馈"],
    }
    args.update(kw)
    return propose_severity(RULES, **args)


class TestSeverity:
    def test_a_plain_complaint_takes_its_category_default(self):
        assert propose().level == 3
        assert propose(category_default=2).level == 2

    @pytest.mark.parametrize("channel", ["media", "consumer_association", "government", "legal"])
    def test_external_channels_make_it_level_1(self, channel):
        proposal = propose(channel=channel)
        assert proposal.level == 1 and f"channel:{channel}" in proposal.reasons

    def test_the_claim_threshold_is_inclusive(self):
        assert propose(claim_amount=Decimal("49999.99")).level == 3
        assert propose(claim_amount=Decimal("50000")).level == 1

    def test_words_in_any_text_raise_it(self):
        assert propose(texts=["墙体渗漏"]).level == 2
        proposal = propose(texts=["标题", "工人受伤"])
        assert proposal.level == 1 and "keyword:受伤" in proposal.reasons

    def test_a_word_never_lowers_it(self):
        assert propose(channel="media", texts=["渗漏"]).level == 1

    def test_suggestions_and_inquiries_are_level_3(self):
        assert propose(kind="inquiry", texts=["受伤"], channel="media").level == 3


class TestCosts:
    def split(self, **kw):
        return {
            (line.item, line.bearer, line.share_pct)
            for line in costs.propose_cost_split(costs.CostFacts(**kw))
        }

    def test_defect_company_bears_replacement_and_transport(self):
        assert self.split(determination=Determination.DEFECT) == {
            ("replacement_or_repair", "company", 100),
            ("transport", "company", 100),
        }

    def test_misuse_simple_on_site_is_free(self):
        assert self.split(
            determination=Determination.MISUSE, repair_scope=RepairScope.SIMPLE_ON_SITE
        ) == {("labour", "company", 100)}

    def test_misuse_complex_customer_pays_parts_and_transport(self):
        assert self.split(determination=Determination.MISUSE, repair_scope=RepairScope.COMPLEX) == {
            ("labour", "company", 100),
            ("parts", "customer", 100),
            ("transport", "customer", 100),
        }

    def test_misuse_simple_part_customer_pays_the_part(self):
        assert ("parts", "customer", 100) in self.split(
            determination=Determination.MISUSE, repair_scope=RepairScope.PART_REPLACEMENT
        )

    def test_undeterminable_return_at_company_cost_then_warranty_parts_at_cost(self):
        assert self.split(
            determination=Determination.MISUSE, initially_undeterminable=True, in_warranty=True
        ) == {
            ("return_transport", "company", 100),
            ("labour", "company", 100),
            ("parts", "customer", 100),
        }

    def test_avoidable_return_puts_the_penalty_share_on_the_handler(self):
        lines = costs.propose_cost_split(
            costs.CostFacts(
                determination=Determination.MISUSE,
                returned_to_company=True,
                handler_could_determine=True,
                handler_penalty_pct=40,
                repair_scope=RepairScope.COMPLEX,
            )
        )
        transport = [line for line in lines if line.item == "return_transport"]
        assert {(t.bearer, t.share_pct, t.penalty) for t in transport} == {
            ("handler", 40, True),
            ("company", 60, False),
        }

    def test_a_hand_made_split_must_add_up(self):
        ok = [{"item": "parts", "bearer": "customer", "share_pct": 100}]
        assert costs.validate_split(ok) == {}
        short = [{"item": "parts", "bearer": "customer", "share_pct": 60}]
        assert set(costs.validate_split(short)) == {"0.share_pct"}
        wrong = [{"item": "parts", "bearer": "x", "share_pct": 100}]
        assert set(costs.validate_split(wrong)) == {"0.bearer"}


class TestSatisfaction:
    def test_three_option_scale(self):
        score = satisfaction.score(3, ["satisfied", "neutral", "dissatisfied"])
        assert (score.points, score.max_points, score.pct) == (5, 9, Decimal("55.6"))

    def test_five_option_scale_can_go_negative(self):
        score = satisfaction.score(5, ["very_dissatisfied", "very_dissatisfied"])
        assert score.pct == Decimal("-33.3")  # -2 of 6
        assert satisfaction.score(5, ["very_satisfied"]).pct == Decimal("100.0")

    def test_an_answer_from_the_other_scale_is_refused(self):
        with pytest.raises(ValueError, match="very_satisfied"):
            satisfaction.score(3, ["very_satisfied"])
        with pytest.raises(ValueError):
            satisfaction.score(3, [])


class TestNumbering:
    at = datetime(2026, 11, 21, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

    def test_default_pattern(self):
        pattern = "KS{YYYYMM}{seq:05d}"
        assert numbering.prefix_for(pattern, self.at) == "KS202611"
        assert numbering.format_number(pattern, self.at, 7) == "KS20261100007"
        assert numbering.format_number(pattern, self.at, 123456) == "KS202611123456"

    def test_a_number_of_any_month_is_parsed(self):
        pattern = "KS{YYYYMM}{seq:05d}"
        assert numbering.parse_number(pattern, "KS20250300012") == ("KS202503", 12)
        assert numbering.parse_number(pattern, "KS2025030001x") is None
        assert numbering.parse_number(pattern, "OLD-123") is None
        assert numbering.parse_number("TS-{YY}{MM}-{seq:04d}", "TS-2503-0042") == ("TS-2503-", 42)

    def test_other_patterns(self):
        assert numbering.format_number("TS-{YY}{MM}-{seq:04d}", self.at, 3) == "TS-2611-0003"
        assert numbering.format_number("C{YYYY}{seq}", self.at, 3) == "C20263"


@pytest.mark.django_db
def test_the_sequence_restarts_each_month_and_imports_reserve(defaults):
    with_seq = [numbering.next_sequence("KS202611") for _ in range(3)]
    assert with_seq == [1, 2, 3]
    assert numbering.next_sequence("KS202612") == 1
    numbering.reserve_at_least("KS202611", 40)
    numbering.reserve_at_least("KS202611", 10)  # never goes back
    assert numbering.next_sequence("KS202611") == 41


def test_a_subtree_holds_the_root_and_everything_below_it_even_with_a_cycle():
    from kesu.core.trees import subtree

    edges = [(1, None), (2, 1), (3, 2), (4, 1), (5, None), (6, 7), (7, 6)]
    assert subtree(1, edges) == {1, 2, 3, 4}
    assert subtree(3, edges) == {3}
    assert subtree(6, edges) == {6, 7}
