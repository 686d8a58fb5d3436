"""The production recipe of docs/deployment.md is the shape the multi-process tests run:
the systemd units are valid and start the same commands as `make run-cluster`, and the
proxy's configuration, printed for a server, is one HAProxy accepts."""

from __future__ import annotations

import getpass
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.cluster import MIGRATIONS, SERVER, haproxy

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
INSTALLED = "/srv/tavolo"


def _exec_start(unit: Path) -> list[str]:
    line = next(x for x in unit.read_text().splitlines() if x.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


def test_the_units_start_what_make_run_cluster_starts() -> None:
    python = f"{INSTALLED}/.venv/bin/python"
    assert _exec_start(UNITS / "tavolo@.service") == [python, *SERVER]
    assert _exec_start(UNITS / "tavolo-migrate.service") == [python, *MIGRATIONS]


def test_the_units_are_valid_for_systemd(tmp_path: Path) -> None:
    """Installed here instead of /srv/tavolo, as the running user, with the example
    settings: systemd-analyze then also checks that the commands exist."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze non è installato")
    settings = tmp_path / "tavolo.env"
    shutil.copy(UNITS / "tavolo.env.example", settings)
    user = getpass.getuser()
    python = Path(sys.executable)
    for unit in ("tavolo@.service", "tavolo-migrate.service"):
        text = (
            (UNITS / unit)
            .read_text()
            .replace(f"{INSTALLED}/.venv/bin/python", str(python))
            .replace(INSTALLED, str(ROOT))
            .replace("/etc/tavolo/tavolo.env", str(settings))
            .replace("User=tavolo", f"User={user}")
            .replace("Group=tavolo", f"Group={user}")
        )
        (tmp_path / unit.replace("@.", "@5001.")).write_text(text)
    checked = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", "tavolo@5001.service", "tavolo-migrate.service"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr


def test_the_proxy_configuration_for_a_server_is_valid(tmp_path: Path) -> None:
    binary = haproxy()
    if binary is None:
        pytest.skip("HAProxy non è installato (make test lo installa con il target system)")
    env = {
        **os.environ,
        "PROCESSES": "4",
        "HOST": "0.0.0.0",
        "CLUSTER_PORT": "80",
        "BASE_URL": "https://tavolo.example.org",
    }
    printed = subprocess.run(
        [sys.executable, "-m", "deploy.cluster", "--proxy-config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert [
        line.split()[1] for line in printed.splitlines() if line.strip().startswith("server ")
    ] == ["tavolo1", "tavolo2", "tavolo3", "tavolo4"]
    config = tmp_path / "haproxy.cfg"
    config.write_text(printed)
    checked = subprocess.run(
        [binary, "-c", "-f", str(config)], capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
