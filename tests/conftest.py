from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def published_dir() -> Path:
    return ROOT / "gymcore" / "published"
