"""The worked examples of LEGAL.md (``vectors/legal.json``) that the tests must reproduce.

The authoritative file lives in the shared directory beside the repository (``<repo root>/../shared``, or
``$INCASSO_SHARED_DIR``). A copy ships in ``tests/data/legal_vectors.json`` so that a clone on its own still runs
every example; when the shared file is present, ``test_vectors.py`` fails if the copy has fallen behind it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

SHARED_DIR_ENV = "INCASSO_SHARED_DIR"
REPO_ROOT = Path(__file__).resolve().parents[3]
BUNDLED = Path(__file__).resolve().parent / "data" / "legal_vectors.json"


def shared_dir() -> Path:
    """The shared directory: ``$INCASSO_SHARED_DIR`` when set, else the sibling ``shared`` of the repository."""
    configured = os.environ.get(SHARED_DIR_ENV)
    return Path(configured) if configured else REPO_ROOT.parent / "shared"


def shared_vectors_path() -> Path:
    return shared_dir() / "vectors" / "legal.json"


def legal_vectors() -> dict[str, Any]:
    """The whole of ``vectors/legal.json`` (keys ``wik``, ``quote``, ``fourteen_day_letter``, ``dsr_deadline``)."""
    path = shared_vectors_path()
    if not path.is_file():
        path = BUNDLED
    vectors: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return vectors
