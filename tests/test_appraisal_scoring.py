"""The arithmetic of a scorecard (kesu.appraisal.scoring), on worked examples a manager could
check by hand."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kesu.appraisal.scoring import Figure, Line, ranked, score


def line(num, den, target, weight, lower=False):
    return Line("m", Figure(num, den), Decimal(target), weight, lower)


def test_a_floor_met_earns_the_whole_weight_and_below_it_the_proportion():
    assert line(19, 20, "95", 25).points == Decimal(25)  # 95.0 % against 95 %
    below = line(18, 20, "95", 25)  # 90.0 %: 90/95 of 25 = 23.68…
    assert below.points == Decimal("23.7") and below.deduction == Decimal("1.3")
    assert below.met is False


def test_a_ceiling_kept_earns_the_whole_weight_and_above_it_the_room_left():
    assert line(1, 20, "5", 10, lower=True).points == Decimal(10)  # 5.0 %
    above = line(2, 20, "5", 10, lower=True)  # 10 %: (100-10)/(100-5) of 10 = 9.47…
    assert above.points == Decimal("9.5") and above.deduction == Decimal("0.5")


def test_nothing_to_measure_leaves_the_score_instead_of_scoring_zero():
    lines = [line(18, 20, "95", 25), line(0, 0, "90", 20), line(17, 20, "85", 20)]
    # (23.7 + 20) / 45 × 100 = 97.1
    assert score(lines) == Decimal("97.1")
    assert lines[1].points is None and lines[1].deduction == 0
    assert score([line(0, 0, "90", 20)]) is None


def test_the_default_weights_on_a_worked_month():
    lines = [
        line(49, 50, "98", 15),  # accepted on time 98 %: 15
        line(45, 50, "95", 25),  # limits met 90 %: 25 × 90/95 = 23.7
        line(40, 44, "90", 20),  # resolved 90.9 %: 20
        line(170, 198, "85", 20),  # satisfaction 85.9 %: 20
        line(40, 44, "100", 10),  # visits 90.9 %: 9.1
        line(3, 44, "5", 5, lower=True),  # reopened 6.8 %: 5 × 93.2/95 = 4.9
        line(1, 50, "5", 5, lower=True),  # repeats 2 %: 5
    ]
    assert [str(x.points) for x in lines] == ["15", "23.7", "20", "20", "9.1", "4.9", "5"]
    assert score(lines) == Decimal("97.7")


def test_equal_scores_share_a_rank_and_unscored_come_last():
    cards = {"华东": Decimal("91.5"), "华北": Decimal("97"), "华南": Decimal("91.5"), "物流": None}
    order = ranked(list(cards), cards.get)
    assert order == [(1, "华北"), (2, "华东"), (2, "华南"), (None, "物流")]
    assert ranked(["甲", "乙", "丙", "丁"], {"甲": 1, "乙": 2, "丙": 2, "丁": 3}.get)[3] == (
        4,
        "甲",
    )


def test_a_figure_is_part_of_a_whole():
    with pytest.raises(ValueError):
        Figure(3, 2)
    with pytest.raises(ValueError):
        Figure(0, -1)


def test_satisfaction_below_zero_earns_nothing_and_loses_the_whole_weight():
    # two answers of 很不满意 on the 5-option scale: −1 each of 3 each (SPEC §8)
    worst = line(-2, 6, "85", 20)
    assert worst.figure.pct == Decimal("-33.3")
    assert worst.points == 0 and worst.deduction == 20 and worst.met is False
    assert Figure(0, 0).pct is None and Figure(1, 3).pct == Decimal("33.3")


@given(
    num=st.integers(0, 500),
    extra=st.integers(0, 500),
    target=st.integers(1, 99),
    weight=st.integers(0, 100),
    lower=st.booleans(),
)
def test_points_stay_within_the_weight_and_grow_with_the_figure(num, extra, target, weight, lower):
    den = num + extra
    if den == 0:
        return
    now = line(num, den, target, weight, lower)
    assert 0 <= now.points <= weight
    assert now.points + now.deduction == weight
    if num < den:  # one more success is never worse (one more failure, for a ceiling)
        better = (
            line(num + 1, den, target, weight, lower)
            if not lower
            else line(num, den + 1, target, weight, lower)
        )
        assert better.points >= now.points
