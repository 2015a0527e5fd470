"""The real AWS CLI against the standalone emulator."""

import json
import subprocess
import sys
import time


def aws(endpoint, env, *args, expect_ok=True):
    command = [sys.executable, "-m", "awscli", "--endpoint-url", endpoint, "--output", "json", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    if expect_ok:
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else {}
    assert done.returncode != 0, done.stdout
    return done.stderr


def test_sts_get_caller_identity(endpoint, aws_env):
    me = aws(endpoint, aws_env, "sts", "get-caller-identity")
    assert me == {
        "UserId": "AROA3XFRBF535PLBIFPI4:Admin",
        "Account": "123456789012",
        "Arn": "arn:aws:sts::123456789012:assumed-role/Administrator/Admin",
    }


def test_ssm_documents(endpoint, aws_env):
    owned = aws(endpoint, aws_env, "ssm", "list-documents", "--filters",
                "Key=DocumentType,Values=Automation", "Key=Owner,Values=Self")
    assert [d["Name"] for d in owned["DocumentIdentifiers"]] == [
        "Portal-BranchByPlatform", "Portal-PauseForReview", "Portal-RestartWithHealthCheck"]

    described = aws(endpoint, aws_env, "ssm", "describe-document", "--name", "AWS-RestartEC2Instance")
    assert described["Document"]["Owner"] == "Amazon"
    assert [p["Name"] for p in described["Document"]["Parameters"]] == ["InstanceId", "AutomationAssumeRole"]

    content = aws(endpoint, aws_env, "ssm", "get-document", "--name", "Portal-RestartWithHealthCheck",
                  "--document-version", "3", "--document-format", "YAML")
    assert "aws:pause" in content["Content"]

    versions = aws(endpoint, aws_env, "ssm", "list-document-versions", "--name", "Portal-RestartWithHealthCheck")
    assert [v["DocumentVersion"] for v in versions["DocumentVersions"]] == ["3", "2", "1"]

    error = aws(endpoint, aws_env, "ssm", "describe-document", "--name", "Nope-Nope", expect_ok=False)
    assert "InvalidDocument" in error and "does not exist" in error


def test_ssm_create_and_delete_a_runbook(endpoint, aws_env, tmp_path):
    runbook = tmp_path / "nap.yaml"
    runbook.write_text("schemaVersion: '0.3'\nmainSteps:\n- name: nap\n  action: aws:sleep\n  inputs: {Duration: PT1S}\n")
    created = aws(endpoint, aws_env, "ssm", "create-document", "--name", "Cli-Nap", "--document-type",
                  "Automation", "--document-format", "YAML", "--content", f"file://{runbook}")
    assert created["DocumentDescription"]["DocumentVersion"] == "1"
    aws(endpoint, aws_env, "ssm", "delete-document", "--name", "Cli-Nap")


def test_iam_roles(endpoint, aws_env):
    roles = aws(endpoint, aws_env, "iam", "list-roles")
    names = [r["RoleName"] for r in roles["Roles"]]
    assert "AmazonSSMAutomationRole" in names
    role = aws(endpoint, aws_env, "iam", "get-role", "--role-name", "AmazonSSMAutomationRole")["Role"]
    # The CLI decodes the URL-encoded trust policy into JSON.
    trust = role["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"]["Service"] == ["ssm.amazonaws.com"]
    error = aws(endpoint, aws_env, "iam", "get-role", "--role-name", "Nope", expect_ok=False)
    assert "NoSuchEntity" in error


def test_ec2_instances(endpoint, aws_env):
    found = aws(endpoint, aws_env, "ec2", "describe-instances", "--instance-ids", "i-1234567890abcdef0")
    instance = found["Reservations"][0]["Instances"][0]
    assert instance["State"] == {"Code": 16, "Name": "running"}
    assert {"Key": "Name", "Value": "web-1"} in instance["Tags"]

    web = aws(endpoint, aws_env, "ec2", "describe-instances", "--filters",
              "Name=tag:Team,Values=web", "Name=instance-state-name,Values=running",
              "--query", "Reservations[].Instances[].InstanceId")
    assert web == ["i-0a1b2c3d4e5f60718", "i-1234567890abcdef0"]

    stopping = aws(endpoint, aws_env, "ec2", "stop-instances", "--instance-ids", "i-0a1b2c3d4e5f60718")
    assert stopping["StoppingInstances"][0]["CurrentState"]["Name"] == "stopping"
    error = aws(endpoint, aws_env, "ec2", "describe-instances", "--instance-ids", "i-00000000000000000",
                expect_ok=False)
    assert "InvalidInstanceID.NotFound" in error


def test_the_user_guides_restart_example_verbatim(endpoint, aws_env):
    # The command as the guide prints it, quoting included, through a shell.
    command = (
        f'{sys.executable} -m awscli --endpoint-url {endpoint} --output json '
        'ssm start-automation-execution --document-name "AWS-RestartEC2Instance" --parameters '
        '"InstanceId=i-1234567890abcdef0","AutomationAssumeRole=arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"'
    )
    done = subprocess.run(["bash", "-c", command], env=aws_env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    execution_id = json.loads(done.stdout)["AutomationExecutionId"]
    deadline = time.monotonic() + 20
    while True:
        listed = aws(endpoint, aws_env, "ssm", "describe-automation-executions",
                     "--filter", f"Key=ExecutionId,Values={execution_id}")
        metadata = listed["AutomationExecutionMetadataList"][0]
        if metadata["AutomationExecutionStatus"] not in ("Pending", "InProgress") or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert metadata["AutomationExecutionStatus"] == "Success"
    assert metadata["DocumentName"] == "AWS-RestartEC2Instance"
    assert metadata["DocumentVersion"] == "1"
    assert metadata["Mode"] == "Auto"
    assert metadata["AutomationType"] == "Local"
    assert metadata["ExecutedBy"] == "arn:aws:sts::123456789012:assumed-role/Administrator/Admin"
    state = aws(endpoint, aws_env, "ec2", "describe-instances", "--instance-ids", "i-1234567890abcdef0",
                "--query", "Reservations[0].Instances[0].State.Name")
    assert state == "running"


def test_a_manual_execution_step_by_step_with_the_guides_commands(endpoint, aws_env):
    started = aws(endpoint, aws_env, "ssm", "start-automation-execution",
                  "--document-name", "AWS-RestartEC2Instance", "--mode", "Interactive",
                  "--parameters", "InstanceId=i-1234567890abcdef0")
    execution_id = started["AutomationExecutionId"]

    def execution():
        return aws(endpoint, aws_env, "ssm", "get-automation-execution",
                   "--automation-execution-id", execution_id)["AutomationExecution"]

    def run_step(name):
        # As the guide writes it: --payload StepName="stopInstances".
        command = (f'{sys.executable} -m awscli --endpoint-url {endpoint} --output json ssm send-automation-signal '
                   f'--automation-execution-id {execution_id} --signal-type StartStep --payload StepName="{name}"')
        done = subprocess.run(["bash", "-c", command], env=aws_env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        deadline = time.monotonic() + 20
        while True:
            now = execution()
            step = next(s for s in now["StepExecutions"] if s["StepName"] == name)
            if step["StepStatus"] == "Success" and now["AutomationExecutionStatus"] == "Waiting":
                return
            assert time.monotonic() < deadline, now
            time.sleep(0.05)

    assert execution()["AutomationExecutionStatus"] == "Waiting"
    run_step("stopInstances")
    run_step("startInstances")
    aws(endpoint, aws_env, "ssm", "stop-automation-execution",
        "--automation-execution-id", execution_id, "--type", "Complete")
    deadline = time.monotonic() + 10
    while execution()["AutomationExecutionStatus"] == "Waiting" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert execution()["AutomationExecutionStatus"] == "Success"
