"""Demo content: the Social Media Week panel "What is social influence?"."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from .discussion.demo import seed_demo_comments
from .events.models import Consent, Event, Panel, Panelist, PanelStatus, SeatRole, View
from .events.slugs import unique_slug
from .extensions import db
from .offers.demo import seed_demo_offer
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
        "the panel into a flock of cartoon birds for the published video. Cheep cheep."
    ),
    "starts_at": datetime(2012, 9, 26, 14, 0, tzinfo=UTC),
    "venue": "Likeminds, London",
    "credits": "Hosted by Likeminds\nVideo by Brass",
}

#: (name, headline, role, bird colour)
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


def demo_panel() -> Panel | None:
    """The demo panel, if it was seeded."""
    return db.session.scalar(
        sa.select(Panel).join(Panel.event).where(Event.name == EVENT["name"], Panel.slug == "what-is-social-influence")
    )


def seed_demo() -> bool:
    """Create the demo event, panel and panelists once (the recording and the
    thread follow: see :func:`seed_demo_thread`).

    Returns False (and changes nothing) when the demo content already exists,
    so running the README's run command twice never duplicates it.
    The panelists appear as birds only, as on the model page: that is the
    consent recorded for each seat, and the panel opens on the flock.
    """
    if db.session.scalar(sa.select(Event).where(Event.name == EVENT["name"])):
        return False
    event = Event(slug=unique_slug(Event, EVENT["name"]), **EVENT)
    panel = Panel(
        event=event,
        slug="what-is-social-influence",
        status=PanelStatus.PUBLISHED,
        default_view=View.FLOCK,
        flock_style="directed",
        **PANEL,
    )
    panel.publish_at = datetime(2012, 10, 1, 9, 0, tzinfo=UTC)
    db.session.add_all([event, panel])
    db.session.flush()
    for position, (name, headline, role, colour) in enumerate(PEOPLE):
        person = Panelist(
            slug=unique_slug(Panelist, name),
            name=name,
            headline=headline,
            bio=f"{name} is a {headline[0].lower() + headline[1:]}. (Placeholder biography for the demo.)",
            bird_colour=colour,
        )
        db.session.add(person)
        db.session.flush()
        seat_panelist(panel, person, role, position, Consent.BIRD)
    db.session.commit()
    seed_demo_offer(panel)
    return True


def seed_demo_thread(panel: Panel) -> bool:
    """The model page's discussion, once; its timestamps point at moments of the demo recording."""
    return seed_demo_comments(panel)
