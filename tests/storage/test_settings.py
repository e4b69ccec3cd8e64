"""Choosing the storage back-end: clear refusals at start-up instead of failures later."""

from __future__ import annotations

import pytest

from eventsite import create_app
from eventsite.config import TestingConfig
from eventsite.storage import S3MediaStore, StorageConfigError, store_from_config

from .conftest import s3_settings


def test_unknown_back_end_is_refused(tmp_path):
    with pytest.raises(StorageConfigError, match="'ftp' is not a storage back-end; use 'local' or 's3'"):
        store_from_config({"STORAGE": "ftp", "MEDIA_ROOT": str(tmp_path)})


def test_s3_needs_a_bucket_and_both_halves_of_a_key(s3_server):
    settings = s3_settings(s3_server, "")
    with pytest.raises(StorageConfigError, match="needs EVENTSITE_S3_BUCKET"):
        store_from_config(settings)
    settings = {**s3_settings(s3_server, "media"), "S3_SECRET_ACCESS_KEY": ""}
    with pytest.raises(StorageConfigError, match="both EVENTSITE_S3_ACCESS_KEY_ID and EVENTSITE_S3_SECRET_ACCESS_KEY"):
        store_from_config(settings)


def test_s3_without_any_credentials_is_refused(s3_server, monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    settings = {**s3_settings(s3_server, "media"), "S3_ACCESS_KEY_ID": "", "S3_SECRET_ACCESS_KEY": ""}
    with pytest.raises(StorageConfigError, match="needs credentials"):
        store_from_config(settings)


def test_good_settings_make_an_s3_store(s3_server):
    store = store_from_config({**s3_settings(s3_server, "media"), "MEDIA_PUBLIC_URL": "https://cdn.example"})
    assert isinstance(store, S3MediaStore)
    assert store.bucket == "media" and store.location == "s3://media"
    assert store.url_for_public("a/b.mp4") == "https://cdn.example/public/a/b.mp4"


def test_the_app_starts_on_object_storage(s3_server, tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSITE_INSTANCE_PATH", str(tmp_path / "instance"))
    settings = {**s3_settings(s3_server, "media"), "DATABASE_URL": f"sqlite:///{tmp_path / 'db'}"}
    app = create_app(settings, config_class=TestingConfig)
    store = app.extensions["media_store"]
    assert isinstance(store, S3MediaStore) and store.bucket == "media"
    with app.test_request_context():
        from eventsite.security import content_security_policy

        # /media/ redirects to the bucket, so the pages let its origin serve media
        assert f"media-src 'self' blob: {s3_server}" in content_security_policy()
