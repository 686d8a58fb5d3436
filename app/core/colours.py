"""The colour a person is shown in: beside their cursor, in the room, and over the words
they wrote in the history's authorship view."""

from __future__ import annotations

# Distinct at a glance, and dark enough for white initials (WCAG AA on every one).
PALETTE = (
    "#0b5cad",
    "#b3261e",
    "#1e7b34",
    "#8a4b08",
    "#6a1b9a",
    "#00696f",
    "#a3156e",
    "#3f51b5",
    "#5d6b00",
    "#c2410c",
    "#0f766e",
    "#7c2d12",
    "#4338ca",
    "#9d174d",
    "#166534",
    "#1d4ed8",
)


def colour_for(person_id: int) -> str:
    """A person keeps their colour in every document and after every reconnection."""
    return PALETTE[person_id % len(PALETTE)]
