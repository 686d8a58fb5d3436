"""Entry point: `flask --app wsgi …` for the CLI, `python wsgi.py` for the server."""

import os

# Patching must come before anything imports the standard library's threads and sockets,
# so the mode is read here, with the same default as Config.ASYNC_MODE.
if __name__ == "__main__" and os.environ.get("TAVOLO_ASYNC_MODE", "gevent") == "gevent":
    from gevent import monkey

    monkey.patch_all()

from app import create_app
from app.modules.agenda import clock
from app.modules.backups import rotation
from app.modules.documents import pages
from app.web.serving import serve

app = create_app()

if __name__ == "__main__":
    # Backups while the workshop runs: only the server makes them, never a CLI command.
    rotation.start(app)
    # Sessions open and lock their sections on time, whether or not anyone is looking.
    clock.start(app)
    # The first people to open a long document find its text rendered.
    pages.render_ahead(app)
    serve(app)
