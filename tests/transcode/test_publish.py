"""publish_directory(): the new set replaces the old one, nothing is left over."""

from __future__ import annotations

import pytest

from eventsite.transcode import publish
from eventsite.transcode.publish import publish_directory


def make_set(folder, name: str) -> None:
    (folder / "mp4").mkdir(parents=True)
    (folder / "mp4" / f"{name}.mp4").write_text(name)


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2-exchange", "two-renames"])
def test_replaces_previous_set(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    final, new = tmp_path / "rec", tmp_path / ".rec.tmp-1"
    make_set(final, "old")
    make_set(new, "new")
    publish_directory(new, final)
    assert [p.name for p in (final / "mp4").iterdir()] == ["new.mp4"]
    assert [p.name for p in tmp_path.iterdir()] == ["rec"]


def test_first_publish(tmp_path):
    new = tmp_path / ".rec.tmp-1"
    make_set(new, "new")
    publish_directory(new, tmp_path / "rec")
    assert (tmp_path / "rec" / "mp4" / "new.mp4").read_text() == "new"
    assert not new.exists()
