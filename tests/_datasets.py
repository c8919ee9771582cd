"""Where the public datasets are: ``../shared/datasets`` beside the repository.

``CHURNLENS_DATASETS`` points elsewhere. Tests that read them are skipped, saying
so, on a machine that does not have them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DATASETS = Path(
    os.environ.get(
        "CHURNLENS_DATASETS",
        Path(__file__).resolve().parents[2] / "shared" / "datasets",
    )
)


def dataset(name: str) -> Path:
    """The folder of one dataset (see its SOURCE.md)."""
    return DATASETS / name


needs_datasets = pytest.mark.skipif(
    not DATASETS.is_dir(),
    reason=f"the public datasets are not at {DATASETS} (set CHURNLENS_DATASETS)",
)
