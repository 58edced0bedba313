"""Every configuration file in config/ validates, and bad ones fail with a clear error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from records import ConfigError, Settings, load_settings
from tests.conftest import ROOT


def test_shipped_config_is_valid(settings: Settings) -> None:
    assert {"ashbourne", "kingsmere", "glanyrafon", "thornbury"} <= set(settings.councils)
    assert settings.councils["glanyrafon"].languages == "eng+cym"
    assert settings.councils["thornbury"].inventory is None
    assert len(settings.classification.record_types) >= 9


@pytest.mark.parametrize(
    ("file", "old", "new", "fragment"),
    [
        ("pipeline.yaml", "dpi: 300", "dpi: 30", "dpi"),
        ("councils.yaml", "total_pages: 40", "total_pages: -1", "total_pages"),
        ("councils.yaml", "council_tax: 8", "allotments: 8", "unknown record types"),
        ("record_types.yaml", "review_threshold: 0.55", "review_threshold: 3", "review_threshold"),
    ],
)
def test_bad_config_raises_config_error(tmp_path: Path, file: str, old: str, new: str, fragment: str) -> None:
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    path = config / file
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    with pytest.raises(ConfigError, match=fragment):
        load_settings(config)
