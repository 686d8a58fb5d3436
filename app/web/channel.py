"""The Socket.IO server, bound to the application in create_app: the live layer
(app/realtime) registers its events on it, serving.py runs it, and the server's periodic
work (the agenda's clock, automatic backups) runs on its loop (blocking.py)."""

from __future__ import annotations

from flask_socketio import SocketIO

socketio = SocketIO()
