"""Events, panels and panelists, and their public pages."""

from .views import bp

__all__ = ["bp"]
