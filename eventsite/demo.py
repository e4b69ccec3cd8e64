"""Demo content: the Social Media Week panel "What is social influence?"."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import sqlalchemy as sa
from PIL import Image, ImageDraw, ImageFont

from .discussion.demo import seed_demo_comments
from .events.images import store_person_image
from .events.models import Event, Panel, Panelist, PanelStatus, SeatRole
from .events.slugs import unique_slug
from .extensions import db
from .studio.operations import seat_panelist

EVENT = {
    "name": "Social Media Week",
    "starts_on": date(2012, 9, 24),
    "ends_on": date(2012, 9, 28),
    "place": "London",
    "host_organisation": "Likeminds",
    "description": "A week of talks and panels about how social media changes business, culture and society.",
}

PANEL = {
    "title": "What is social influence?",
    "abstract": (
        "Everyone wants to be *influential* online, but what does influence actually mean, "
        "and can it be measured?\n\nLikeminds brought together a panel of practitioners and "
        "researchers to answer that question. Brass recorded each panelist's answer and turned "
        "the panel into a flock of cartoon birds for the published video."
    ),
    "starts_at": datetime(2012, 9, 26, 14, 0, tzinfo=UTC),
    "venue": "Likeminds, London",
    "credits": "Hosted by Likeminds\nVideo by Brass",
}

#: (name, headline, role, portrait colour)
PEOPLE = [
    ("Gemma Went", "Digital marketing consultant and author of the write-up", SeatRole.HOST, "#7b3294"),
    ("Andrew Gerrard", "Social media strategist", SeatRole.PANELIST, "#1b7837"),
    ("Joanne Jacobs", "Researcher in social technologies", SeatRole.PANELIST, "#b2182b"),
    ("Benjamin Ellis", "Technologist and social business adviser", SeatRole.PANELIST, "#2166ac"),
    ("Matt Rhodes", "Director of client strategy at an online communities agency", SeatRole.PANELIST, "#8c510a"),
    ("Azeem Azhar", "Founder of an influence analytics start-up", SeatRole.PANELIST, "#01665e"),
]

DEMO_ORGANISER_EMAIL = "organiser@example.com"
DEMO_ORGANISER_PASSWORD = "eventsite-demo"  # noqa: S105  (printed to the user; demo only)


def placeholder_portrait(name: str, colour: str, size: int = 400) -> bytes:
    """A square PNG with the person's initials on a coloured disc."""
    image = Image.new("RGB", (size, size), "#f4f1ea")
    draw = ImageDraw.Draw(image)
    draw.ellipse((16, 16, size - 16, size - 16), fill=colour)
    initials = "".join(part[0] for part in name.split()[:2]).upper()
    font = ImageFont.load_default(size=size // 3)
    draw.text((size / 2, size / 2), initials, fill="white", font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def seed_demo(max_image_bytes: int) -> bool:
    """Create the demo event, panel, panelists and comment thread once.

    Returns False (and changes nothing) when the demo content already exists,
    so running the README's run command twice never duplicates it. An older
    demo install without comments gets the thread added.
    """
    existing = db.session.scalar(sa.select(Event).where(Event.name == EVENT["name"]))
    if existing:
        panel = db.session.scalar(
            sa.select(Panel).where(Panel.event_id == existing.id, Panel.slug == "what-is-social-influence")
        )
        return seed_demo_comments(panel) if panel else False
    event = Event(slug=unique_slug(Event, EVENT["name"]), **EVENT)
    panel = Panel(event=event, slug="what-is-social-influence", status=PanelStatus.PUBLISHED, **PANEL)
    panel.publish_at = datetime(2012, 10, 1, 9, 0, tzinfo=UTC)
    db.session.add_all([event, panel])
    db.session.flush()
    for position, (name, headline, role, colour) in enumerate(PEOPLE):
        person = Panelist(
            slug=unique_slug(Panelist, name),
            name=name,
            headline=headline,
            bio=f"{name} is a {headline[0].lower() + headline[1:]}. (Placeholder biography for the demo.)",
        )
        db.session.add(person)
        db.session.flush()
        person.photo_key = store_person_image(
            person.id, "photo", io.BytesIO(placeholder_portrait(name, colour)), max_bytes=max_image_bytes
        )
        seat_panelist(panel, person, role, position)
    db.session.commit()
    seed_demo_comments(panel)
    return True
