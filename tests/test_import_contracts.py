"""The layering of GUIDE §6, as the import-linter contracts in pyproject.toml state it.

`lint-imports` reads the static import graph: the pure layers reach no store, services or
screens; the store no screens, services or settings (a few edges staged and named there);
the desk reaches the store only through services; services know no screens. Run here so
the README's one test command checks it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _lint_imports() -> str:
    exe = Path(sys.executable).parent / "lint-imports"
    if exe.exists():
        return str(exe)
    found = shutil.which("lint-imports")
    assert found, "lint-imports 未安装（pip install -e '.[test]'）"
    return found


def test_import_contracts_hold():
    res = subprocess.run(
        [_lint_imports(), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "BROKEN" not in res.stdout
    assert res.stdout.count("KEPT") == 4


def test_the_desk_app_module_stays_small():
    """app.py keeps tab switching, global keys and message routing (GUIDE §6)."""
    lines = (ROOT / "tui" / "app" / "app.py").read_text(encoding="utf-8").count("\n")
    assert lines < 400, f"tui/app/app.py 有 {lines} 行"
