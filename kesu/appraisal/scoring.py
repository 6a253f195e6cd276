"""The arithmetic of a scorecard: figures against targets and weights, a score, a rank.

Plain values in, plain values out (no database), so a manager's question "why 86.4?" is
answered by the lines themselves:

* a figure is a count over a count (17 of 20 accepted on time); with nothing to count (0 of 0)
  the indicator does not apply and its weight leaves the score, rather than scoring 0 or full;
* a floor (higher is better) met or passed earns the whole weight; below it, the weight in
  proportion (90 % against a 95 % target earns 90/95 of it);
* a ceiling (reopened, repeat complaints) kept earns the whole weight; above it, the weight
  shrinks in proportion to the room left (10 % against a 5 % ceiling earns 90/95 of it);
* the score is the points earned over the weights that apply, out of 100; the deduction of a
  line is its weight less its points, and the incidents behind it are the complaints the
  figure failed on (`kesu.appraisal.scorecards`);
* ranks are shared on equal scores (1, 2, 2, 4); a scorecard with nothing to score comes last,
  unranked.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

HUNDRED = Decimal(100)
TENTH = Decimal("0.1")


def _tenth(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figure:
    """One indicator of one department or person: `numerator` of `denominator`."""

    numerator: int
    denominator: int

    def __post_init__(self) -> None:
        # A part of a whole, but satisfaction's points may be below zero: on the 5-option
        # scale 很不满意 scores −1 (SPEC §8), so −2 of 6 is a figure (−33.3 %).
        if not (self.denominator >= 0 and self.numerator <= self.denominator):
            raise ValueError(
                f"a figure counts part of a whole: {self.numerator}/{self.denominator}"
            )

    @property
    def pct(self) -> Decimal | None:
        if not self.denominator:
            return None
        return _tenth(Decimal(self.numerator) * HUNDRED / self.denominator)


@dataclass(frozen=True)
class Line:
    """One indicator on a scorecard: the figure, the target and weight applied, the points."""

    measure: str
    figure: Figure
    target_pct: Decimal
    weight: int
    lower_is_better: bool = False

    @property
    def applies(self) -> bool:
        return self.figure.denominator > 0

    @property
    def met(self) -> bool | None:
        pct = self.figure.pct
        if pct is None:
            return None
        return pct <= self.target_pct if self.lower_is_better else pct >= self.target_pct

    @property
    def points(self) -> Decimal | None:
        """The share of the weight earned (None: nothing to measure)."""
        pct = self.figure.pct
        if pct is None:
            return None
        if self.met:
            return Decimal(self.weight)
        if self.lower_is_better:  # above the ceiling: the room left against the room allowed
            earned = (HUNDRED - pct) / (HUNDRED - self.target_pct)
        else:  # below the floor: how far towards it
            earned = pct / self.target_pct
        return _tenth(Decimal(self.weight) * max(earned, Decimal(0)))  # never below nothing

    @property
    def deduction(self) -> Decimal:
        points = self.points
        return Decimal(0) if points is None else _tenth(Decimal(self.weight) - points)


def score(lines: Sequence[Line]) -> Decimal | None:
    """Points earned over the weights of the lines that apply, out of 100; None if none does."""
    applying = [line for line in lines if line.applies and line.weight]
    weights = sum(line.weight for line in applying)
    if not weights:
        return None
    earned = sum((line.points or Decimal(0) for line in applying), Decimal(0))
    return _tenth(earned * HUNDRED / weights)


T = TypeVar("T")


def ranked(
    items: Sequence[T], score_of: Callable[[T], Decimal | None]
) -> list[tuple[int | None, T]]:
    """`items` best first with their rank: equal scores share a rank and the next rank skips
    (1, 2, 2, 4); those without a score come last, without a rank."""
    scored = sorted(
        (item for item in items if score_of(item) is not None),
        key=lambda item: score_of(item),  # type: ignore[arg-type, return-value]
        reverse=True,
    )
    out: list[tuple[int | None, T]] = []
    for position, item in enumerate(scored, start=1):
        tied = out and score_of(out[-1][1]) == score_of(item)
        out.append((out[-1][0] if tied else position, item))
    out += [(None, item) for item in items if score_of(item) is None]
    return out
