"""One look for every chart: theme, colour-blind-safe palette, the UK's highlight colour.

Every chapter calls fiscalbook.book.setup(), which calls enable() here, so a chart made
in any chapter looks the same and the UK is always drawn in UK_COLOUR.
"""

from __future__ import annotations

import altair as alt

# Okabe–Ito palette (colour-blind safe). The UK always takes vermillion; other series
# draw from the remaining colours, with OTHER_COLOUR for "everybody else".
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#56B4E9", "#CC79A7", "#F0E442", "#D55E00", "#000000"]
UK_COLOUR = "#D55E00"
OTHER_COLOUR = "#8C8C8C"
PALETTE = [c for c in OKABE_ITO if c != UK_COLOUR]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

THEME_NAME = "fiscalbook"


@alt.theme.register(THEME_NAME, enable=False)
def _theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "font": FONT,
            "view": {"continuousWidth": 560, "continuousHeight": 320, "stroke": None},
            "range": {"category": PALETTE},
            "axis": {"labelFontSize": 12, "titleFontSize": 13, "grid": True, "gridColor": "#e6e6e6"},
            "legend": {"labelFontSize": 12, "titleFontSize": 13},
            "title": {"fontSize": 15, "anchor": "start", "subtitleFontSize": 12, "subtitleColor": "#555"},
        }
    }


def enable() -> None:
    """Switch on the book theme and the data handling used by every chapter."""
    alt.theme.enable(THEME_NAME)
    alt.data_transformers.enable("default", max_rows=5000)


def uk_colour_scale(field_values=("United Kingdom", "Other")) -> alt.Scale:
    """A two-colour scale that draws the UK in UK_COLOUR and the rest in grey."""
    return alt.Scale(domain=list(field_values), range=[UK_COLOUR, OTHER_COLOUR])
