"""Reads AWS CLI command lines the way the AWS CLI does, without calling AWS.

Input on stdin: one JSON list of words (what follows `aws`) per line. Output: one JSON line per
input, {"parameters": ...} with the API parameters the CLI built, or {"error": ...} with what it
said instead. The CLI runs in this process: its `calling-command` event hands over the
parameters and stops the call.
"""
import io
import json
import os
import sys
from contextlib import redirect_stderr, redirect_stdout

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "example")
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull

from awscli.clidriver import create_clidriver  # noqa: E402

out = sys.stdout
seen = {}


def capture(call_parameters, **_):
    seen["parameters"] = call_parameters
    return 0


driver = create_clidriver()
driver.session.register("calling-command.ssm.start-automation-execution", capture)
for line in sys.stdin:
    argv = json.loads(line)
    seen.clear()
    said = io.StringIO()
    try:
        with redirect_stdout(said), redirect_stderr(said):
            rc = driver.main(argv)
    except SystemExit as e:
        rc = e.code
    if "parameters" in seen:
        out.write(json.dumps({"parameters": seen["parameters"]}) + "\n")
    else:
        out.write(json.dumps({"error": f"rc {rc}: {said.getvalue().strip()}"}) + "\n")
    out.flush()
