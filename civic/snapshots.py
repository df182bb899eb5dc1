"""Versioned, immutable database snapshots with an atomic "current" pointer.

DuckDB facts that shape this module:
- a process holding a database file open, even read-only, blocks every writer of that file;
- reconnecting to the same path in one process can return stale data after the file was replaced.

So a published snapshot file is never written again. A writer copies the current snapshot to a
temporary file, changes the copy, checkpoints it, moves it to a new versioned path and then atomically
replaces the small JSON pointer. Readers always open the file the pointer names, read-only, under its
own path: they never block a writer and never see a half-written state. A writer killed at any moment
leaves the pointer untouched; its temporary file is swept by the next writer.
"""
from __future__ import annotations

import contextlib
import fcntl
import getpass
import json
import os
import re
import shutil
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterator

from . import paths

KEEP_SNAPSHOTS = int(os.environ.get("CIVIC_KEEP_SNAPSHOTS", "5"))
_VERSION_RE = re.compile(r"^v(\d{6})\.duckdb$")


class NoSnapshot(RuntimeError):
    """No database has been published yet (run `python -m civic build`)."""


class WriterBusy(RuntimeError):
    """Another import or build holds the writer lock."""


class NoChange(Exception):
    """Raise inside `transaction()` when the work changed nothing: the working copy is dropped, no version is
    published, the audit entry (if any) is logged against the current version, and the block exits normally."""


@dataclass(frozen=True)
class Snapshot:
    version: str
    path: Path
    published_at: str
    note: str = ""


def _dirs() -> tuple[Path, Path, Path]:
    root = paths.data_dir()
    snaps = root / "snapshots"
    tmp = root / "snapshots" / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    return root, snaps, tmp


def pointer_path() -> Path:
    return paths.data_dir() / "current.json"


def audit_path() -> Path:
    return paths.data_dir() / "audit.jsonl"


_pointer_cache: tuple[tuple, Snapshot] | None = None


def current() -> Snapshot:
    """The published snapshot. Cheap: re-reads the pointer only when its stat changes."""
    global _pointer_cache
    p = pointer_path()
    try:
        st = p.stat()
    except FileNotFoundError:
        raise NoSnapshot(f"no published database in {paths.data_dir()}") from None
    key = (str(p), st.st_mtime_ns, st.st_size, st.st_ino)
    cached = _pointer_cache
    if cached and cached[0] == key:
        return cached[1]
    data = json.loads(p.read_text(encoding="utf-8"))
    snap = Snapshot(version=data["version"], path=paths.data_dir() / data["file"],
                    published_at=data["published_at"], note=data.get("note", ""))
    _pointer_cache = (key, snap)
    return snap


def list_snapshots() -> list[Snapshot]:
    _, snaps, _ = _dirs()
    out = []
    for f in sorted(snaps.iterdir()):
        m = _VERSION_RE.match(f.name)
        if m:
            meta = _read_sidecar(f)
            out.append(Snapshot(version=f"v{m.group(1)}", path=f,
                                published_at=meta.get("published_at", ""), note=meta.get("note", "")))
    return out


