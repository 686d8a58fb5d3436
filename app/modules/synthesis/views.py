"""Synthesis routes."""

from __future__ import annotations

from flask import Blueprint

from app.modules.synthesis import models as _models  # noqa: F401 - the tables

bp = Blueprint("synthesis", __name__)
