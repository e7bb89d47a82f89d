"""What the desk remembers between sessions for each operator (the last 签发人).

A small JSON file beside the store (``desk-state.json``, 0600 in the store's folder), or in
the user's data folder for a store that is not a file. It holds no office data: losing it
only means the signer's name is asked for again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tui.services.store import Store

STATE_FILE = "desk-state.json"


def state_path(store: Store) -> Path:
    if store.target.path is not None:
        return store.target.path.parent / STATE_FILE
    from platformdirs import user_data_dir

    return Path(user_data_dir("duban", appauthor=False)) / STATE_FILE


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def last_signer(store: Store, operator: str) -> str:
    value = _read(state_path(store)).get("signer", {}).get(operator, "")
    return value if isinstance(value, str) else ""


def remember_signer(store: Store, operator: str, signer: str) -> None:
    """Best effort: a folder that cannot be written only loses the convenience."""
    path = state_path(store)
    data = _read(path)
    signers = data.get("signer") if isinstance(data.get("signer"), dict) else {}
    signers[operator] = signer.strip()
    data["signer"] = signers
    tmp = path.with_suffix(".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
