"""domain, store, ingest, letters, reports and services never import Textual (GUIDE §6, §9)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import tui

CORE = ("tui.domain", "tui.store", "tui.ingest", "tui.letters", "tui.reports", "tui.services")


def core_modules() -> list[str]:
    out = []
    for pkg in CORE:
        mod = __import__(pkg, fromlist=["_"])
        out.append(pkg)
        for info in pkgutil.walk_packages(mod.__path__, pkg + "."):
            out.append(info.name)
    return out


def test_core_packages_do_not_import_textual():
    modules = core_modules()
    assert "tui.store.desk" in modules and "tui.domain.search" in modules
    code = (
        "import importlib, sys\n"
        f"mods = {modules!r}\n"
        "bad = []\n"
        "for m in mods:\n"
        "    importlib.import_module(m)\n"
        "    if any(k == 'textual' or k.startswith('textual.') for k in sys.modules):\n"
        "        bad.append(m); break\n"
        "print(','.join(bad))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=str(tui.__path__[0] + "/.."),
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == ""
