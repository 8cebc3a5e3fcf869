"""Start real ``clientcoach serve`` / ``clientcoach worker`` processes for cross-process tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from server_helpers import free_port

CLIENTCOACH = str(Path(sys.executable).with_name("clientcoach"))
BASE_ENV_DROP = ("SLACK_", "TELEGRAM_", "CLIENTCOACH_", "PORT", "WEB_CONCURRENCY")


def clean_env(**env: str) -> dict[str, str]:
    """The test process's environment without any bot configuration, plus ``env``."""
    out = {k: v for k, v in os.environ.items() if not k.startswith(BASE_ENV_DROP)}
    out["NO_PROXY"] = "127.0.0.1,localhost"
    out["no_proxy"] = "127.0.0.1,localhost"
    out.update(env)
    return out


class Proc:
    """One ``clientcoach`` process; its output goes to a temporary log file."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: str | None = None) -> None:
        self.args = args
        self.env = env
        self.cwd = cwd or tempfile.mkdtemp(prefix="cc-proc-")  # no stray .env is read
        self.log = Path(self.cwd) / "out.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Proc:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [CLIENTCOACH, *self.args], env=self.env, cwd=self.cwd,
                stdout=out, stderr=subprocess.STDOUT,
            )
        return self

    def stop(self, timeout: float = 15) -> int:
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        code = self.proc.returncode
        self.proc = None
        return code

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class Serve(Proc):
    """``clientcoach serve --port N`` that is ready once ``/healthz`` answers."""

    def __init__(self, env: dict[str, str], port: int | None = None) -> None:
        self.port = port or free_port()
        super().__init__(["serve", "--host", "127.0.0.1", "--port", str(self.port)], env)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> Serve:
        """Start and wait for ``/healthz`` (about 4 s on a quiet 2-core machine, 15 s and more
        when it is shared and loaded: the wait is bounded, not what the tests check)."""
        super().start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited:\n{self.output()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code in (200, 503):
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"serve did not answer in {timeout} s:\n{self.output()}")
