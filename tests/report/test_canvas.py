"""The SVG canvas the report's charts are drawn on: ticks, layout, escaping, determinism."""
from __future__ import annotations

import re

from audit.report._canvas import Figure, Line2D, _nice_ticks, _tick_labels


def _chart(label: str) -> str:
    fig = Figure(4.0, 2.0, ident="t")
    ax = fig.subplots()
    ax.barh([0, 1], [0.2, 0.6], color="#9fb6cd", label="bars")
    ax.errorbar([0.2, 0.6], [0, 1], xerr=([0.1, 0.1], [0.1, 0.2]), capsize=2, label="95% CI")
    ax.set_yticks([0, 1], [label, "b"])
    ax.set_xlabel("rate")
    fig.legend(handles=[Line2D(color="#000", label=label)])
    return str(fig.to_svg("t-title", f"chart of {label}"))


def test_ticks_are_round_numbers_covering_the_range():
    assert _nice_ticks(0.0, 1.0) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert _nice_ticks(-0.03, 0.11) == [0.0, 0.05, 0.1]
    assert _nice_ticks(0.0, 2.6e-9) == [0.0, 1e-09, 2e-09]
    assert _tick_labels([0.0, 0.2, 0.4], None) == ["0.0", "0.2", "0.4"]
    assert _tick_labels([0.0, 2e-5, 4e-5], (-3, 4)) == ["0", "2e-5", "4e-5"]


def test_labels_are_escaped_and_only_known_elements_are_written():
    svg = _chart('<script>alert(1)</script> & "$5k"')
    assert "<script" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;$5k&quot;" in svg
    tags = set(re.findall(r"<([a-zA-Z]+)", svg))
    assert tags <= {"svg", "title", "defs", "clipPath", "rect", "g", "path", "text"}, tags
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="t-title"')


def test_same_chart_same_bytes_and_ids_from_the_ident():
    assert _chart("a") == _chart("a")
    assert set(re.findall(r'\sid="([^"]+)"', _chart("a"))) == {"t-title", "t-clip0"}
