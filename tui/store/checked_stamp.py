"""The stamp that says a SQLite store file is exactly as this program left it (no
SQLAlchemy here: `duban import` opens current stores without it)."""

from __future__ import annotations

# ----------------------------------------------------------------- "as we left it" stamp
#
# quick_check reads every page: on a 200k-assignment store on a busy machine that is far
# more than the 100 ms an open may cost. What it guards against is damage from outside
# this program (a disk fault, another tool, a half-copied file). So when this program
# closes a store cleanly (WAL checkpointed into the file), it records the file's identity
# — inode, size, modification time — beside it; an open that finds the file exactly so,
# with no WAL, skips quick_check. Anything that touched the file since runs it again.
# `duban check` always checks everything.


def _stamp_file(path) -> object:
    return path.with_name(f".{path.name}.checked")


def _identity(path) -> str | None:
    import os

    try:
        st = os.stat(path)
    except OSError:
        return None
    try:
        wal = os.stat(f"{path}-wal").st_size
    except OSError:
        wal = 0
    if wal:
        return None  # changes still in the WAL: not a state to vouch for
    return f"{st.st_ino} {st.st_size} {st.st_mtime_ns}"


def unchanged_since_checked(path) -> bool:
    """The file is exactly as this program left it after a clean close."""
    try:
        recorded = _stamp_file(path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return False
    return bool(recorded) and recorded == _identity(path)


def record_checked(path) -> None:
    """After a clean close: the file as it now is needs no quick_check at the next open."""
    import os

    ident = _identity(path)
    stamp = _stamp_file(path)
    try:
        if ident is None:
            stamp.unlink(missing_ok=True)
            return
        tmp = stamp.with_name(stamp.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(ident)
        os.replace(tmp, stamp)
    except OSError:
        pass  # only a skipped optimisation: the next open checks


def forget_checked(path) -> None:
    try:
        _stamp_file(path).unlink(missing_ok=True)
    except OSError:
        pass
