"""How long the dashboard keeps a session's clips: uploads, recordings and annotated clips.

Each browser session writes into its own ``gymform-*`` folder under the system's temporary folder and
touches a marker file there whenever it is used. A folder whose last use is older than the retention
time (``$GYMFORM_RETENTION_S``, one hour by default) is deleted by ``sweep``, which a background
``Sweeper`` runs every minute or so: a web server cannot tell reliably when a browser has gone away,
so "unused for an hour" stands in for "the session ended". Folders of older versions, which have no
marker, are judged by their own modification time, so the clips they left behind go too.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from gymcore.errors import InputError

SESSION_PREFIX = "gymform-"
USED_MARKER = ".last-used"
RETENTION_ENV = "GYMFORM_RETENTION_S"
DEFAULT_RETENTION_S = 3600.0
# Sweeping more often than this costs a directory listing for nothing; less often lets folders
# outlive the retention time by more than a minute.
LONGEST_SWEEP_INTERVAL_S = 60.0


@dataclass(frozen=True)
class Retention:
    """Keep a session folder under ``root`` for ``seconds`` after its last use."""

    seconds: float = DEFAULT_RETENTION_S
    root: Path = field(default_factory=lambda: Path(tempfile.gettempdir()))

    @classmethod
    def from_environment(cls) -> Retention:
        """``$GYMFORM_RETENTION_S`` seconds (one hour when unset) under the system's temporary folder."""
        text = os.environ.get(RETENTION_ENV, "").strip()
        if not text:
            return cls()
        try:
            seconds = float(text)
        except ValueError:
            seconds = float("nan")
        if not seconds > 0 or seconds == float("inf"):
            raise InputError(f"{RETENTION_ENV} is {text!r}; set it to the number of seconds to keep a session's"
                             f" clips after their last use (e.g. 3600 for an hour), or unset it.")
        return cls(seconds=seconds)

    @property
    def sweep_interval_s(self) -> float:
        return min(LONGEST_SWEEP_INTERVAL_S, self.seconds / 4)

    def new_session_folder(self) -> Path:
        """A fresh private folder (mode 0700, as mkdtemp makes it), marked as used now."""
        self.root.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=SESSION_PREFIX, dir=self.root))
        mark_used(folder)
        return folder

    def session_folders(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return [path for path in self.root.glob(f"{SESSION_PREFIX}*") if path.is_dir() and not path.is_symlink()]

    def sweep(self, now: float | None = None) -> list[Path]:
        """Delete every session folder unused for longer than the retention time; the folders gone."""
        now = time.time() if now is None else now
        deleted = []
        for folder in self.session_folders():
            if now - last_used(folder) > self.seconds and discard(folder):
                deleted.append(folder)
        return deleted


def mark_used(folder: Path) -> None:
    """Record that the session owning ``folder`` is still there, so the sweeper leaves it alone; a folder
    swept meanwhile is made again, private like mkdtemp's."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    (folder / USED_MARKER).touch()


def last_used(folder: Path) -> float:
    """When the folder's session last used it: its marker's time, or the folder's for folders without one."""
    for path in (folder / USED_MARKER, folder):
        try:
            return path.stat().st_mtime
        except FileNotFoundError:
            continue
    return float("inf")  # deleted meanwhile: nothing left to sweep


def discard(path: Path) -> bool:
    """Delete a file or a folder with everything in it; True when nothing is left of it."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
    return not path.exists() and not path.is_symlink()


@dataclass
class Sweeper:
    """Sweeps the session folders every ``retention.sweep_interval_s`` on a daemon thread."""

    retention: Retention
    _stopped: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> Sweeper:
        self._thread = threading.Thread(target=self._run, name="gymform-sweeper", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                self.retention.sweep()
            except OSError:
                pass  # a folder vanishing or refusing mid-listing is retried at the next sweep
            self._stopped.wait(self.retention.sweep_interval_s)
