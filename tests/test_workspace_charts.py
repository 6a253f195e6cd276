"""The server-drawn charts: well-formed SVG named by its title and description, every text
escaped, marks proportional to their figures, each mark a link to its complaints."""

import xml.etree.ElementTree as ET

import pytest

from kesu.workspace import charts

NS = {"s": "http://www.w3.org/2000/svg"}
HOSTILE = "<script>alert(\"x\")</script> & '引号'"


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314  # our own output, under test


def every_chart() -> list[str]:
    bars = [charts.Bar("产品质量", 8, "/inbox/?a=1&b=2"), charts.Bar(HOSTILE, 2, "")]
    return [
        charts.bars("c1", HOSTILE, HOSTILE, bars),
        charts.stacked_bars(
            "c2",
            HOSTILE,
            HOSTILE,
            [HOSTILE, "二级"],
            [charts.Stack(HOSTILE, bars), charts.Stack("工程质量", [bars[1], bars[0]])],
        ),
        charts.pareto(
            "c3", HOSTILE, HOSTILE, [charts.ParetoBar(HOSTILE, 8, 80.0, "/inbox/?x=<1>")]
        ),
        charts.line("c4", HOSTILE, HOSTILE, bars),
    ]


@pytest.mark.parametrize("svg", every_chart(), ids=["bars", "stacked", "pareto", "line"])
def test_each_chart_is_well_formed_named_and_escapes_what_it_is_given(svg):
    root = parsed(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    title, desc = root.find("s:title", NS), root.find("s:desc", NS)
    assert title is not None and desc is not None
    assert title.text == desc.text == HOSTILE  # read back exactly: escaped, not dropped
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert not list(root.iter("{http://www.w3.org/2000/svg}script"))
    for link in root.iter("{http://www.w3.org/2000/svg}a"):
        assert link.get("tabindex") == "-1"  # the table beside carries the keyboard's links
        assert link.find("s:title", NS) is not None  # each mark names itself


def test_bars_are_proportional_to_their_figures():
    svg = charts.bars("c", "t", "d", [charts.Bar("a", 10), charts.Bar("b", 5), charts.Bar("c", 0)])
    widths = [float(r.get("width")) for r in parsed(svg).iter("{http://www.w3.org/2000/svg}rect")]
    assert widths[0] == pytest.approx(2 * widths[1]) and widths[2] == 0
    # the axis' top is a round number at or above the longest bar
    assert [charts.nice_top(n) for n in (0, 1, 3, 7, 10, 11, 24, 26, 99, 101)] == [
        1,
        1,
        5,
        10,
        10,
        20,
        25,
        50,
        100,
        200,
    ]


def test_a_stacked_bar_is_the_sum_of_its_segments_in_series_colours():
    stacks = [
        charts.Stack("产品质量", [charts.Bar("一级", 1), charts.Bar("二级", 3)]),
        charts.Stack("工程质量", [charts.Bar("一级", 2), charts.Bar("二级", 0)]),
    ]
    root = parsed(charts.stacked_bars("c", "t", "d", ["一级", "二级"], stacks))
    segments = [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.get("height") != "12"]
    assert [float(r.get("width")) for r in segments] == pytest.approx(
        [w * float(segments[0].get("width")) for w in (1, 3, 2)]
    )
    assert segments[0].get("fill") == segments[2].get("fill") != segments[1].get("fill")
    # the second segment starts where the first ends
    assert float(segments[1].get("x")) == pytest.approx(
        float(segments[0].get("x")) + float(segments[0].get("width"))
    )


def test_the_pareto_draws_its_cumulative_line_and_the_80_line():
    items = [
        charts.ParetoBar("a", 6, 60.0),
        charts.ParetoBar("b", 3, 90.0),
        charts.ParetoBar("c", 1, 100.0),
    ]
    root = parsed(charts.pareto("c", "t", "d", items))
    bars = list(root.iter("{http://www.w3.org/2000/svg}rect"))
    assert [float(b.get("height")) for b in bars] == pytest.approx(
        [float(bars[0].get("height")) * k for k in (1, 0.5, 1 / 6)]
    )
    line = root.find(".//s:polyline[@class='cumulative']", NS)
    ys = [float(p.split(",")[1]) for p in line.get("points").split()]
    assert ys[0] > ys[1] > ys[2]  # rising share, falling y
    vital = root.find(".//s:line[@class='vital']", NS)
    base = max(float(b.get("y")) + float(b.get("height")) for b in bars)
    top = ys[2]  # 100 %
    assert float(vital.get("y1")) == pytest.approx(base - 0.8 * (base - top), abs=0.01)


def test_the_line_rises_and_falls_with_its_points_and_links_each():
    points = [
        charts.Bar("25-12", 0, "/m1"),
        charts.Bar("26-01", 4, "/m2"),
        charts.Bar("26-02", 2, "/m3"),
    ]
    root = parsed(charts.line("c", "t", "d", points))
    ys = [float(c.get("cy")) for c in root.iter("{http://www.w3.org/2000/svg}circle")]
    assert ys[0] > ys[2] > ys[1]
    assert (ys[0] - ys[1]) == pytest.approx(2 * (ys[0] - ys[2]))
    assert [a.get("href") for a in root.iter("{http://www.w3.org/2000/svg}a")] == [
        "/m1",
        "/m2",
        "/m3",
    ]


def test_empty_charts_still_draw():
    for svg in (
        charts.bars("c", "t", "d", []),
        charts.stacked_bars("c", "t", "d", [], []),
        charts.pareto("c", "t", "d", []),
        charts.line("c", "t", "d", []),
    ):
        assert parsed(svg).get("role") == "img"


def test_the_palette_keeps_3_to_1_against_white():
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for colour in (*charts.PALETTE, charts.LINE, charts.MUTED):
        assert 1.05 / (luminance(colour) + 0.05) >= 3, colour
