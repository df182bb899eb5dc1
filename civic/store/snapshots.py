"""Versioned, immutable database snapshots with an atomic "current" pointer.

DuckDB facts that shape this module:
- a process holding a database file open, even read-only, blocks every writer of that file;
- reconnecting to the same path in one process can return stale data after the file was replaced.

So a published snapshot file is never written again. A writer copies the current snapshot to a
temporary file, changes the copy, checkpoints it, moves it to a new versioned path and then atomically
replaces the small JSON pointer. Readers always open the file the pointer names, read-only, under its
own path: they never block a writer and never see a half-written state. A writer killed at any moment
leaves the pointer untouched; its temporary file is swept by the next writer.

Publishing and its audit line are one step. A new version's sidecar (vNNNNNN.json) is written first, marked
"pending" and holding the audit entry; then the data file is moved into place; then the pointer switches (the
commit point); then the audit line is appended and the sidecar marked published. A writer killed anywhere in
between leaves a pending version that `recover()` (run by every writer, under the lock) settles: if the
pointer names it, it was published, so its audit line is written from the sidecar; if not, it never was, and
it is deleted. Pending versions are never listed, so nobody can roll back to a killed import.

Superseded versions can be purged (`purge()`), e.g. after a rollback away from an import with personal data
in it: never the current version, never while a reader (in this process or another) still holds the file.
"""
from __future__ import annotations

import contextlib
import fcntl
import getpass
import json
import os
import re
import shutil
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

from civic import paths

DEFAULT_KEEP = 5
MIN_KEEP = 2        # the current version and one to roll back to
_VERSION_RE = re.compile(r"^v(\d{6})\.duckdb$")
_SIDECAR_RE = re.compile(r"^v(\d{6})\.json$")


def retention() -> tuple[int, str | None]:
    """(versions to keep, a warning when CIVIC_KEEP_SNAPSHOTS was unusable and has been replaced).

    Read at every publish, so an operator can change it without a restart. Fewer than MIN_KEEP would leave
    nothing to roll back to (and 0 used to switch pruning off silently), so such values are clamped, loudly."""
    raw = os.environ.get("CIVIC_KEEP_SNAPSHOTS", "").strip()
    if not raw:
        return DEFAULT_KEEP, None
    try:
        n = int(raw)
    except ValueError:
        return DEFAULT_KEEP, (f"CIVIC_KEEP_SNAPSHOTS={raw!r} 不是整数，按默认保留 {DEFAULT_KEEP} 个版本 "
                              f"(not an integer: keeping the default {DEFAULT_KEEP})")
    if n < MIN_KEEP:
        return MIN_KEEP, (f"CIVIC_KEEP_SNAPSHOTS={n} 过小：至少保留当前版本和上一版本，按 {MIN_KEEP} 个执行 "
                          f"(too small: at least the current version and one to roll back to are kept, "
                          f"so {MIN_KEEP})")
    return n, None


def keep_snapshots() -> int:
    return retention()[0]


class NoSnapshot(RuntimeError):
    """No database has been published yet (run `python -m civic build`)."""


class WriterBusy(RuntimeError):
    """Another import or build holds the writer lock."""


class InUse(RuntimeError):
    """A snapshot file is still open in some process, so it cannot be purged now."""


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
    """Published versions kept on disk, oldest first. A version whose publication never completed (a writer
    killed before the pointer switch) is not listed; the current one always is."""
    _, snaps, _ = _dirs()
    try:
        cur_version = current().version
    except (NoSnapshot, OSError, ValueError, KeyError):
        cur_version = None
    out = []
    for f in sorted(snaps.iterdir()):
        m = _VERSION_RE.match(f.name)
        if m:
            version = f"v{m.group(1)}"
            meta = _read_sidecar(f)
            if meta.get("state") == "pending" and version != cur_version:
                continue
            out.append(Snapshot(version=version, path=f,
                                published_at=meta.get("published_at", ""), note=meta.get("note", "")))
    return out


