"""Links to the figure drill-down (/statistics/figure/): the complaints behind one side of any
indicator figure, for the indicators table, the scorecards and their incidents."""

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from kesu.statistics.counts import Dimension
from kesu.statistics.periods import Period

# `part=rest`: the complaints below the line and not above it (counted, but not for it)
REST = "rest"


def figure_link(
    period: Period, figures: list[str], part: str, by: Dimension | None = None, key: Any = ""
) -> str:
    """The drill-down of one side of a figure (several figures: their complaints together)."""
    query = {"figure": ",".join(figures), "period": str(period), "part": part}
    if by is not None:
        query |= {"by": by.value, "key": "none" if key is None else str(key)}
    return f"{reverse('statistics_figure')}?{urlencode(query)}"
