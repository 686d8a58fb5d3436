"""Synthesis routes."""

from __future__ import annotations

from flask import Blueprint

from app.modules.synthesis import annex as _annex  # noqa: F401 - registers the export annex

bp = Blueprint("synthesis", __name__)
