"""History: every saved assessment, filtered, a page at a time, trended per criterion, exported, and
as a report. Only the summaries of one page are read per run, and the record of the one assessment
opened; names, notes and file names are shown as typed (table cells, escaped Markdown, escaped
chart titles), never interpreted."""

import html
import math
import re
from datetime import UTC, datetime, time

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app.ui import history_store, plain, report_buttons
from gymcore.criteria import EXERCISE_NAMES, EXERCISES, criteria_for
from gymcore.errors import GymError
from gymcore.judging.registry import ASSESS_MODELS, model_label
from gymcore.records.history import History, HistoryEntry, HistoryFilter, SavedAssessment

PAGE_SIZE = 50
PENDING_DELETE = "history_delete_pending"

st.title("History")


def entries_frame(entries: list[HistoryEntry]) -> pd.DataFrame:
    return pd.DataFrame([{
        "#": entry.id, "Date": entry.created_at.strftime("%Y-%m-%d %H:%M"), "Athlete": entry.athlete,
        "Exercise": EXERCISE_NAMES.get(entry.exercise, entry.exercise), "Reps": entry.n_reps,
        "Score": None if entry.score is None else f"{entry.score:.0%}", "Models": entry.models,
        "Clips": " + ".join(clip for clip in (entry.front_clip, entry.side_clip) if clip), "Notes": entry.notes,
    } for entry in entries])


def filters(athletes: list[str]) -> HistoryFilter:
    cells = st.columns([2, 2, 3])
    athlete = cells[0].selectbox("Athlete", [None, *athletes], format_func=lambda a: "Everyone" if a is None else a,
                                 key="history_athlete")
    exercise = cells[1].selectbox("Exercise", [None, *EXERCISES], key="history_exercise",
                                  format_func=lambda e: "All exercises" if e is None else EXERCISE_NAMES[e])
    dates = cells[2].date_input("Dates", value=(), key="history_dates", help="Pick a first and a last day.")
    since = datetime.combine(dates[0], time.min, UTC) if len(dates) >= 1 else None
    until = datetime.combine(dates[-1], time.max, UTC) if len(dates) == 2 else None
    return HistoryFilter(athlete, exercise, since, until)


def page_offset(total: int, chosen: HistoryFilter) -> int:
    """The first entry of the page asked for; a new filter starts on its first page."""
    pages = math.ceil(total / PAGE_SIZE)
    page = 1
    if pages > 1:
        page = int(st.number_input("Page", min_value=1, max_value=pages, value=1, step=1,
                                   key=f"history_page:{chosen}"))
    first = (page - 1) * PAGE_SIZE
    st.caption(f"Assessments {first + 1}–{min(first + PAGE_SIZE, total)} of {total}, newest first"
               f" (page {page} of {pages}).")
    return first


def exports(store: History, chosen: HistoryFilter, entries: list[HistoryEntry]) -> None:
    cells = st.columns([1, 1, 4])
    cells[0].download_button("CSV", lambda: store.export_csv(chosen), "history.csv", "text/csv",
                             icon=":material/download:",
                             help="Every assessment the filter matches: one line per repetition, criterion and model.")
    cells[1].download_button("JSON of this page", lambda: store.export_json(entries), "history.json",
                             "application/json", icon=":material/download:",
                             help="The full records of the assessments listed above, timelines included"
                                  " (History.write_json writes any number of them to a file).")


