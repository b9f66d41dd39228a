"""Where the project's files live, resolved in one place.

The package is installed in editable mode from ``lib/``, so the project root is three levels above
this file. Every other module asks here for paths instead of building its own.
"""
from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]
DATA_DIR = PROJECT_ROOT / "data"
CODEBOOK_PATH = DATA_DIR / "codebook.yml"
PUBLISHED_PATH = DATA_DIR / "published" / "published_figures.csv"
SYNTHETIC_DIR = DATA_DIR / "synthetic"
SYNTHETIC_PATH = SYNTHETIC_DIR / "synthetic_respondents.csv"
CHECKSUM_PATH = SYNTHETIC_DIR / "SHA256SUMS"
ENSEMBLE_DIR = SYNTHETIC_DIR / "ensemble"


def project_path(value: str | Path) -> Path:
    """A path a user gave (argument or environment variable), absolute.

    A relative path is taken relative to the repository root, not to the working folder: the book
    executes each notebook in ``chapters/`` and ``make`` runs from the root, so this is the only
    reading under which ``SOCIAL_LICENCE_DATA=data/raw/file.sav`` means the same file everywhere.
    """
    path = Path(value).expanduser()
    return (path if path.is_absolute() else PROJECT_ROOT / path).resolve()


def shown_path(path: str | Path) -> str:
    """A path as a reader may see it: relative to the repository root if inside it, else the file name.

    Notices and captions use this, so a build never prints a local home folder.
    """
    path = Path(path).resolve()
    try:
        return path.relative_to(PROJECT_ROOT.resolve()).as_posix()
    except ValueError:
        return path.name
