"""How an assessment looks on the page: the verdict matrix, failures, provenance and timings as
Streamlit and pandas draw them; the words come from gymcore.records.presentation, as the reports' do."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from app.ui import plain
from gymcore.criteria import criteria_for
from gymcore.judging.registry import model_label
from gymcore.judging.types import WeightsInfo
from gymcore.pipeline.result import RepResult
from gymcore.records.presentation import FAIL, NOT_ASSESSABLE, PASS, RepFailure, provenance, stage_times, verdict_text

if TYPE_CHECKING:
    import pandas as pd


def verdict_matrix(rep: RepResult, exercise: str, models: list[str]) -> pd.DataFrame:
    """Criteria down, models across: pass / fail / not assessable with the probability of passing."""
    rows = []
    for item in criteria_for(exercise):
        by_model = rep.verdicts.get(item.id, {})
        rows.append({"Criterion": item.name, "View": item.view,
                     **{model_label(m): verdict_text(by_model[m]) for m in models if m in by_model}})
    return _frame(rows, "Criterion")


def _colour(cell: object) -> str:
    text = str(cell)
    if text.startswith(FAIL):
        return "background-color: #fde2e1"
    if text.startswith(PASS):
        return "background-color: #e3f5e1"
    return "color: #777" if text.startswith(NOT_ASSESSABLE) else ""


def show_matrix(frame: pd.DataFrame) -> None:
    st.table(frame.style.map(_colour))


def failure_markdown(failure: RepFailure) -> str:
    measured = f" — {failure.measured}." if failure.measured else ""
    return f"**{failure.name}** (failed by {', '.join(failure.failed_by)}): {failure.cue}{measured}"


def show_provenance(weights: dict[str, WeightsInfo]) -> None:
    """Per model, where its verdicts come from; synthetic training data gets a badge as well as the words."""
    for item in provenance(weights):
        # The text names weight files and data sets from the weights' cards: shown as written.
        label, text = f"**{model_label(item.model)}**", plain(item.text)
        if not item.loaded:
            st.markdown(f"{label}: :grey[{text}]")
        else:
            badge = " :orange-badge[synthetic training data]" if item.synthetic else ""
            st.markdown(f"{label}: {text}{badge}")


def timing_frame(timing_s: dict[str, float]) -> pd.DataFrame:
    return _frame([{"Stage": stage.label, "Seconds": f"{stage.seconds:.2f}"} for stage in stage_times(timing_s)], "Stage")


def _frame(rows: list[dict[str, object]], index: str) -> pd.DataFrame:
    # pandas (with pyarrow) takes about a second to import: loaded when a result is first drawn, so
    # that the first page does not wait for it.
    import pandas as pd

    return pd.DataFrame(rows).set_index(index)
