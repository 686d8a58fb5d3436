"""Entry point: `flask --app wsgi …` for the CLI, `python wsgi.py` for the server."""

import os

if __name__ == "__main__" and os.environ.get("TAVOLO_ASYNC_MODE") == "gevent":
    from gevent import monkey

    monkey.patch_all()

from app import create_app
from app.extensions import socketio

app = create_app()

if __name__ == "__main__":
    socketio.run(
        app,
        host=app.config["HOST"],
        port=app.config["PORT"],
        allow_unsafe_werkzeug=True,
    )
