"""Starts the standalone emulator (`runbook-portal emulator`) for the compatibility tests."""

import os
import socket
import subprocess
import time
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_healthy(process, url):
    """Waits until the emulator `process` at `url` answers its health check (20 s at most)."""
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_emulator/health", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the emulator did not start: {process.stderr.read().decode()}")
            time.sleep(0.1)


@pytest.fixture(scope="session")
def endpoint():
    binary = os.environ.get("PORTAL_BIN", "target/release/runbook-portal")
    port = free_port()
    process = subprocess.Popen(
        [binary, "emulator", "--listen", f"127.0.0.1:{port}", "--time-scale", "600"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_healthy(process, url)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def aws_env():
    """Environment for the AWS CLI: fixed test credentials, no profile or config from the machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        AWS_PAGER="",
    )
    return env
