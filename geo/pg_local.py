"""A throwaway local PostgreSQL + PostGIS cluster on a loopback port (tests, benchmarks and the
"Scaling out" quick start when there is no docker).

Debian installs the server binaries under /usr/lib/postgresql/<major>/bin without putting them
on PATH, and `initdb` refuses to run as root: as root the cluster belongs to the `postgres`
system user (runuser), otherwise to the current user.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

INSTALL_HINT = ("install Debian's postgresql and postgresql-15-postgis-3 "
                "(make test does it with apt-get when run as root)")


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries or the PostGIS extension are not installed."""


def server_bin_dir() -> Path | None:
    """The bin folder of the newest installed PostgreSQL server that has PostGIS."""
    override = os.environ.get("GEO_PG_BIN")
    if override:
        return Path(override)
    found = []
    for initdb in Path("/usr/lib/postgresql").glob("*/bin/initdb"):
        major = initdb.parent.parent.name
        if major.isdigit():
            found.append((int(major), initdb.parent))
    if not found and (which := shutil.which("initdb")):
        return Path(which).parent
    with_postgis = [(m, d) for m, d in found if _postgis_control(m).exists()]
    pool = with_postgis or found
    return max(pool)[1] if pool else None


def _postgis_control(major: int) -> Path:
    return Path(f"/usr/share/postgresql/{major}/extension/postgis.control")


def missing_reason() -> str | None:
    """Why a local PostGIS cluster cannot start here, or None when it can."""
    bin_dir = server_bin_dir()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        return f"PostgreSQL server binaries (initdb, pg_ctl) not found: {INSTALL_HINT}"
    major = bin_dir.parent.name
    if major.isdigit() and not _postgis_control(int(major)).exists():
        return f"PostGIS is not installed for PostgreSQL {major}: {INSTALL_HINT}"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LocalPostgres:
    """initdb + pg_ctl start on 127.0.0.1:port; `stop()` removes everything (unless keep)."""

    directory: Path | None = None
    port: int = 0
    keep: bool = False
    settings: dict[str, str] = field(default_factory=lambda: {"fsync": "off"})
    user: str = "postgres"
    _owner: str | None = None

    @property
    def data_dir(self) -> Path:
        assert self.directory is not None
        return self.directory / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def start(self) -> LocalPostgres:
        reason = missing_reason()
        if reason:
            raise PostgresUnavailable(reason)
        bin_dir = server_bin_dir()
        assert bin_dir is not None
        if self.directory is None:
            self.directory = Path(tempfile.mkdtemp(prefix="geo-pg-"))
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        self._owner = "postgres" if os.geteuid() == 0 else None
        if self._owner:
            shutil.chown(self.directory, self._owner, self._owner)
        fresh = not (self.data_dir / "PG_VERSION").exists()
        if fresh:
            self._run([str(bin_dir / "initdb"), "-D", str(self.data_dir), "-A", "trust",
                       "-U", self.user, "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        options = [f"-p {self.port}", f"-k {self.data_dir}", "-c listen_addresses=127.0.0.1",
                   *(f"-c {k}={v}" for k, v in self.settings.items())]
        self._run([str(bin_dir / "pg_ctl"), "-w", "-t", "60", "-D", str(self.data_dir),
                   "-l", str(self.directory / "server.log"), "-o", " ".join(options), "start"])
        return self

    def create_database(self, name: str, template: str | None = None,
                        postgis: bool = True) -> str:
        """CREATE DATABASE (from a template when given), with the postgis extension."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as connection:
            sql = f'CREATE DATABASE "{name}"'
            connection.execute(sql + (f' TEMPLATE "{template}"' if template else ""))
        if postgis and template is None:
            with psycopg.connect(self.url(name), autocommit=True) as connection:
                connection.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        return self.url(name)

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop the server (immediately: it is throwaway) and remove its folder."""
        if self.directory is None:
            return
        bin_dir = server_bin_dir()
        if bin_dir is not None and (self.data_dir / "postmaster.pid").exists():
            try:
                self._run([str(bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m",
                           "immediate" if not self.keep else "fast", "-w", "stop"])
            except subprocess.CalledProcessError:
                pass  # already gone
        if not self.keep:
            shutil.rmtree(self.directory, ignore_errors=True)

    def server_log(self) -> str:
        log = (self.directory or Path(".")) / "server.log"
        return log.read_text(errors="replace")[-4000:] if log.exists() else ""

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self, command: list[str]) -> None:
        if self._owner:
            command = ["runuser", "-u", self._owner, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, cwd="/")
        if result.returncode != 0:
            raise subprocess.CalledProcessError(result.returncode, command, result.stdout,
                                                result.stderr + "\n" + self.server_log())


def wait_for(url: str, seconds: float = 30.0) -> None:
    """Wait until a PostgreSQL server accepts connections at url (a compose service, say)."""
    import psycopg

    deadline = time.monotonic() + seconds
    while True:
        try:
            psycopg.connect(url, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
