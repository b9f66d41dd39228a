"""Where the project's files live, resolved in one place.

The package is installed in editable mode from ``lib/``, so the project root is three levels above
this file. Every other module asks here for paths instead of building its own.
"""
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]
DATA_DIR = PROJECT_ROOT / "data"
CODEBOOK_PATH = DATA_DIR / "codebook.yml"
PUBLISHED_PATH = DATA_DIR / "published" / "published_figures.csv"
SYNTHETIC_PATH = DATA_DIR / "synthetic" / "synthetic_respondents.csv"
CHECKSUM_PATH = DATA_DIR / "synthetic" / "SHA256SUMS"
