"""Reports a coach can hand to an athlete: a self-contained HTML page and a PDF.

Both are made from an assessment record (gymcore.pipeline.record), which is also what the history
keeps, so a report can be made again from any saved assessment; their words come from
gymcore.records.presentation, as the dashboard's do. Charts are drawn with matplotlib and embedded
as PNG, so the HTML opens offline and the PDF needs no browser.
"""

from __future__ import annotations

import base64
import bisect
import io
import struct
import tempfile
from pathlib import Path

import matplotlib
from fontTools.ttLib import TTFont, newTable
from fontTools.ttLib.tables._c_m_a_p import CmapSubtable
from fpdf import FPDF
from jinja2 import Environment, FileSystemLoader, select_autoescape
from matplotlib.figure import Figure

from gymcore.errors import InputError
from gymcore.judging.registry import model_label
from gymcore.pipeline.record import AssessmentRecord
from gymcore.records.presentation import (
    ANGLE_LABELS,
    criteria_rows,
    exercise_title,
    failed_cues,
    provenance,
    verdict_kind,
    verdict_text,
    warning_lines,
)

REPORT_SUFFIXES = (".html", ".pdf")
# matplotlib's own fonts: DejaVu Sans draws Latin, Greek, Cyrillic and more; Last Resort has a
# glyph for every character (its script's emblem).
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
PDF_FONT = "DejaVu"
FALLBACK_FONT = "LastResort"
_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=select_autoescape(["html", "j2"]),
)


def check_report_path(path: str | Path) -> Path:
    """``path`` if its suffix names a report format (.html or .pdf)."""
    path = Path(path)
    if path.suffix.lower() not in REPORT_SUFFIXES:
        raise InputError(f"A report is written as HTML or PDF: name the file {path.stem}.html or {path.stem}.pdf,"
                         f" not {path.name}.")
    return path


def write_report(record: AssessmentRecord, path: str | Path, athlete: str = "", notes: str = "") -> Path:
    """The HTML or PDF report, chosen by the file's suffix."""
    path = check_report_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".pdf":
        path.write_bytes(render_pdf(record, athlete, notes))
    else:
        path.write_text(render_html(record, athlete, notes), encoding="utf-8")
    return path


def angle_chart_png(record: AssessmentRecord) -> bytes:
    """Knee, hip and trunk angles over time per view, repetitions shaded."""
    # A bare Figure (not pyplot) draws off-screen and is safe in a server's threads.
    figure = Figure(figsize=(9, 2.8 * max(1, len(record.timelines))))
    axes = figure.subplots(max(1, len(record.timelines)), 1, squeeze=False)
    for axis, (view, timeline) in zip(axes[:, 0], record.timelines.items()):
        for key, values in timeline.angles_deg.items():
            axis.plot(timeline.time_s, values, label=ANGLE_LABELS.get(key, key), linewidth=1.2)
        for rep in record.reps:
            window = rep.window(view)
            axis.axvspan(window.start_s, window.end_s, color="tab:green", alpha=0.08)
            axis.text(window.start_s, 5, f"rep {rep.index + 1}", fontsize=7, color="tab:green")
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


def render_html(record: AssessmentRecord, athlete: str = "", notes: str = "") -> str:
    """A single HTML file with everything inline (chart included)."""
    chart = base64.b64encode(angle_chart_png(record)).decode() if record.timelines else ""
    return _TEMPLATES.get_template("report.html.j2").render(
        record=record, athlete=athlete, notes=notes, title=exercise_title(record.exercise.exercise),
        date=report_date(record), header=header_lines(record), models=record.models, model_label=model_label,
        rows=criteria_rows(record),
        verdict_text=verdict_text, verdict_kind=verdict_kind, failed=failed_cues(record),
        provenance=provenance(record.weights), chart=chart, warnings=warning_lines(record),
    )


def render_pdf(record: AssessmentRecord, athlete: str = "", notes: str = "") -> bytes:
    """The same report as a PDF (A4), in DejaVu Sans (matplotlib's copy). Characters it has no glyph
    for (Chinese, for one) are drawn with matplotlib's Last Resort font, whose glyph names the
    character's script; either way the PDF's text holds every character of every name."""
    chart = angle_chart_png(record) if record.timelines else None
    pdf = _pdf_report(record, athlete, notes, chart)
    missing = _missing_characters(pdf)
    if not missing:
        return bytes(pdf.output())
    # fpdf2 reads a font file lazily, until the PDF is written.
    with tempfile.TemporaryDirectory(prefix="gymcore-font-") as folder:
        fallback = _last_resort_font(missing, Path(folder) / "last-resort.ttf")
        return bytes(_pdf_report(record, athlete, notes, chart, fallback).output())


