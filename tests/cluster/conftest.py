"""Two Tavolo server processes behind HAProxy, started by the same code as `make
run-cluster` (deploy/cluster.py), on PostgreSQL and Redis: the shape of a region-wide
deployment. Skipped, saying why, where PostgreSQL, redis-server or HAProxy is missing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from deploy.cluster import Cluster, Shape, haproxy
from tests.cluster.services import (
    POSTGRES_PORT,
    ClusterView,
    Database,
    PrivateRedis,
    Relay,
    free_ports,
    require_postgres,
)
from tests.realtime.conftest import World, seed

PROCESSES = 2
SERVER_HEADER = "X-Tavolo-Server"


@dataclass
class Shared:
    cluster: Cluster
    world: World
    redis: PrivateRedis
    relay: Relay
    database: Database
    # A value of the routing parameter that the proxy sends to each process, by name.
    routes: dict[str, int]

    @property
    def proxy(self) -> str:
        return self.cluster.shape.local_url

    def process_of(self, route: int) -> str:
        """The process the proxy sends a connection routed by `route` to, right now."""
        answer = requests.get(f"{self.proxy}/healthz", params={"d": route}, timeout=10)
        return answer.headers[SERVER_HEADER]

    def number(self, name: str) -> int:
        """The index of a process (for Cluster.kill and start_server) from its name."""
        return int(name.removeprefix("tavolo")) - 1


def _routes(shared_proxy: str) -> dict[str, int]:
    routes: dict[str, int] = {}
    for value in range(1, 200):
        answer = requests.get(f"{shared_proxy}/healthz", params={"d": value}, timeout=10)
        routes.setdefault(answer.headers[SERVER_HEADER], value)
        if len(routes) == PROCESSES:
            return routes
    raise RuntimeError(f"the proxy sends every document to {sorted(routes)}")


# Stopped once this folder's tests are done, not kept running through the rest of a run.
@pytest.fixture(scope="package")
def shared(tmp_path_factory) -> Iterator[Shared]:  # type: ignore[no-untyped-def]
    if haproxy() is None:
        pytest.skip("HAProxy non è installato (make test lo installa con il target system)")
    require_postgres()
    folder = tmp_path_factory.mktemp("cluster")
    redis_server = PrivateRedis(folder)
    database = Database()
    relay = Relay()
    relay.restore()
    redis_server.start()
    shape = Shape(
        processes=PROCESSES,
        first_port=free_ports(PROCESSES),
        proxy_port=free_ports(1),
        database_url=database.url(relay.port),
        redis_url=redis_server.url,
        instance=folder / "instance",
    )
    cluster = Cluster(
        shape,
        # Transitions of the agenda looked for often, so that both processes race.
        settings={"BACKUP_EVERY_MINUTES": "0", "AGENDA_TICK_SECONDS": "0.5"},
        logs=folder / "logs",
    )
    try:
        cluster.prepare()
        view = ClusterView(cluster.environment(), database.url(POSTGRES_PORT), shape.local_url)
        world = seed(view)  # type: ignore[arg-type]
        cluster.start()
        yield Shared(cluster, world, redis_server, relay, database, _routes(shape.local_url))
    finally:
        cluster.stop()
        redis_server.stop()
        relay.cut()
        database.drop()


@pytest.fixture
def running(shared: Shared) -> Iterator[Shared]:
    """The shared cluster with every process, its Redis and its database up, also after
    a test that stopped one of them."""
    yield shared
    for number, port in enumerate(shared.cluster.shape.ports):
        if port not in shared.cluster.servers:
            shared.cluster.start_server(number)
            shared.cluster.wait_server(number)
