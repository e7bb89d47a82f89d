"""Packaging glue that pyproject.toml cannot express: the checkout's `data/` ships as `tui/data`.

`data/` stays at the top of the repository (the README, the docs and every contributor's
paths name it there); a wheel carries all of it inside the package, where
`tui.paths.data_dir()` finds it. Every folder and file under `data/` is included, so a file
added later (a vocabulary table, another holiday year) ships without touching this.
Everything else is in pyproject.toml.
"""

from setuptools import find_namespace_packages, setup

DATA = [
    "tui.data",
    *(f"tui.data.{name}" for name in find_namespace_packages(where="data") if "__" not in name),
]

setup(
    packages=[*find_namespace_packages(include=["tui", "tui.*"]), *DATA],
    package_dir={"tui.data": "data"},
    package_data={
        "": ["*.tcss", "*.toml", "*.txt", "*.mako", "*.sql"],
        **{name: ["*"] for name in DATA},
    },
)
