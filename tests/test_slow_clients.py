"""Slow and greedy clients against a real ``clientcoach serve`` over loopback HTTP.

A connection that sends nothing, headers a byte at a time (slow loris) or a body too slowly is
answered 408 and closed within its deadline; oversized headers get 431; fifty slow-loris
connections do not keep a real request from its answer; at the file-handle limit the accept
loop writes a few short lines, not a traceback a second.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time

import httpx
import pytest
from process_helpers import Serve, clean_env

HEADER_TIMEOUT = 1.5
BODY_TIMEOUT = 1.5
SLACK = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = clean_env(CLIENTCOACH_STORE=f"sqlite:///{tmp_path_factory.mktemp('s') / 'c.sqlite3'}",
                    CLIENTCOACH_HEADER_TIMEOUT=str(HEADER_TIMEOUT),
                    CLIENTCOACH_BODY_TIMEOUT=str(BODY_TIMEOUT), CLIENTCOACH_KEEPALIVE="30",
                    CLIENTCOACH_WEB_REMINDERS="0", **SLACK)
    serve = Serve(env).start()
    yield serve
    serve.stop()


def connect(server: Serve) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    sock.settimeout(0.2)
    return sock


def closed_answer(sock: socket.socket, deadline: float, trickle: bytes = b"") -> bytes | None:
    """Everything the server sent until it closed the connection, sending ``trickle`` a byte
    every 0.2 s meanwhile; None when it was still open at ``deadline``."""
    got = b""
    sent = 0
    while time.monotonic() < deadline:
        if sent < len(trickle):
            try:
                sock.sendall(trickle[sent:sent + 1])
                sent += 1
            except OSError:
                pass
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            continue
        except OSError:
            return got
        if not chunk:
            return got
        got += chunk
    return None


def test_a_silent_connection_is_closed_after_the_header_timeout(server):
    sock = connect(server)
    started = time.monotonic()
    answer = closed_answer(sock, started + HEADER_TIMEOUT + 5)
    assert answer is not None and answer.startswith(b"HTTP/1.1 408")
    assert time.monotonic() - started >= HEADER_TIMEOUT - 0.2


def test_headers_a_byte_at_a_time_are_cut_off(server):
    sock = connect(server)
    sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n")
    started = time.monotonic()
    trickle = b"X-Slow: " + b"a" * 200  # a byte every 0.2 s: 40 s if it were let through
    answer = closed_answer(sock, started + HEADER_TIMEOUT + 5, trickle)
    assert answer is not None and answer.startswith(b"HTTP/1.1 408")
    assert time.monotonic() - started < HEADER_TIMEOUT + 5


def test_oversized_headers_get_431(server):
    sock = connect(server)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40_000 + b"\r\n\r\n")
    answer = closed_answer(sock, time.monotonic() + 5)
    assert answer is not None and answer.startswith(b"HTTP/1.1 431")


def test_a_slow_body_gets_408_and_no_traceback(server):
    sock = connect(server)
    body = json.dumps({"type": "event_callback"}).encode()
    sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\n\r\n" % (len(body) + 100))
    started = time.monotonic()
    answer = closed_answer(sock, started + BODY_TIMEOUT + 5, body)
    assert answer is not None and answer.startswith(b"HTTP/1.1 408")
    assert b"request too slow" in answer
    assert "Traceback" not in server.output()


def test_keep_alive_requests_still_work(server):
    with httpx.Client(base_url=server.url, trust_env=False, timeout=5) as client:
        for _ in range(3):
            assert client.get("/healthz").status_code == 200
            time.sleep(HEADER_TIMEOUT / 2)  # idle between requests: the keep-alive timer's


def test_fifty_slow_loris_connections_do_not_block_a_real_request(server):
    socks = []
    try:
        for _ in range(50):
            sock = connect(server)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            socks.append(sock)
        assert httpx.get(server.url + "/healthz", timeout=5, trust_env=False).status_code == 200
        deadline = time.monotonic() + HEADER_TIMEOUT + 5
        assert all(closed_answer(s, deadline) is not None for s in socks)
    finally:
        for sock in socks:
            sock.close()


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="prlimit (util-linux) is needed "
                    "to lower the server's file-handle limit")
def test_at_the_file_handle_limit_the_accept_loop_logs_a_few_short_lines(tmp_path):
    env = clean_env(CLIENTCOACH_STORE=f"sqlite:///{tmp_path / 'c.sqlite3'}",
                    CLIENTCOACH_WEB_REMINDERS="0", CLIENTCOACH_HEADER_TIMEOUT="30", **SLACK)
    serve = Serve(env).start()
    subprocess.run(["prlimit", "--pid", str(serve.proc.pid), "--nofile=60:60"], check=True)
    socks = []
    try:
        for _ in range(120):  # more than the process may open: accept() fails with EMFILE
            try:
                socks.append(socket.create_connection(("127.0.0.1", serve.port), timeout=1))
            except OSError:
                break
        time.sleep(8)  # the loop retries accept() every second
        log = serve.output()
    finally:
        for sock in socks:
            sock.close()
        serve.stop()
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    accept = [r for r in lines if "out of system resource" in r["msg"]]
    assert 1 <= len(accept) <= 5
    assert all(r.get("error") == "EMFILE" and "exc" not in r for r in accept)
    assert "Traceback" not in log and len(log) < 20_000
