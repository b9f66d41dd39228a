"""The book's Sphinx extensions and build scripts (``_ext/``), importable by their tests as the book's
build imports them (``_config.yml`` puts ``_ext`` on the path for its ``local_extensions``)."""
import sys

from social_licence.study.paths import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "_ext"))
