"""Throwaway virtualenvs for tools whose pins do not fit the project's (Superset, old DuckDB).

``ensure_venv(path, [requirement, ...], constraints=...)`` creates ``path`` with the
interpreter running this code, installs the requirements with pip (PyPI, or the machine's
pip configuration) and writes a stamp with what it installed, so the next call with the same
requirements costs nothing. Venvs live at the project root under ``.venv-*`` (git-ignored);
CI caches them like ``.venv``.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import venv
from pathlib import Path

STAMP = ".csw-installed"


def _fingerprint(requirements: list[str], constraints: Path | None) -> str:
    digest = hashlib.sha256("\n".join(requirements).encode())
    for path in (constraints,):
        if path is not None:
            digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_venv(path: Path, requirements: list[str], constraints: Path | None = None) -> Path:
    """The venv's python, after installing ``requirements`` (``-r file`` entries allowed)."""
    path = Path(path)
    python = path / "bin" / "python"
    stamp = path / STAMP
    fingerprint = _fingerprint(requirements, constraints)
    if python.exists() and stamp.exists() and stamp.read_text().strip() == fingerprint:
        return python
    if not python.exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(path)
    args = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if constraints is not None:
        args += ["-c", str(constraints)]
    for requirement in requirements:
        args += requirement.split(" ", 1) if requirement.startswith("-r ") else [requirement]
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"pip install into {path} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    stamp.write_text(fingerprint + "\n")
    return python


if __name__ == "__main__":  # python -m csw.bi.venv PATH REQ...
    print(ensure_venv(Path(sys.argv[1]), sys.argv[2:]))
