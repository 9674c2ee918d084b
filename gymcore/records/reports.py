"""Reports a coach can hand to an athlete: a self-contained HTML page and a PDF.

Both are built from an assessment *record*: the ``assess --json`` dictionary plus the clips'
fingerprints and the angle timelines, which is also what the history keeps, so a report can be made
again from any saved assessment. Charts are drawn with matplotlib and embedded as PNG, so the HTML
opens offline and the PDF needs no browser.
"""

from __future__ import annotations

import base64
import io
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from fpdf import FPDF
from jinja2 import Environment, FileSystemLoader, select_autoescape
from matplotlib.figure import Figure

from gymcore.criteria import EXERCISE_NAMES, criteria_for
from gymcore.serialize import jsonable

REPORT_ANGLES = {"left_knee": "Left knee", "right_knee": "Right knee", "left_hip": "Left hip",
                 "right_hip": "Right hip", "trunk_lean": "Trunk lean"}
_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=select_autoescape(["html", "j2"]),
)


def assessment_record(assessment: Any) -> dict[str, Any]:
    """What history keeps and reports show: the assessment's JSON, its clips and angle timelines."""
    record = assessment.to_dict()
    views = assessment.perception.views()
    record["clips"] = {
        name: {"name": Path(view.source.path).name, "sha256": view.source.sha256, "fps": view.source.fps,
               "duration_s": view.source.duration_s, "width": view.source.width, "height": view.source.height}
        for name, view in views.items()
    }
    record["timelines"] = {
        name: {"time_s": view.timeline.time_s, "angles_deg": {key: view.angles[key] for key in REPORT_ANGLES}}
        for name, view in views.items()
    }
    record["created_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return jsonable(record)


def criteria_rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per criterion and repetition: each model's verdict as a short word."""
    rows = []
    for criterion in criteria_for(record["exercise"]["name"]):
        for rep_number, rep in enumerate(record["reps"], start=1):
            by_model = rep["criteria"].get(criterion.id, {})
            rows.append({"criterion": criterion.name, "rep": rep_number, "cue": criterion.cue,
                         "verdicts": {model: verdict_word(v) for model, v in by_model.items()}})
    return rows


def verdict_word(verdict: dict[str, Any]) -> str:
    if verdict.get("status") == "not_assessable":
        return "n/a"
    word = "pass" if verdict["pass"] else "FAIL"
    return f"{word} ({verdict['prob']:.2f})" if verdict.get("prob") is not None else word


def failed_cues(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Criteria that failed in at least one repetition (any model), with the coaching cue."""
    out = []
    for criterion in criteria_for(record["exercise"]["name"]):
        failed_reps = [index + 1 for index, rep in enumerate(record["reps"])
                       if any(v.get("pass") is False for v in rep["criteria"].get(criterion.id, {}).values())]
        if failed_reps:
            out.append({"name": criterion.name, "cue": criterion.cue, "reps": failed_reps})
    return out


def provenance_lines(record: dict[str, Any]) -> list[str]:
    """Where each model's verdicts come from, including whether its weights are synthetic-trained."""
    lines = []
    for model, info in record.get("weights", {}).items():
        if info.get("status") != "loaded":
            lines.append(f"{model}: not used ({info.get('reason', 'not available')})")
            continue
        card = info.get("card", {}) if isinstance(info.get("card"), dict) else {}
        data = card.get("training_data", {}) if isinstance(card.get("training_data"), dict) else {}
        source = f"trained on {data.get('name')}" if data.get("name") else info.get("note", "")
        synthetic = " (synthetic data)" if "synth" in str(data.get("name", "")).lower() else ""
        lines.append(f"{model}: {info.get('file') or 'built in'} {source}{synthetic}".strip())
    return lines


def angle_chart_png(record: dict[str, Any]) -> bytes:
    """Knee, hip and trunk angles over time per view, repetitions shaded."""
    timelines = record.get("timelines", {})
    # A bare Figure (not pyplot) draws off-screen and is safe in a server's threads.
    figure = Figure(figsize=(9, 2.8 * max(1, len(timelines))))
    axes = figure.subplots(max(1, len(timelines)), 1, squeeze=False)
    for axis, (view, timeline) in zip(axes[:, 0], timelines.items()):
        for key, label in REPORT_ANGLES.items():
            values = [float("nan") if v is None else v for v in timeline["angles_deg"][key]]
            axis.plot(timeline["time_s"], values, label=label, linewidth=1.2)
        for number, rep in enumerate(record["reps"], start=1):
            window = rep.get("views", {}).get(view, rep)
            axis.axvspan(window["start_s"], window["end_s"], color="tab:green", alpha=0.08)
            axis.text(window["start_s"], 5, f"rep {number}", fontsize=7, color="tab:green")
        axis.set_title(f"{view.capitalize()} view", fontsize=9)
        axis.set_ylabel("degrees")
        axis.set_ylim(0, 185)
        axis.grid(alpha=0.3)
    axes[-1, 0].set_xlabel("time (s)")
    axes[0, 0].legend(ncol=5, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, 1.35))
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def render_html(record: dict[str, Any], athlete: str = "", notes: str = "") -> str:
    """A single HTML file with everything inline (chart included)."""
    chart = base64.b64encode(angle_chart_png(record)).decode() if record.get("timelines") else ""
    models = sorted({m for rep in record["reps"] for by in rep["criteria"].values() for m in by})
    return _TEMPLATES.get_template("report.html.j2").render(
        record=record, athlete=athlete, notes=notes, exercise_name=_exercise_name(record),
        rows=criteria_rows(record), models=models, failed=failed_cues(record),
        provenance=provenance_lines(record), chart=chart,
    )


def render_pdf(record: dict[str, Any], athlete: str = "", notes: str = "") -> bytes:
    """The same report as a PDF (A4)."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin1(f"{_exercise_name(record)} assessment"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for line in _header_lines(record, athlete, notes):
        pdf.multi_cell(0, 5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _pdf_heading(pdf, "What to work on")
    failed = failed_cues(record)
    for item in failed:
        pdf.multi_cell(0, 5, _latin1(f"- {item['name']} (repetitions {', '.join(map(str, item['reps']))}): {item['cue']}"),
                       new_x="LMARGIN", new_y="NEXT")
    if not failed:
        pdf.multi_cell(0, 5, "Every assessed criterion passed.", new_x="LMARGIN", new_y="NEXT")
    _pdf_heading(pdf, "Criteria per repetition")
    models = sorted({m for rep in record["reps"] for by in rep["criteria"].values() for m in by})
    with pdf.table(col_widths=(40, 10, *([30] * len(models))), text_align="LEFT", line_height=5) as table:
        table.row(["Criterion", "Rep", *models])
        for row in criteria_rows(record):
            table.row([_latin1(row["criterion"]), str(row["rep"]), *[row["verdicts"].get(m, "") for m in models]])
    if record.get("timelines"):
        _pdf_heading(pdf, "Joint angles")
        pdf.image(io.BytesIO(angle_chart_png(record)), w=180)
    _pdf_heading(pdf, "Where the verdicts come from")
    for line in provenance_lines(record):
        pdf.multi_cell(0, 5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _header_lines(record: dict[str, Any], athlete: str, notes: str) -> list[str]:
    summary = record.get("summary", {})
    lines = [f"Athlete: {athlete or '-'}    Date: {record.get('created_at', '-')}"]
    for view, clip in record.get("clips", {}).items():
        lines.append(f"{view.capitalize()} clip: {clip['name']} ({clip['duration_s']:.1f} s, sha256 {clip['sha256'][:12]})")
    mean = summary.get("mean_score")
    lines.append(f"Repetitions: {len(record['reps'])}    Mean score: {'-' if mean is None else f'{mean:.2f}'}"
                 f" (share of assessable criteria passed, {summary.get('model', '')} model)")
    if record["exercise"].get("caution"):
        lines.append(record["exercise"]["caution"])
    if notes:
        lines.append(f"Notes: {notes}")
    return lines


def _pdf_heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)


def _exercise_name(record: dict[str, Any]) -> str:
    return EXERCISE_NAMES.get(record["exercise"]["name"], record["exercise"]["name"])


def _latin1(text: str) -> str:
    """The PDF core fonts speak Latin-1; replace what they cannot draw rather than fail."""
    return text.encode("latin-1", "replace").decode("latin-1")
