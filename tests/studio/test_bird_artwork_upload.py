"""A panelist's cartoon avatar is their bird's artwork: what the flock could not draw is refused at upload."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from PIL import Image

from eventsite.events.birds import bird_spec
from eventsite.events.models import Panelist
from eventsite.extensions import db
from eventsite.storage import media_store
from tests.conftest import csrf_token, png_bytes


def picture(size=(200, 200), mode="RGBA", colour=(0, 0, 0, 0), fmt="PNG", draw=True) -> bytes:
    image = Image.new(mode, size, colour)
    if draw:
        image.paste((200, 40, 60, 255) if mode == "RGBA" else (200, 40, 60), (40, 40, 160, 160))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def upload(client, avatar: bytes, name="Joanne Jacobs"):
    token = csrf_token(client.get("/studio/people/new").get_data(as_text=True))
    return client.post(
        "/studio/people/new",
        data={"csrf_token": token, "name": name, "avatar": (io.BytesIO(avatar), "bird.png")},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("avatar", "message"),
    [
        (picture()[:300], "not an image we can read"),  # cut off mid-way: damaged
        (picture(fmt="JPEG", mode="RGB", colour=(255, 255, 255))[:-400], "not an image we can read"),
        (b"GIF89a" + b"\x00" * 200, "not an image we can read"),
        (picture(size=(10, 10), draw=False, colour=(10, 20, 30, 255)), "too small"),
        (picture(draw=False), "completely transparent"),
    ],
    ids=["truncated-png", "truncated-jpeg", "fake-gif", "tiny", "empty"],
)
def test_unusable_bird_artwork_is_refused_and_nothing_saved(login, app_ctx, avatar, message):
    client = login()
    response = upload(client, avatar)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nothing was saved" in html and message in html
    assert 'id="avatar-errors"' in html  # said beside the field, too
    assert db.session.scalar(sa.select(sa.func.count(Panelist.id))) == 0
    assert not list(media_store().iter_keys("people"))


def test_good_artwork_becomes_the_bird(login, app_ctx):
    client = login()
    assert upload(client, picture()).status_code == 302
    person = db.session.scalar(sa.select(Panelist))
    spec = bird_spec(person)
    assert spec.artwork is not None and spec.artwork.single.size == (200, 200)
    # an ordinary picture without transparency is fine too
    assert upload(client, png_bytes((64, 64)), name="Azeem Azhar").status_code == 302
