"""The live channel's Socket.IO server, bound to the application in create_app."""

from __future__ import annotations

from flask_socketio import SocketIO

socketio = SocketIO()
