"""Fault injection as the AWS CLI meets it: botocore's retries and error codes against an emulator
started with a `--faults` file, and its control at /_emulator/faults."""

import json
import os
import subprocess
import urllib.error
import urllib.request

import pytest

from conftest import free_port, wait_until_healthy
from test_aws_cli import aws


def start(binary, *options):
    port = free_port()
    process = subprocess.Popen(
        [binary, "emulator", "--listen", f"127.0.0.1:{port}", *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    return process, f"http://127.0.0.1:{port}"


@pytest.fixture
def faulty(tmp_path):
    """An emulator whose STS throttles the next two GetCallerIdentity calls (from its faults file)."""
    rules = tmp_path / "faults.yaml"
    rules.write_text("- { service: sts, operation: GetCallerIdentity, fault: throttle, count: 2 }\n")
    binary = os.environ.get("PORTAL_BIN", "target/release/runbook-portal")
    process, url = start(binary, "--faults", str(rules))
    wait_until_healthy(process, url)
    yield url
    process.terminate()
    process.wait(timeout=10)


def control(url, method="GET", body=None):
    request = urllib.request.Request(f"{url}/_emulator/faults", method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            text = answer.read().decode()
            return answer.status, json.loads(text) if text else None
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read().decode())


def test_throttling_is_retried_by_botocore_and_shown_when_retries_run_out(faulty, aws_env):
    once = {**aws_env, "AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "1"}
    error = aws(faulty, once, "sts", "get-caller-identity", expect_ok=False)
    assert "(Throttling)" in error and "Rate exceeded" in error
    # One throttle left: botocore's standard retries take it as throttling and try again.
    retried = {**aws_env, "AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "3"}
    assert aws(faulty, retried, "sts", "get-caller-identity")["Account"] == "123456789012"
    status, listed = control(faulty)
    assert status == 200 and listed == {"faults": []}


def test_the_control_puts_rules_in_force_and_takes_them_away(faulty, aws_env):
    status, added = control(faulty, "POST", {"service": "ssm", "operation": "List*", "fault": "unavailable"})
    assert status == 201
    once = {**aws_env, "AWS_MAX_ATTEMPTS": "1"}
    error = aws(faulty, once, "ssm", "list-documents", expect_ok=False)
    assert "ServiceUnavailable" in error
    status, _ = control(faulty, "DELETE")
    assert status == 204
    assert "DocumentIdentifiers" in aws(faulty, once, "ssm", "list-documents")
    status, refused = control(faulty, "POST", {"fault": "latency"})
    assert status == 400 and "needs millis" in refused["message"]


def test_a_faults_file_with_a_mistake_stops_the_emulator_with_the_reason(tmp_path):
    rules = tmp_path / "faults.yaml"
    rules.write_text("- { service: ssm, fault: throttle, probability: 2 }\n")
    binary = os.environ.get("PORTAL_BIN", "target/release/runbook-portal")
    process, _ = start(binary, "--faults", str(rules))
    assert process.wait(timeout=20) != 0
    assert "probability 2 is not between 0 and 1" in process.stderr.read().decode()


def test_off_by_default(endpoint):
    status, answer = control(endpoint)
    assert status == 404 and "--fault-injection" in answer["message"]
