"""How an assessment reads on the page: the verdict matrix, cues, provenance and timings."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from gymcore.criteria import criteria_for
from gymcore.judging.registry import model_label

PASS, FAIL, NOT_ASSESSABLE = "pass", "FAIL", "not assessable"
STAGE_LABELS = {
    "perception": "Perception (decode + pose, both views in parallel)",
    "recognition": "Exercise recognition", "segmentation": "Repetition segmentation",
    "sampling": "Sampling 16 frames per repetition", "annotated_clip": "Annotated clip",
}


def verdict_cell(verdict: dict[str, Any]) -> str:
    if verdict.get("status") == "not_assessable":
        return NOT_ASSESSABLE
    word = PASS if verdict["pass"] else FAIL
    return f"{word} · {verdict['prob']:.2f}" if verdict.get("prob") is not None else word


def verdict_matrix(rep: dict[str, Any], exercise: str, models: list[str]) -> pd.DataFrame:
    """Criteria down, models across: pass / fail / not assessable with the probability of passing."""
    rows = []
    for item in criteria_for(exercise):
        by_model = rep["criteria"].get(item.id, {})
        rows.append({"Criterion": item.name, "View": item.view,
                     **{model_label(m): verdict_cell(by_model[m]) for m in models if m in by_model}})
    return pd.DataFrame(rows).set_index("Criterion")


def _colour(cell: object) -> str:
    text = str(cell)
    if text.startswith(FAIL):
        return "background-color: #fde2e1"
    if text.startswith(PASS):
        return "background-color: #e3f5e1"
    return "color: #777" if text.startswith(NOT_ASSESSABLE) else ""


def show_matrix(frame: pd.DataFrame) -> None:
    st.table(frame.style.map(_colour))


def failure_lines(rep: dict[str, Any], exercise: str) -> list[str]:
    """One line per failed criterion: who failed it, the coaching cue and what a rule measured."""
    lines = []
    for item in criteria_for(exercise):
        by_model = rep["criteria"].get(item.id, {})
        failed = [model_label(m) for m, v in by_model.items() if v.get("pass") is False]
        if failed:
            lines.append(f"**{item.name}** (failed by {', '.join(failed)}): {item.cue}{_evidence_text(by_model)}")
    return lines


def _evidence_text(by_model: dict[str, Any]) -> str:
    evidence = by_model.get("rules", {}).get("evidence")
    if not evidence:
        return ""
    return (f" — measured {evidence['quantity']} {evidence['value']:g} {evidence['unit']}, the rule wants"
            f" {evidence['threshold']} ({evidence['view']} view, {evidence['time_s']:.2f} s).")


def not_assessable_lines(rep: dict[str, Any], exercise: str) -> list[str]:
    reasons: dict[str, list[str]] = {}
    for item in criteria_for(exercise):
        for model, verdict in rep["criteria"].get(item.id, {}).items():
            if verdict.get("status") == "not_assessable":
                reasons.setdefault(f"{model_label(model)}: {verdict['reason']}", []).append(item.name)
    return [f"{reason} ({', '.join(names)})" for reason, names in reasons.items()]


def criterion_names(exercise: str) -> dict[str, str]:
    return {item.id: item.name for item in criteria_for(exercise)}


def provenance(weights: dict[str, dict[str, Any]], exercise: str) -> list[dict[str, Any]]:
    """Per model: where its verdicts come from, and whether its weights were trained on synthetic data."""
    rows = []
    for model, info in weights.items():
        if info.get("status") != "loaded":
            rows.append({"model": model, "loaded": False, "text": info.get("reason", "not available"),
                         "synthetic": False})
        elif model == "rules":
            rows.append({"model": model, "loaded": True, "synthetic": False,
                         "text": "hand-written thresholds from coaching and biomechanics sources (gymcore.judging.rules.config.RulesConfig)"})
        else:
            card = model_card(model, exercise)
            data = card.get("training_data", {}) if isinstance(card.get("training_data"), dict) else {}
            name = str(data.get("name", "unknown data"))
            rows.append({"model": model, "loaded": True, "synthetic": is_synthetic(data),
                         "text": f"weights {info.get('file') or card.get('file', '')} trained on {name}"
                                 f" ({card.get('date', 'date unknown')})"})
    return rows


def is_synthetic(training_data: dict[str, Any]) -> bool:
    return bool(training_data.get("synthetic")) or "synth" in str(training_data.get("name", "")).lower()


def model_card(model: str, exercise: str) -> dict[str, Any]:
    """The card of the weights serving ``model`` for ``exercise`` in weights/manifest.json."""
    from gymcore.models.weights import find_entry

    entry = find_entry(model, exercise)
    return {**entry.card, "file": entry.file} if entry is not None else {}


def timing_frame(timing: dict[str, float]) -> pd.DataFrame:
    """The stages a user waits for, in order; per-view details stay in the JSON."""
    rows = [{"Stage": STAGE_LABELS.get(key, f"Judging: {key.removeprefix('model_')} model"
                                       if key.startswith("model_") else key), "Seconds": value}
            for key, value in timing.items()
            if key in STAGE_LABELS or key.startswith("model_")]
    listed = sum(row["Seconds"] for row in rows)
    total = timing.get("total", 0.0) + timing.get("annotated_clip", 0.0)
    if total - listed >= 0.05:
        # The first assessment in a process also imports and loads the learned models.
        rows.append({"Stage": "Loading the models (first assessment only)", "Seconds": total - listed})
    rows.append({"Stage": "Total", "Seconds": total})
    return pd.DataFrame([{**row, "Seconds": f"{row['Seconds']:.2f}"} for row in rows]).set_index("Stage")
