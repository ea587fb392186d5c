"""The counterfactual section of report.html: the swap table, most-flipping pair first, hostile names escaped."""
from __future__ import annotations

import numpy as np
import pandas as pd

import audit
from audit.counterfactual import CounterfactualAuditor

HOSTILE = '<script>alert("x")</script>'


def test_swap_table_is_drawn_and_escaped(tmp_path):
    rng = np.random.default_rng(0)
    n = 300
    frame = pd.DataFrame({"x": rng.normal(size=n), "s": rng.choice([HOSTILE, "b"], n)})
    frame["y"] = (frame["x"] > 0).astype(int)

    def model(table):
        return ((np.asarray(table["x"]) > 0) | (np.asarray(table["s"]) == "b")).astype(float)

    report = audit.run(frame, model=audit.Model(model, feature_names=["x", "s"]), target="y",
                       sensitive_features=["s"], auditors=[CounterfactualAuditor()])
    report.save(tmp_path)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<h3>Swap test</h3>" in html
    assert HOSTILE not in html and "&lt;script&gt;" in html
    section = html[html.index("<h3>Swap test</h3>"):]
    assert "\u2192 b" in section and "\u2192 &lt;script&gt;" in section
    assert "every swap" in section
