from tests.modules.comments.conftest import TEXT, Room, room  # noqa: F401
