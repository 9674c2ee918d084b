"""Writing results: JSON that ``json`` takes as it is (NaN becomes null, arrays become lists), output
paths checked before any work is done, and output that appears whole or not at all.

A command checks its output path first (``check_output_path``, ``check_output_folder``) so that a
mistyped path fails in a second, not after minutes of analysis. Files are written beside their
destination and moved into place only when complete (``atomic_output``), and a run that fills a
folder takes back what it added if it fails (``removed_on_failure``): a failed or interrupted
command leaves no partial file and no folder it made.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import stat
import tempfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from gymcore.errors import InputError


def _read_umask() -> int:
    # The umask can only be read by setting it; done once at import, before any server thread runs.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# mkstemp creates files readable by their owner only; a finished output gets the usual permissions.
NEW_FILE_MODE = 0o666 & ~_read_umask()


def jsonable(value: Any) -> Any:
    """A structure of dicts, lists, numbers, strings and None that ``json`` writes as it is."""
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else round(float(value), 6)
    return value


def write_json(path: str | Path, data: Any) -> Path:
    """``data`` as JSON at ``path``, written whole or not at all (``atomic_output``)."""
    text = json.dumps(jsonable(data), indent=1, allow_nan=False)
    with atomic_output(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return Path(path)


def check_output_path(path: str | Path, what: str, example: str) -> Path:
    """``path`` if a file can be written there, else an InputError that says why.

    ``what`` names the output in the sentence ("the assessment"), ``example`` is a file name to
    suggest when ``path`` is a folder. A folder that does not exist yet is fine (it is made when
    the file is written) as long as the nearest existing folder above it is writable.
    """
    text, path = str(path), Path(path)
    if text.endswith(("/", os.sep)) or path.is_dir():
        raise InputError(f"{text or path} is a folder: name the file to write {what} to, e.g. {path / example}.")
    if path.exists() or path.is_symlink():
        _check_replaceable_file(path, what)
    _check_folder_can_hold(path.parent, path, what)
    return path


def check_output_folder(path: str | Path, what: str) -> Path:
    """``path`` if it is a folder that exists or can be made, and can be written in."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(f"{path} is a file, not a folder: name a folder to write {what} into.")
    _check_folder_can_hold(path, path, what)
    return path


def _check_replaceable_file(path: Path, what: str) -> None:
    """An existing output is replaced as a whole, which only makes sense for a regular file."""
    if not path.exists():
        raise InputError(f"{path} is a link to nothing: name a file to write {what} to.")
    if not stat.S_ISREG(path.stat().st_mode):
        raise InputError(f"{path} is not a regular file (a device, pipe or socket): name a file to write {what} to.")
    if not os.access(path, os.W_OK):
        raise InputError(f"{path} is read-only: name another file for {what}, or make it writable.")


def _check_folder_can_hold(folder: Path, path: Path, what: str) -> None:
    """``folder`` exists or can be made, and a file can be created in it."""
    existing = _nearest_existing(folder)
    if not existing.is_dir():
        raise InputError(f"Cannot write {what} to {path}: {existing} is a file, not a folder.")
    try:
        # Creating a file is the only sure test: os.access reads permission bits, which root passes even in
        # /sys, where no file can be made.
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        raise InputError(f"Cannot write {what} to {path}: {existing} is not writable ({_reason(error)}).") from None


def _nearest_existing(folder: Path) -> Path:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()


@contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """A temporary file beside ``path`` (same suffix) for the block to write; it takes the place of
    ``path`` only when the block finishes. A block that fails or is interrupted leaves neither a
    partial file nor the temporary one, nor a folder made for it; an OSError becomes an InputError
    naming ``path``."""
    destination = Path(os.path.realpath(path))  # through a link, so the link keeps pointing at the output
    made = _make_folders(destination.parent, path)
    try:
        handle, name = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.",
                                        suffix=destination.suffix)
    except OSError as error:
        _remove_folders(made)
        raise InputError(f"Could not write {path}: {_reason(error)}.") from None
    temporary = Path(name)
    try:
        os.fchmod(handle, stat.S_IMODE(destination.stat().st_mode) if destination.exists() else NEW_FILE_MODE)
        os.close(handle)
        yield temporary
        os.replace(temporary, destination)
    except OSError as error:
        _discard(temporary, made)
        raise InputError(f"Could not write {path}: {_reason(error)}.") from None
    except BaseException:
        _discard(temporary, made)
        raise


def _make_folders(folder: Path, path: str | Path) -> list[Path]:
    """Make ``folder`` and any missing folder above it; the ones made, outermost first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    missing.reverse()
    try:
        for item in missing:
            item.mkdir()
    except OSError as error:
        _remove_folders(missing)
        raise InputError(f"Could not make the folder for {path}: {_reason(error)}.") from None
    return missing


def _discard(temporary: Path, made: list[Path]) -> None:
    temporary.unlink(missing_ok=True)
    _remove_folders(made)


def _remove_folders(made: list[Path]) -> None:
    """Remove the folders this module made (innermost first) if nothing else was put in them."""
    for folder in reversed(made):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


@contextmanager
def removed_on_failure(folder: str | Path, keep: Collection[Path] = ()) -> Iterator[Path]:
    """Run a block that writes into ``folder``; if it fails or is interrupted, remove what it added
    (files and folders that were not there before, and ``folder`` itself and the folders above it
    if it made them), so that a failed run leaves no partial output. A file it overwrote stays as
    the block left it, and so do the paths in ``keep`` (as ``folder / name``; read when the block
    fails, so the block may add to it: work it completed that a later run resumes from)."""
    folder = Path(folder)
    top_made = _outermost_missing(folder)
    before = set() if top_made else _contents(folder)
    try:
        yield folder
    except BaseException:
        if top_made and not keep:
            shutil.rmtree(top_made, ignore_errors=True)  # the error being raised is the one to report
        else:
            _remove_added(folder, before, set(keep))
        raise


def _outermost_missing(folder: Path) -> Path | None:
    """The outermost of ``folder`` and its parents that does not exist yet, if any."""
    folder = Path(os.path.abspath(folder))
    outermost = None
    while not folder.exists() and folder != folder.parent:
        outermost, folder = folder, folder.parent
    return outermost


def _contents(folder: Path) -> set[Path]:
    return set(folder.rglob("*")) if folder.is_dir() else set()


def _remove_added(folder: Path, before: set[Path], keep: set[Path]) -> None:
    holding = {parent for path in keep for parent in path.parents}
    added = _contents(folder) - before
    for path in sorted(added, key=lambda item: len(item.parts), reverse=True):
        if path in keep or path in holding:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)  # the error being raised is the one to report
        else:
            path.unlink(missing_ok=True)
