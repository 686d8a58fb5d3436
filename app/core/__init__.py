"""Pure domain logic: no Flask, SQLAlchemy or Socket.IO here, so every rule can be
tested on its own, quickly and with generated inputs."""