def _pdf_report(record: AssessmentRecord, athlete: str, notes: str, chart: bytes | None,
                fallback: Path | None = None) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.add_font(PDF_FONT, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(PDF_FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    if fallback is not None:
        pdf.add_font(FALLBACK_FONT, "", fallback)
        pdf.set_fallback_fonts([FALLBACK_FONT], exact_match=False)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font(PDF_FONT, "B", 16)
    pdf.cell(0, 10, f"{exercise_title(record.exercise.exercise)} assessment", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(PDF_FONT, "", 10)
    _pdf_lines(pdf, [f"Athlete: {athlete or '-'}    Date: {report_date(record)}", *header_lines(record)]
               + warning_lines(record) + ([f"Notes: {notes}"] if notes else []))
    pdf.ln(2)
    _pdf_heading(pdf, "What to work on")
    cues = failed_cues(record)
    _pdf_lines(pdf, [f"- {cue.name} (repetitions {', '.join(map(str, cue.reps))}): {cue.cue}" for cue in cues]
               or ["Every assessed criterion passed."])
    _pdf_heading(pdf, "Criteria per repetition")
    models = record.models
    with pdf.table(col_widths=(40, 10, *([30] * len(models))), text_align="LEFT", line_height=5) as table:
        table.row(["Criterion", "Rep", *map(model_label, models)])
        for row in criteria_rows(record):
            table.row([row.criterion, str(row.rep),
                       *[verdict_text(row.verdicts[m]) if m in row.verdicts else "" for m in models]])
    if chart is not None:
        _pdf_heading(pdf, "Joint angles")
        pdf.image(io.BytesIO(chart), w=180)
    _pdf_heading(pdf, "Where the verdicts come from")
    _pdf_lines(pdf, [item.line for item in provenance(record.weights)])
    return pdf


def header_lines(record: AssessmentRecord) -> list[str]:
    """The clips, the repetitions and the mean score."""
    lines = [f"{view.capitalize()} clip: {clip.name} ({clip.duration_s:.1f} s, sha256 {clip.sha256[:12]})"
             for view, clip in record.clips.items()]
    mean = record.summary.mean_score
    lines.append(f"Repetitions: {len(record.reps)}    Mean score: {'-' if mean is None else f'{mean:.2f}'}"
                 f" (share of assessable criteria passed, {model_label(record.summary.model)} model)")
    return lines


def report_date(record: AssessmentRecord) -> str:
    return record.created_at.isoformat(timespec="seconds") if record.created_at else "-"


def _pdf_lines(pdf: FPDF, lines: list[str]) -> None:
    for line in lines:
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")


def _pdf_heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(PDF_FONT, "B", 12)
    pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(PDF_FONT, "", 9)


def _missing_characters(pdf: FPDF) -> set[int]:
    """The characters drawn so far that the PDF's fonts have no glyph for."""
    return {char for font in pdf.fonts.values() for char in getattr(font, "missing_glyphs", ())}


def _last_resort_font(characters: set[int], path: Path) -> Path:
    """Matplotlib's Last Resort font with a cmap of ``characters`` only, written to ``path``."""
    font = TTFont(FONT_DIR / "LastResortHE-Regular.ttf", lazy=True)
    subtable = CmapSubtable.newSubtable(12)
    subtable.platformID, subtable.platEncID, subtable.language = 3, 10, 0  # Windows, full Unicode
    subtable.cmap = _last_resort_glyphs(font, characters)
    cmap = newTable("cmap")
    cmap.tableVersion = 0
    cmap.tables = [subtable]
    font["cmap"] = cmap
    font.save(path)
    return path


def _last_resort_glyphs(font: TTFont, characters: set[int]) -> dict[int, str]:
    """The Last Resort glyph of each character, read from the font's ranges (cmap format 13):
    fontTools and fpdf2 would expand them into a million entries, which takes seconds."""
    data = font.reader["cmap"]
    (count,) = struct.unpack_from(">H", data, 2)
    offsets = [struct.unpack_from(">HHI", data, 4 + 8 * i)[2] for i in range(count)]
    offset = next(o for o in offsets if struct.unpack_from(">H", data, o)[0] == 13)
    (groups,) = struct.unpack_from(">I", data, offset + 12)
    ranges = list(struct.iter_unpack(">III", data[offset + 16:offset + 16 + 12 * groups]))
    starts = [start for start, _, _ in ranges]
    glyphs = {}
    for char in characters:
        start, end, glyph = ranges[max(0, bisect.bisect_right(starts, char) - 1)]
        if start <= char <= end:
            glyphs[char] = font.getGlyphName(glyph)
    return glyphs
