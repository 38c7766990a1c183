"""A real server on 127.0.0.1 and a bounded load against it, for benches that time HTTP.

The server is a subprocess (gunicorn with several worker processes, or waitress,
one process with threads) running the project with ``bench._http_settings``.
The load is a fixed number of clients, each a thread with one keep-alive
connection sending its own fixed list of requests one after another, so the
run stops by itself; it only ever connects to 127.0.0.1.
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection

from bench._http_urls import BARE_PATH, BARE_TABLE

HOST = "127.0.0.1"
# X-Forwarded-Proto: production settings redirect plain HTTP unless a proxy says HTTPS.
BASE_HEADERS = {"Content-Type": "application/json", "X-Forwarded-Proto": "https"}


@dataclass
class Request:
    path: str
    body: bytes
    headers: dict


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: int = 0
    first_error: str = ""

    def add(self, other: "LoadResult") -> None:
        """Fold in another run of the same load: its requests and its time."""
        self.latencies_ms.extend(other.latencies_ms)
        self.seconds += other.seconds
        self.errors += other.errors
        self.first_error = self.first_error or other.first_error

    @property
    def ok(self) -> int:
        return len(self.latencies_ms)

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def server_command(kind: str, *, port: int, workers: int, threads: int) -> list[str]:
    if kind == "gunicorn":
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
            "tongchou.wsgi:application",
        ]
    if kind == "waitress":
        return [
            sys.executable,
            "-m",
            "waitress",
            f"--listen={HOST}:{port}",
            f"--threads={threads}",
            "--ident=tongchou",
            "tongchou.wsgi:application",
        ]
    raise ValueError(f"unknown server {kind!r}")


def describe_server(kind: str, *, workers: int, threads: int) -> str:
    if kind == "gunicorn":
        return f"gunicorn, {workers} worker processes x {threads} threads (gthread)"
    return f"waitress, 1 process x {threads} threads"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextmanager
def served(kind: str, *, workers: int, threads: int, log: Path):
    """Run the project's server on a free port of 127.0.0.1; yield the port; stop it."""
    port = _free_port()
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "bench._http_settings"
    project = str(settings.PROJECT_DIR)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (project, env.get("PYTHONPATH", "")) if p)
    with open(log, "wb") as log_file:
        process = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
            server_command(kind, port=port, workers=workers, threads=threads),
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            cwd=project,
        )
        try:
            _wait_until_listening(process, port, log)
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_listening(process, port: int, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {log.read_text(errors='replace')[-2000:]}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not listen within {timeout:.0f} s")


def run_load(
    port: int, plans: list[list[Request]], check: Callable[[int, bytes], bool]
) -> LoadResult:
    """Send each client's plan on its own keep-alive connection, all clients at once."""
    result = LoadResult()
    lock = threading.Lock()
    start = threading.Barrier(len(plans) + 1)

    def client(plan: list[Request]) -> None:
        latencies, errors, first_error = [], 0, ""
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        start.wait()
        for request in plan:
            began = time.perf_counter()
            try:
                conn.request("POST", request.path, request.body, request.headers)
                response = conn.getresponse()
                body = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                status, body = 0, repr(exc).encode()
            elapsed = (time.perf_counter() - began) * 1000
            if check(status, body):
                latencies.append(elapsed)
            else:
                errors += 1
                first_error = first_error or f"{status}: {body[:300]!r}"
        conn.close()
        with lock:
            result.latencies_ms.extend(latencies)
            result.errors += errors
            result.first_error = result.first_error or first_error

    threads = [threading.Thread(target=client, args=(plan,), daemon=True) for plan in plans]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - began
    return result


def json_request(path: str, payload: dict, headers: dict | None = None) -> Request:
    return Request(path, json.dumps(payload).encode(), {**BASE_HEADERS, **(headers or {})})


def bare_requests(plans: list[list[dict]]) -> list[list[Request]]:
    return [[json_request(BARE_PATH, body) for body in plan] for plan in plans]


def bare_table_create() -> None:
    """The baseline's table: a scan's fields, a unique key, like a small Sample."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BARE_TABLE}")
        serial = (
            "bigserial PRIMARY KEY"
            if connection.vendor == "postgresql"
            else "integer PRIMARY KEY AUTOINCREMENT"
        )
        stamp = "timestamptz" if connection.vendor == "postgresql" else "datetime"
        cursor.execute(
            f"CREATE TABLE {BARE_TABLE} (id {serial}, tube varchar(40) NOT NULL, "
            "code varchar(64) NOT NULL, idempotency_key varchar(64) NOT NULL UNIQUE, "
            f"received_at {stamp} NOT NULL)"
        )


def bare_table_drop() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {BARE_TABLE}")
        count = cursor.fetchone()[0]
        cursor.execute(f"DROP TABLE IF EXISTS {BARE_TABLE}")
    return count
