"""Fetch the real-clip benchmark's clips into a folder, each checked against its git blob id.

The clips are public files in other people's repositories and are never committed here; the
manifest (clips.json beside this script) names each one by repository, commit, path and blob id.
Run it with the project's environment (`. .venv/bin/activate`): where a clip lands is gymcore's
`staged_path`, the one `gymcore evaluate --clips --root` reads.

    python benchmarks/real/stage.py --root ~/gymform-data/real-clips
    python benchmarks/real/stage.py --root DIR --mirror /work/.mirror   # from local clones instead

A clip lands at ROOT/OWNER+NAME/PATH. From GitHub, each repository is fetched once, at the commits
the manifest names only (shallow), into ROOT/.git-cache; with --mirror, a folder holding a clone
of each repository as OWNER+NAME (bare or not, at any depth below it) is read instead. A clip
already staged with the right content is left alone, so the script can be run again after a
failure. Exit status 1 when some clip could not be staged (each is named), 0 otherwise.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from gymcore.evaluation.labelled import repository_folder, staged_path

MANIFEST = Path(__file__).resolve().with_name("clips.json")


@dataclass(frozen=True)
class ClipSource:
    repo: str
    commit: str
    path: str
    blob: str

    @property
    def folder(self) -> str:
        return repository_folder(self.repo)


class StageError(Exception):
    """A clip or repository that could not be staged, said in a sentence."""


def sources(manifest: Path) -> list[ClipSource]:
    clips = json.loads(manifest.read_text(encoding="utf-8"))["clips"]
    return [ClipSource(**clip["source"]) for clip in clips]


def git(*args: str, cwd: Path | None = None, binary: bool = False) -> str | bytes:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=not binary, check=False)
    if done.returncode != 0:
        message = done.stderr if isinstance(done.stderr, str) else done.stderr.decode(errors="replace")
        last = message.strip().splitlines()[-1] if message.strip() else f"exit status {done.returncode}"
        raise StageError(f"git {' '.join(args[:3])} failed: {last}")
    return done.stdout


def staged(target: Path, blob: str) -> bool:
    """Whether target already holds the blob's content."""
    return target.is_file() and git("hash-object", str(target)).strip() == blob


def mirror_git_dir(mirror: Path, source: ClipSource) -> Path:
    """The git directory of a local clone of the source's repository, as `fetch` lays them out."""
    base = mirror / source.folder
    for head in sorted(base.rglob("HEAD")):
        if (head.parent / "objects").is_dir():
            return head.parent
    raise StageError(f"No clone of {source.repo} under {mirror}.")


def github_git_dir(cache: Path, source: ClipSource, commits: list[str]) -> Path:
    """A bare repository holding the given commits of the source's GitHub repository (shallow)."""
    git_dir = cache / f"{source.folder}.git"
    if not git_dir.is_dir():
        git("init", "--bare", "--quiet", str(git_dir))
        git("--git-dir", str(git_dir), "remote", "add", "origin", f"https://github.com/{source.repo}.git")
    missing = [commit for commit in commits if not has_commit(git_dir, commit)]
    if missing:
        git("--git-dir", str(git_dir), "fetch", "--quiet", "--depth", "1", "origin", *missing)
    return git_dir


def has_commit(git_dir: Path, commit: str) -> bool:
    try:
        git("--git-dir", str(git_dir), "cat-file", "-e", f"{commit}^{{commit}}")
    except StageError:
        return False
    return True


def stage_clip(git_dir: Path, source: ClipSource, root: Path) -> None:
    target = staged_path(root, source.repo, source.path)
    if staged(target, source.blob):
        return
    found = str(git("--git-dir", str(git_dir), "rev-parse", f"{source.commit}:{source.path}")).strip()
    if found != source.blob:
        raise StageError(f"{source.repo}:{source.path} at {source.commit[:12]} is blob {found[:12]},"
                         f" not the labelled {source.blob[:12]}.")
    data = git("--git-dir", str(git_dir), "cat-file", "blob", source.blob, binary=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(data)
    partial.replace(target)


def stage(manifest: Path, root: Path, mirror: Path | None) -> list[str]:
    """Stage every clip of the manifest under root; the sentences of those that failed."""
    by_repo: dict[str, list[ClipSource]] = defaultdict(list)
    for source in sources(manifest):
        by_repo[source.repo].append(source)
    failures = []
    for repo, clips in sorted(by_repo.items()):
        try:
            git_dir = (mirror_git_dir(mirror, clips[0]) if mirror else
                       github_git_dir(root / ".git-cache", clips[0], sorted({clip.commit for clip in clips})))
        except StageError as error:
            failures += [f"{repo}: {error}"]
            continue
        for clip in clips:
            try:
                stage_clip(git_dir, clip, root)
            except StageError as error:
                failures.append(str(error))
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True, help="the folder the clips are staged in")
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--mirror", type=Path, help="read local clones (OWNER+NAME folders) instead of GitHub")
    args = parser.parse_args(argv)
    failures = stage(args.manifest, args.root, args.mirror)
    total = len(sources(args.manifest))
    print(f"staged {total - len(failures)} of {total} clips under {args.root}")
    for failure in failures:
        print(f"not staged: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
