"""Satisfaction scoring (SPEC §8). Pure."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from kesu.complaints.choices import SurveyScale

# answer code -> points, per scale
SCALE_POINTS: dict[int, dict[str, int]] = {
    SurveyScale.THREE: {"satisfied": 3, "neutral": 2, "dissatisfied": 0},
    SurveyScale.FIVE: {
        "very_satisfied": 3,
        "satisfied": 2,
        "neutral": 1,
        "dissatisfied": 0,
        "very_dissatisfied": -1,
    },
}
ANSWER_LABELS = {
    "very_satisfied": _("Very satisfied"),
    "satisfied": _("Satisfied"),
    "neutral": _("Neutral"),
    "dissatisfied": _("Dissatisfied"),
    "very_dissatisfied": _("Very dissatisfied"),
}
MAX_POINTS_PER_QUESTION = 3

# The questions staff ask on a return visit (and the customer answers by link): speed,
# attitude, result — the three things the regulations in seeds/ ask customers about.
SURVEY_QUESTIONS = (
    _("How quickly did we respond to your complaint?"),
    _("How did our staff treat you?"),
    _("How satisfied are you with how the problem was solved?"),
)


@dataclass(frozen=True)
class Score:
    points: Decimal
    max_points: Decimal
    pct: Decimal


def score(scale: int, answers: list[str]) -> Score:
    """Points obtained / maximum points × 100, maximum = 3 × questions answered.

    Raises ValueError, with a translated message, naming the first answer the scale does not
    know.
    """
    table = SCALE_POINTS.get(scale)
    if table is None:
        raise ValueError(_("A survey has 3 or 5 options per question."))
    if not answers:
        raise ValueError(_("Answer at least one question."))
    unknown = [a for a in answers if a not in table]
    if unknown:
        raise ValueError(
            _("“%(answer)s” is not an answer of the %(scale)s-option scale (use %(options)s).")
            % {"answer": unknown[0], "scale": scale, "options": ", ".join(table)}
        )
    points = Decimal(sum(table[a] for a in answers))
    max_points = Decimal(MAX_POINTS_PER_QUESTION * len(answers))
    pct = (points / max_points * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Score(points, max_points, pct)