def trend_section(store: History, athletes: list[str], athlete: str | None, exercise: str | None) -> None:
    st.header("Trend")
    cells = st.columns(4)
    who = cells[0].selectbox("Athlete", athletes, index=athletes.index(athlete) if athlete in athletes else 0,
                             key="trend_athlete")
    which = cells[1].selectbox("Exercise", list(EXERCISES), index=EXERCISES.index(exercise) if exercise else 0,
                               format_func=EXERCISE_NAMES.get, key="trend_exercise")
    items = criteria_for(which)
    criterion = cells[2].selectbox("Criterion", [item.id for item in items], key="trend_criterion",
                                   format_func={item.id: item.name for item in items}.get)
    model = cells[3].selectbox("Model", list(ASSESS_MODELS), format_func=model_label,
                               key="trend_model")
    trend = store.trend(who, criterion, model)
    if trend.empty:
        st.info(f"No assessable {model_label(model)} verdict on this criterion for {plain(who)} yet.")
        return
    figure = go.Figure(go.Scatter(
        x=trend["created_at"], y=trend["pass_rate"], mode="lines+markers",
        text=[f"assessment #{i}, {n} repetitions" for i, n in zip(trend["assessment_id"], trend["reps"])],
        hovertemplate="%{x|%Y-%m-%d %H:%M}: %{y:.0%} passed<br>%{text}<extra></extra>"))
    # Plotly draws tags such as <a href> in titles: the name goes in escaped.
    figure.update_layout(height=320, margin={"t": 30, "b": 30, "l": 50, "r": 10},
                         yaxis={"title": "repetitions passed", "tickformat": ".0%", "range": [-0.05, 1.05]},
                         xaxis={"type": "date", "tickformat": "%Y-%m-%d"},
                         title=f"{html.escape(who)}: {dict((i.id, i.name) for i in items)[criterion]}"
                               f" ({model_label(model)} model)")
    st.plotly_chart(figure, width="stretch")


def report_section(store: History, entries: list[HistoryEntry]) -> None:
    st.header("Report for one assessment")
    chosen = st.selectbox("Assessment", [entry.id for entry in entries], key="history_report",
                          format_func={e.id: f"#{e.id} · {e.created_at:%Y-%m-%d %H:%M} · {e.athlete} ·"
                                             f" {EXERCISE_NAMES.get(e.exercise, e.exercise)}" for e in entries}.get)
    saved = store.saved(chosen)
    record = saved.record
    stem = file_stem(f"{saved.athlete}-{record.exercise.exercise}-{saved.created_at:%Y-%m-%d}")
    cells = st.columns([1, 1, 1, 3])
    report_buttons(cells[:2], record, saved.athlete, saved.notes, stem)
    if cells[2].button("Delete", key="history_delete", help="Removes this assessment from the history for good."):
        st.session_state[PENDING_DELETE] = saved.id
    if st.session_state.get(PENDING_DELETE) == saved.id:
        confirm_delete(store, saved)
    summary = record.summary
    score = "-" if summary.mean_score is None else f"{summary.mean_score:.0%}"
    st.caption(f"{len(record.reps)} repetitions, mean score {score};"
               f" most failed: {', '.join(item.name for item in summary.most_failed) or 'none'}.")


def confirm_delete(store: History, saved: SavedAssessment) -> None:
    """Deleting cannot be undone: it takes a second, explicit click."""
    st.warning(f"Delete assessment #{saved.id} of {plain(saved.athlete)} ({saved.created_at:%Y-%m-%d %H:%M})"
               " for good? Its record and verdicts cannot be brought back.")
    cells = st.columns([1, 1, 4])
    if cells[0].button("Delete for good", key="history_delete_confirm", type="primary"):
        store.delete(saved.id)
        del st.session_state[PENDING_DELETE]
        st.rerun()
    if cells[1].button("Keep it", key="history_delete_cancel"):
        del st.session_state[PENDING_DELETE]
        st.rerun()


def file_stem(text: str) -> str:
    """A download's file name from a name and a date: letters, digits, '.', '-' and '_' only."""
    return re.sub(r"[^\w.-]+", "_", text).strip("._") or "assessment"


try:
    store = history_store()
    st.caption(f"Saved in {plain(store.display_url)}. Every assessment you save on the Assess page lands here.")
    athletes = store.athletes()
    chosen = filters(athletes)
    total = store.count(chosen.athlete, chosen.exercise, chosen.since, chosen.until)
    if not total:
        st.info("No saved assessment matches." if athletes else
                "Nothing saved yet: assess a set, give the athlete's name and press Save to history.")
    else:
        first = page_offset(total, chosen)
        entries = store.entries(chosen.athlete, chosen.exercise, chosen.since, chosen.until,
                                limit=PAGE_SIZE, offset=first)
        st.dataframe(entries_frame(entries), hide_index=True, width="stretch")
        exports(store, chosen, entries)
        trend_section(store, athletes, chosen.athlete, chosen.exercise)
        report_section(store, entries)
except GymError as error:
    st.error(plain(str(error)))