def _read_sidecar(f: Path) -> dict:
    try:
        return json.loads(f.with_suffix(".json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _write_json(path: Path, body: dict) -> None:
    """Replace a small JSON file atomically and durably."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(body, fh, ensure_ascii=False, default=str)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _next_version(snaps: Path) -> str:
    # sidecars count too: a pending sidecar whose data file never arrived still reserves its number
    nums = [int(m.group(1)) for f in snaps.iterdir()
            if (m := _VERSION_RE.match(f.name) or _SIDECAR_RE.match(f.name))]
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
    for f in (paths.data_dir() / "snapshots").glob(".v*.json.*.tmp"):
        with contextlib.suppress(OSError):
            f.unlink()


def _recover_locked() -> list[str]:
    """Settle versions left pending by a killed writer (caller holds the writer lock). Returns what it did."""
    _, snaps, _ = _dirs()
    try:
        cur_version = current().version
    except NoSnapshot:
        cur_version = None
    done = []
    for side in sorted(snaps.glob("v*.json")):
        if not _SIDECAR_RE.match(side.name):
            continue
        try:
            meta = json.loads(side.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            meta = {"state": "pending"}          # cut short while being written: never published
        if meta.get("state") != "pending":
            continue
        version = side.stem
        data = side.with_suffix(".duckdb")
        if version == cur_version and data.exists():
            # the pointer switched, then the writer died before its audit line: write it now
            if meta.get("audit") is not None:
                append_audit({**meta["audit"], "recovered": True}, ts=meta.get("published_at"))
            _write_json(side, {k: v for k, v in meta.items() if k not in ("state", "audit")})
            done.append(f"{version}: published, audit line recovered")
        else:
            for f in (data, side, Path(str(data) + ".wal")):
                with contextlib.suppress(OSError):
                    f.unlink()
            done.append(f"{version}: never published, removed")
    if done:
        _fsync_dir(snaps)
    return done


def recover(timeout_s: float = 120.0) -> list[str]:
    """Settle what killed writers left behind (see the module doc). Writers do this themselves; `status`
    calls it so an operator sees the settled state."""
    with writer_lock(timeout_s):
        _, _, tmp = _dirs()
        _sweep_tmp(tmp)
        return _recover_locked()


def new_tmp_path() -> Path:
    _, _, tmp = _dirs()
    return tmp / f"work-{uuid.uuid4().hex}.duckdb"


def _publish_locked(src: Path, note: str, audit: dict | None) -> Snapshot:
    _, snaps, _ = _dirs()
    _recover_locked()
    version = _next_version(snaps)
    dest = snaps / f"{version}.duckdb"
    sidecar = dest.with_suffix(".json")
    published_at = datetime.now().astimezone().isoformat(timespec="seconds")
    entry = None if audit is None else {"user": _user(), **audit, "version": version, "note": note}
    with open(src, "rb+") as fh:
        os.fsync(fh.fileno())
    # 1. the sidecar first, pending, carrying the audit entry: a data file never exists without it
    _write_json(sidecar, {"published_at": published_at, "note": note, "state": "pending", "audit": entry})
    # 2. the data file, 3. the pointer (the commit point), 4. the audit line, then the sidecar is final
    os.replace(src, dest)
    _fsync_dir(snaps)
    snap = Snapshot(version=version, path=dest, published_at=published_at, note=note)
    _write_pointer(snap)
    if entry is not None:
        append_audit(entry, ts=published_at)
    _write_json(sidecar, {"published_at": published_at, "note": note})
    _fsync_dir(snaps)
    keep, warning = retention()
    if warning:
        print(warning, file=sys.stderr, flush=True)
    _prune(snaps, keep=keep, current_version=version)
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
        _recover_locked()
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
    keep = max(keep, MIN_KEEP)
    all_snaps = sorted(f for f in snaps.iterdir() if _VERSION_RE.match(f.name))
    for f in all_snaps[:-keep]:
        if f.stem == current_version:
            continue
        # Readers that still hold the file keep a valid handle on Linux after unlink; the reader side closes
        # superseded connections once idle (db.py), which frees the space.
        _remove_version_files(f)


def _remove_version_files(f: Path) -> None:
    for g in (f, Path(str(f) + ".wal"), f.with_suffix(".json")):
        with contextlib.suppress(FileNotFoundError):
            g.unlink()


# In-process holders of snapshot files (db.py registers one): called with a path, they release what they
# can and return True when this process still has the file open.
_holders: list[Callable[[Path], bool]] = []


def register_holder(fn: Callable[[Path], bool]) -> None:
    if fn not in _holders:
        _holders.append(fn)


def _held_elsewhere(path: Path) -> bool:
    """Whether another process has the file open through DuckDB. DuckDB takes a POSIX record lock on every
    database file it opens, shared for read-only, so an exclusive probe fails while any other process reads
    it. (Such locks never conflict within one process: `_holders` covers this one.)"""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)       # closes the probe lock with it
    return False


def purge(version: str, user: str | None = None) -> Snapshot:
    """Delete a superseded version's file for good (e.g. the bad import a rollback moved away from).

    Never the current version; never while any reader holds the file (raises InUse: readers let go of
    superseded versions once idle, see db.py). Audited as action "purge". Takes the writer lock, so no
    rollback can be copying the file meanwhile."""
    if not re.fullmatch(r"v\d{6}", version or ""):
        raise ValueError(f"版本号格式应为 v000009 (bad version {version!r})")
    with writer_lock():
        _, snaps, tmp = _dirs()
        _sweep_tmp(tmp)
        _recover_locked()
        cur = current()
        if version == cur.version:
            raise ValueError(f"{version} 是当前版本，不能清除；请先回滚到其他版本 "
                             f"(is the current version: roll back first)")
        matches = [s for s in list_snapshots() if s.version == version]
        if not matches:
            kept = ", ".join(s.version for s in list_snapshots())
            raise ValueError(f"没有保留版本 {version} (not kept; kept: {kept})")
        target = matches[0]
        if any(h(target.path) for h in _holders) or _held_elsewhere(target.path):
            raise InUse(f"{version} 仍被读取中（看板会在空闲约一分钟后释放旧版本），请稍后再试 "
                        f"(still open by a reader; readers release superseded versions when idle)")
        _remove_version_files(target.path)
        _fsync_dir(snaps)
        append_audit({"action": "purge", "user": user or _user(), "version": version,
                      "note": f"purged {version} (published {target.published_at}: {target.note})",
                      "current_version": cur.version})
        return target


def rollback(version: str | None = None, user: str | None = None) -> Snapshot:
    """Make an earlier snapshot current again, as a new version (so caches and the audit log see it)."""
    if os.environ.get("CIVIC_LAKE", "").strip():    # the cluster mode: the lake's time travel (lake.py)
        from civic.store import lake
        return lake.rollback_snapshot(version, user or _user())
    with writer_lock():
        _recover_locked()
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


def append_audit(entry: dict, ts: str | None = None) -> None:
    entry = {"ts": ts or datetime.now().astimezone().isoformat(timespec="seconds"), "user": _user(), **entry}
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
