"""Files that hold personal data or secrets are readable by the app's user only: the SQLite
database and its WAL and shared-memory files, .eml mail files, instance/ (0600 files, 0700
folders), whatever the process's umask (issue 20: they were created 0644)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: str | os.PathLike) -> Path:
    """Create `path` (and missing parents) as 0700; an existing one loses group/other bits."""
    path = Path(path)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _restrict(path, DIR_MODE)
    return path


def private_file(path: str | os.PathLike) -> Path:
    """Create `path` empty as 0600 if missing; an existing one loses group/other bits."""
    path = Path(path)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass
    _restrict(path, FILE_MODE)
    return path


def write_private(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to a new or replaced file that only the owner can read (0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as f:
        os.fchmod(f.fileno(), FILE_MODE)  # an existing file keeps its old mode otherwise
        f.write(data)


def private_sqlite_database(database: str | None) -> None:
    """Before SQLite first opens `database`: the file 0600, so the WAL and shared-memory
    files SQLite creates beside it take the same mode (SQLite copies the database's)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.is_dir():
        return  # a wrong path: SQLite's own error says so (and /healthz answers 503)
    private_file(path)
    for suffix in ("-wal", "-shm", "-journal"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            _restrict(side, FILE_MODE)


def _restrict(path: Path, mode: int) -> None:
    try:
        current = stat.S_IMODE(path.stat().st_mode)
        if current & 0o077:
            path.chmod(current & mode)
    except PermissionError:
        pass  # not ours to change (a shared folder): the files inside are still private
