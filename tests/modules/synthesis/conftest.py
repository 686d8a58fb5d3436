from tests.modules.amendments.conftest import table  # noqa: F401