def _read_sidecar(f: Path) -> dict:
    try:
        return json.loads(f.with_suffix(".json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _next_version(snaps: Path) -> str:
    nums = [int(m.group(1)) for f in snaps.iterdir() if (m := _VERSION_RE.match(f.name))]
    return f"v{(max(nums) + 1) if nums else 1:06d}"


def _fsync_dir(d: Path) -> None:
    fd = os.open(d, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_pointer(snap: Snapshot) -> None:
    root = paths.data_dir()
    tmp = root / f".current.{uuid.uuid4().hex}.tmp"
    body = {"version": snap.version, "file": str(snap.path.relative_to(root)),
            "published_at": snap.published_at, "note": snap.note}
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(body, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, pointer_path())
    _fsync_dir(root)


@contextlib.contextmanager
def writer_lock(timeout_s: float = 120.0) -> Iterator[None]:
    """One writer at a time, across processes. The OS drops the lock if the holder is killed."""
    root = paths.data_dir()
    root.mkdir(parents=True, exist_ok=True)
    fh = open(root / "publish.lock", "a+")
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > deadline:
                fh.close()
                raise WriterBusy("another import or build is running") from None
            time.sleep(0.05)
    try:
        yield
    finally:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        fh.close()


def _sweep_tmp(tmp: Path) -> None:
    """Remove leftovers of writers that were killed (we hold the lock, so none is running)."""
    for f in tmp.iterdir():
        with contextlib.suppress(OSError):
            f.unlink()
    for f in paths.data_dir().glob(".current.*.tmp"):
        with contextlib.suppress(OSError):
            f.unlink()


def new_tmp_path() -> Path:
    _, _, tmp = _dirs()
    return tmp / f"work-{uuid.uuid4().hex}.duckdb"


def _publish_locked(src: Path, note: str, audit: dict | None) -> Snapshot:
    _, snaps, _ = _dirs()
    version = _next_version(snaps)
    dest = snaps / f"{version}.duckdb"
    published_at = datetime.now().astimezone().isoformat(timespec="seconds")
    with open(src, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(src, dest)
    dest.with_suffix(".json").write_text(
        json.dumps({"published_at": published_at, "note": note}, ensure_ascii=False), encoding="utf-8")
    _fsync_dir(snaps)
    snap = Snapshot(version=version, path=dest, published_at=published_at, note=note)
    _write_pointer(snap)
    if audit is not None:
        append_audit({**audit, "version": version, "note": note})
    _prune(snaps, keep=KEEP_SNAPSHOTS, current_version=version)
    return snap


def publish(src: Path, note: str = "", audit: dict | None = None) -> Snapshot:
    """Publish a finished, checkpointed database file as the new current snapshot."""
    with writer_lock():
        return _publish_locked(Path(src), note, audit)


@contextlib.contextmanager
def transaction(note: str, audit: dict | None = None, from_current: bool = True) -> Iterator[Path]:
    """Yield a private working file (a copy of the current snapshot); publish it if the block succeeds.

    The caller opens the working file read-write, changes it and closes it (checkpointing) before the
    block ends. On any exception nothing is published and the working file is removed.
    `audit` may be mutated inside the block (e.g. rows added) and is logged with the new version; afterwards
    `audit["version"]` holds the published version (or the current one, if the block raised NoChange).
    """
    with writer_lock():
        _, _, tmp = _dirs()
        _sweep_tmp(tmp)
        work = new_tmp_path()
        try:
            # inside the try: a copy cut short by a full disk is removed now, not at the next import
            if from_current:
                shutil.copyfile(current().path, work)
            yield work
        except NoChange:
            _drop_work(work)
            if audit is not None:
                audit["version"] = current().version
                append_audit({**audit, "note": note, "published": False})
            return
        except BaseException:
            _drop_work(work)
            raise
        snap = _publish_locked(work, note, audit)
        if audit is not None:
            audit["version"] = snap.version


def _drop_work(work: Path) -> None:
    """Remove a working file and DuckDB's write-ahead log beside it."""
    for f in (work, work.with_name(work.name + ".wal")):
        with contextlib.suppress(OSError):
            f.unlink()


def _prune(snaps: Path, keep: int, current_version: str) -> None:
    all_snaps = sorted(f for f in snaps.iterdir() if _VERSION_RE.match(f.name))
    for f in all_snaps[:-keep] if keep > 0 else []:
        if f.stem == current_version:
            continue
        # Readers that still hold the file keep a valid handle on Linux after unlink.
        with contextlib.suppress(OSError):
            f.unlink()
        with contextlib.suppress(OSError):
            f.with_suffix(".json").unlink()


def rollback(version: str | None = None, user: str | None = None) -> Snapshot:
    """Make an earlier snapshot current again, as a new version (so caches and the audit log see it)."""
    with writer_lock():
        snaps_list = list_snapshots()
        cur = current()
        if version is None:
            older = [s for s in snaps_list if s.version < cur.version]
            if not older:
                raise ValueError("no earlier snapshot to roll back to")
            target = older[-1]
        else:
            matches = [s for s in snaps_list if s.version == version]
            if not matches:
                kept = ", ".join(s.version for s in snaps_list)
                raise ValueError(f"snapshot {version} is not kept (kept: {kept})")
            target = matches[0]
        _, _, tmp = _dirs()
        _sweep_tmp(tmp)
        work = new_tmp_path()
        shutil.copyfile(target.path, work)
        note = f"rollback to {target.version}"
        return _publish_locked(work, note, {"action": "rollback", "user": user or _user(),
                                             "from_version": cur.version, "to_version": target.version})


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no passwd entry in some containers
        return "unknown"


def append_audit(entry: dict) -> None:
    entry = {"ts": datetime.now().astimezone().isoformat(timespec="seconds"), "user": _user(), **entry}
    line = json.dumps(entry, ensure_ascii=False, default=str)
    with open(audit_path(), "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def read_audit(limit: int = 50) -> list[dict]:
    try:
        lines = audit_path().read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    out = []
    for line in reversed(lines):
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line cut short by a killed writer
        if len(out) >= limit:
            break
    return out


def snapshot_dict(s: Snapshot) -> dict:
    d = asdict(s)
    d["path"] = str(s.path)
    return d
