"""Writing feed XML with ElementTree: one helper, so no feed is built from string templates."""

from __future__ import annotations

from xml.etree import ElementTree as ET


def sub(parent: ET.Element, tag: str, value: str | None = None, /, **attrs: str | None) -> ET.Element:
    """A child element with text ``value`` and the attributes that are not None.

    ``value`` is positional-only so that attributes may be called ``text``
    (``<itunes:category text="Business"/>``). ElementTree escapes both.
    """
    node = ET.SubElement(parent, tag, {k: v for k, v in attrs.items() if v is not None})
    if value is not None:
        node.text = value
    return node
