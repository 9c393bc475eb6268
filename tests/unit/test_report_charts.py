"""The dashboard's SVG charts: exact coordinates on tiny inputs, and escaped labels."""

from __future__ import annotations

from datetime import date

from retour.services.reports.series import buckets
from retour.web.backoffice.charts import (
    Bar,
    BarLayout,
    LineLayout,
    Point,
    bar_chart,
    line_chart,
    nice_ceiling,
    percent,
)

# Plot area 100 × 80 from (40, 10): the baseline is at y = 90.
SMALL_LINE = LineLayout(width=160, height=120, left=40, right=20, top=10, bottom=30)
SMALL_BARS = BarLayout(width=300, label_width=100, value_width=100, row_height=20, bar_height=10)


def test_a_line_with_a_gap_is_drawn_in_two_runs_up_to_a_round_ceiling():
    points = [Point("a", 0.1), Point("b", None), Point("c", 0.2), Point("d", 0.15)]

    svg = line_chart(points, "Rate", layout=SMALL_LINE)

    assert str(svg) == (
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        'viewBox="0 0 160 120" width="160" height="120"><title>Rate</title>'
        '<line x1="40" y1="90" x2="140" y2="90" stroke="#6b6b6b"/>'
        '<line x1="40" y1="10" x2="40" y2="90" stroke="#6b6b6b"/>'
        '<text x="34" y="94" text-anchor="end" fill="#222222" font-size="12">0 %</text>'
        '<text x="34" y="14" text-anchor="end" fill="#222222" font-size="12">20 %</text>'
        '<circle cx="40" cy="50" r="3" fill="#1f5f8b"/>'
        '<polyline points="106.7,10 140,30" fill="none" stroke="#1f5f8b" stroke-width="2"/>'
        '<text x="40" y="108" text-anchor="start" fill="#222222" font-size="12">a</text>'
        '<text x="140" y="108" text-anchor="end" fill="#222222" font-size="12">d</text>'
        "</svg>"
    )


def test_a_single_point_sits_in_the_middle():
    svg = str(line_chart([Point("2026-02-01", 0.5)], "One day", layout=SMALL_LINE))

    assert '<circle cx="90" cy="10" r="3" fill="#1f5f8b"/>' in svg
    assert svg.count("<text") == 3  # two axis values, one label


def test_a_line_without_any_value_has_axes_and_no_line():
    svg = str(line_chart([Point("a", None), Point("b", None)], "Empty", layout=SMALL_LINE))

    assert "<polyline" not in svg
    assert "<circle" not in svg
    assert ">5 %</text>" in svg  # the ceiling is one step when there is nothing to show


def test_bars_are_as_long_as_their_share_of_the_highest():
    bars = [Bar("too small", 2, "2 units"), Bar("defective", 1, "1 units")]

    svg = bar_chart(bars, "Reasons", layout=SMALL_BARS)

    assert str(svg) == (
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        'viewBox="0 0 300 40" width="300" height="40"><title>Reasons</title>'
        '<text x="92" y="14" text-anchor="end" fill="#222222" font-size="12">too small</text>'
        '<rect x="100" y="5" width="100" height="10" fill="#1f5f8b"/>'
        '<text x="206" y="14" text-anchor="start" fill="#222222" font-size="12">2 units</text>'
        '<text x="92" y="34" text-anchor="end" fill="#222222" font-size="12">defective</text>'
        '<rect x="100" y="25" width="50" height="10" fill="#1f5f8b"/>'
        '<text x="156" y="34" text-anchor="start" fill="#222222" font-size="12">1 units</text>'
        "</svg>"
    )


def test_labels_titles_and_values_are_escaped():
    title = 'Rates <2026> & "more"'
    bars = [Bar("<script>alert(1)</script>", 1, "1 & <b>")]

    bar_svg = str(bar_chart(bars, title))
    line_svg = str(line_chart([Point("<i>", 0.1), Point("a&b", 0.2)], title))

    for svg in (bar_svg, line_svg):
        assert "<title>Rates &lt;2026&gt; &amp; &quot;more&quot;</title>" in svg
    assert ">&lt;script&gt;alert(1)&lt;/script&gt;</text>" in bar_svg
    assert ">1 &amp; &lt;b&gt;</text>" in bar_svg
    assert "<script>" not in bar_svg
    assert ">&lt;i&gt;</text>" in line_svg
    assert ">a&amp;b</text>" in line_svg


def test_no_bars_make_an_empty_chart_one_row_high():
    assert str(bar_chart([], "Nothing", layout=SMALL_BARS)) == (
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        'viewBox="0 0 300 20" width="300" height="20"><title>Nothing</title></svg>'
    )


def test_ceilings_and_percents():
    assert [nice_ceiling(value) for value in (0.0, 0.05, 0.051, 0.2, 0.6667, 1.2857)] == [
        0.05, 0.05, 0.1, 0.2, 0.7, 1.3,
    ]  # fmt: skip
    assert [percent(value) for value in (0.0, 0.6667, 0.8, 1.2857, 0.3333)] == [
        "0 %", "66.7 %", "80 %", "128.6 %", "33.3 %",
    ]  # fmt: skip


def test_a_month_is_cut_into_days_and_a_longer_period_into_weeks():
    february = buckets(date(2026, 2, 1), date(2026, 2, 28))
    january = buckets(date(2026, 1, 1), date(2026, 1, 31))
    longer = buckets(date(2026, 1, 1), date(2026, 2, 1))

    assert len(february) == 28
    assert february[0] == (date(2026, 2, 1), date(2026, 2, 1))
    assert len(january) == 31
    assert longer == [
        (date(2026, 1, 1), date(2026, 1, 7)),
        (date(2026, 1, 8), date(2026, 1, 14)),
        (date(2026, 1, 15), date(2026, 1, 21)),
        (date(2026, 1, 22), date(2026, 1, 28)),
        (date(2026, 1, 29), date(2026, 2, 1)),
    ]
