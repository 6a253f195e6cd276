"""The scorecards as a `kesu.reports.tables.Table`: one row per department or person, ranked,
with each indicator's figure and points, for the writers (xlsx, CSV, the CLI's text).

Also the few words a scorecard is shown with everywhere (the API, the workspace, the files):
a line's figure as "17/20 = 85.0 %", a level's name.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from kesu.appraisal.choices import Level, Measure
from kesu.appraisal.scorecards import Scorecard
from kesu.appraisal.scoring import Line
from kesu.reports.tables import Column, ColumnKind, Table
from kesu.statistics.periods import Period


def shown(line: Line) -> str:
    """A line's figure as people read it: "17/20 = 85.0 %", or "0/0" when it does not apply."""
    figure = line.figure
    pct = figure.pct
    return f"{figure.numerator}/{figure.denominator}" + ("" if pct is None else f" = {pct} %")


def title(period: Period, level: Level) -> str:
    return _("Scorecards %(period)s, by %(level)s") % {
        "period": period,
        "level": str(Level(level).label),
    }


def scorecards_table(period: Period, level: Level, cards: list[Scorecard]) -> Table:
    """Rank, name, score, deduction, then per indicator its figure and points."""
    measures = [Measure(line.measure) for line in cards[0].lines] if cards else []
    columns = [
        Column(_("Rank"), ColumnKind.INTEGER, 6),
        Column(str(Level(level).label), ColumnKind.TEXT, 16),
        Column(_("Score"), ColumnKind.DECIMAL, 8),
        Column(_("Deduction"), ColumnKind.DECIMAL, 10),
    ]
    for measure in measures:
        columns.append(Column(str(measure.label), ColumnKind.TEXT, 18))
        columns.append(
            Column(
                _("%(indicator)s: points") % {"indicator": str(measure.label)},
                ColumnKind.DECIMAL,
                10,
            )
        )

    def row(card: Scorecard) -> list[object]:
        cells: list[object] = [card.rank, card.name, card.score, card.deduction]
        for line in card.lines:
            cells += [shown(line), line.points]
        return cells

    notes = [
        _("%(indicator)s: target %(target)s %%, weight %(weight)s%(ceiling)s")
        % {
            "indicator": str(Measure(line.measure).label),
            "target": line.target_pct,
            "weight": line.weight,
            "ceiling": str(_(" (a ceiling)")) if line.lower_is_better else "",
        }
        for line in (cards[0].lines if cards else ())
    ]
    return Table(
        code="scorecards",
        title=title(period, level),
        columns=columns,
        rows=[row(card) for card in cards],
        caption=_("Period: %(period)s (%(first)s – %(last)s)")
        % {"period": period, "first": period.first, "last": period.last},
        notes=notes,
    )


def points_text(value: Decimal | None) -> str:
    return "—" if value is None else str(value)
