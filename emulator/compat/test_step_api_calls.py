"""A runbook step's aws:executeAwsApi answer is the JSON boto3 returns for the same call: the
emulator's own handlers answer steps in-process, and boto3 parses their wire answers; both must
agree field by field (timestamps compared as instants)."""

import datetime
import json
import time

import boto3
import pytest


def client(endpoint, service):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="secret",
    )


def instant(value):
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, (int, float)):
        return float(value)
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def differences(expected, actual, path="$"):
    if isinstance(expected, datetime.datetime):
        return [] if abs(instant(expected) - instant(actual)) < 0.001 else [f"{path}: {expected} != {actual}"]
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: {actual!r} is not an object"]
        found = []
        for key in expected.keys() | actual.keys():
            if key not in actual:
                found.append(f"{path}.{key}: missing from the step's answer")
            elif key not in expected:
                # botocore leaves out an empty list it parsed from an empty XML element.
                if actual[key] != []:
                    found.append(f"{path}.{key}: not in boto3's answer")
            else:
                found += differences(expected[key], actual[key], f"{path}.{key}")
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(expected) != len(actual):
            return [f"{path}: {actual!r} is not a list of {len(expected)}"]
        return [d for i, (e, a) in enumerate(zip(expected, actual)) for d in differences(e, a, f"{path}[{i}]")]
    return [] if expected == actual else [f"{path}: {expected!r} != {actual!r}"]


CALLS = [
    ("ec2", "DescribeInstances", {"InstanceIds": ["i-1234567890abcdef0", "i-0123456789abcdef1"]}),
    ("ec2", "DescribeInstanceStatus", {"IncludeAllInstances": True}),
    ("ec2", "DescribeImages", {"Owners": ["self"]}),
    ("iam", "GetRole", {"RoleName": "AmazonSSMAutomationRole"}),
    ("iam", "ListAttachedRolePolicies", {"RoleName": "AmazonSSMAutomationRole"}),
    ("sts", "GetCallerIdentity", {}),
    ("ssm", "DescribeDocument", {"Name": "AWS-RestartEC2Instance"}),
]


def snake(name):
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


@pytest.mark.parametrize("service,api,params", CALLS)
def test_a_steps_answer_is_boto3s_answer(endpoint, service, api, params):
    ssm = client(endpoint, "ssm")
    name = f"Compat-{service}-{api}"
    step = {"name": "call", "action": "aws:executeAwsApi",
            "inputs": {"Service": service, "Api": api, **params},
            "outputs": [{"Name": "Answer", "Selector": "$", "Type": "StringMap"}]}
    ssm.create_document(Name=name, DocumentType="Automation", DocumentFormat="JSON",
                        Content=json.dumps({"schemaVersion": "0.3", "mainSteps": [step]}))
    execution_id = ssm.start_automation_execution(DocumentName=name)["AutomationExecutionId"]
    for _ in range(500):
        execution = ssm.get_automation_execution(AutomationExecutionId=execution_id)["AutomationExecution"]
        if execution["AutomationExecutionStatus"] not in ("Pending", "InProgress"):
            break
        time.sleep(0.01)
    assert execution["AutomationExecutionStatus"] == "Success", execution
    from_step = json.loads(execution["StepExecutions"][0]["Outputs"]["Answer"][0])
    from_boto3 = getattr(client(endpoint, service), snake(api))(**params)
    from_boto3.pop("ResponseMetadata")
    assert differences(from_boto3, from_step) == []
