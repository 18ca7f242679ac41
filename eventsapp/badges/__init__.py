"""Badge rendering (reportlab): ``render_badges(badges, layout, out)`` -> PDF.

Pure functions, no Flask or database imports; the web view lives in ``views.py``.
"""

from .fonts import missing_glyphs
from .layouts import LAYOUTS, SheetLayout
from .model import CATEGORIES, BadgeData
from .render import CATEGORY_STYLES, render_badges

__all__ = [
    "BadgeData",
    "CATEGORIES",
    "CATEGORY_STYLES",
    "LAYOUTS",
    "SheetLayout",
    "missing_glyphs",
    "render_badges",
]
