"""boto3 against the standalone emulator: every field of every raw answer must exist in botocore's
service model of its operation (botocore ships the same models the SDKs are generated from)."""

import json
import time
import xml.etree.ElementTree as ET

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


class RawBodies:
    """Keeps the raw body of each answer, by operation name."""

    def __init__(self, c):
        self.bodies = {}
        c.meta.events.register("after-call", self.keep)

    def keep(self, http_response, model, **_):
        self.bodies[model.name] = http_response.content


def unknown_json_fields(value, shape, path="$"):
    problems = []
    if shape.type_name == "structure":
        assert isinstance(value, dict), f"{path} should be an object"
        for key, inner in value.items():
            if key not in shape.members:
                problems.append(f"{path}.{key}")
            else:
                problems += unknown_json_fields(inner, shape.members[key], f"{path}.{key}")
    elif shape.type_name == "list":
        for i, inner in enumerate(value):
            problems += unknown_json_fields(inner, shape.member, f"{path}[{i}]")
    elif shape.type_name == "map":
        for key, inner in value.items():
            problems += unknown_json_fields(inner, shape.value, f"{path}.{key}")
    return problems


def local(tag):
    return tag.split("}", 1)[-1]


def unknown_xml_fields(element, shape, path):
    problems = []
    if shape.type_name == "structure":
        by_name = {m.serialization.get("name", name): m for name, m in shape.members.items()}
        for child in element:
            name = local(child.tag)
            if name not in by_name:
                problems.append(f"{path}/{name}")
            else:
                problems += unknown_xml_fields(child, by_name[name], f"{path}/{name}")
    elif shape.type_name == "list":
        item = shape.member.serialization.get("name", "member")
        for child in element:
            if local(child.tag) != item:
                problems.append(f"{path}/{local(child.tag)} (list items are <{item}>)")
            else:
                problems += unknown_xml_fields(child, shape.member, f"{path}/{item}")
    return problems


CALLS = {
    "ssm": [
        ("list_documents", {}),
        ("describe_document", {"Name": "Portal-RestartWithHealthCheck"}),
        ("get_document", {"Name": "AWS-RestartEC2Instance", "DocumentFormat": "YAML"}),
        ("list_document_versions", {"Name": "Portal-RestartWithHealthCheck"}),
        ("describe_document_permission", {"Name": "Portal-PauseForReview", "PermissionType": "Share"}),
        ("list_tags_for_resource", {"ResourceType": "Document", "ResourceId": "Portal-PauseForReview"}),
        ("start_automation_execution", {"DocumentName": "Portal-PauseForReview",
                                        "Parameters": {"InstanceId": ["i-1234567890abcdef0"], "Reviewer": ["ann"]}}),
        ("describe_automation_executions", {}),
    ],
    "iam": [
        ("list_roles", {}),
        ("get_role", {"RoleName": "AmazonSSMAutomationRole"}),
        ("list_role_policies", {"RoleName": "AmazonSSMAutomationRole"}),
        ("get_role_policy", {"RoleName": "AmazonSSMAutomationRole", "PolicyName": "PassRoleToInstances"}),
        ("list_attached_role_policies", {"RoleName": "AmazonSSMAutomationRole"}),
        ("get_policy", {"PolicyArn": "arn:aws:iam::aws:policy/service-role/AmazonSSMAutomationRole"}),
        ("get_policy_version", {"PolicyArn": "arn:aws:iam::aws:policy/service-role/AmazonSSMAutomationRole", "VersionId": "v1"}),
    ],
    "sts": [
        ("get_caller_identity", {}),
        ("assume_role", {"RoleArn": "arn:aws:iam::123456789012:role/Administrator", "RoleSessionName": "compat"}),
    ],
    "ec2": [
        ("describe_instances", {}),
        ("describe_instance_status", {"IncludeAllInstances": True}),
        ("describe_images", {"Owners": ["self"]}),
        ("reboot_instances", {"InstanceIds": ["i-1234567890abcdef0"]}),
        ("create_tags", {"Resources": ["i-1234567890abcdef0"], "Tags": [{"Key": "Compat", "Value": "yes"}]}),
        ("create_image", {"InstanceId": "i-1234567890abcdef0", "Name": "compat-image"}),
        ("stop_instances", {"InstanceIds": ["i-0123456789abcdef1"]}),
        ("start_instances", {"InstanceIds": ["i-0fedcba9876543210"]}),
        ("terminate_instances", {"InstanceIds": ["i-0c0ffee0000000002"]}),
    ],
}


@pytest.mark.parametrize("service,operation,params", [(s, o, p) for s, calls in CALLS.items() for o, p in calls])
def test_every_answered_field_is_in_the_model(endpoint, service, operation, params):
    check_fields(endpoint, service, operation, params)


def test_execution_answers_are_in_the_model(endpoint):
    """A paused execution (steps done, running and pending) read back through every read API."""
    ssm = client(endpoint, "ssm")
    started = ssm.start_automation_execution(
        DocumentName="Portal-PauseForReview",
        Parameters={"InstanceId": ["i-1234567890abcdef0"], "Reviewer": ["bob"]},
    )
    execution_id = started["AutomationExecutionId"]
    for _ in range(200):
        status = ssm.get_automation_execution(AutomationExecutionId=execution_id)["AutomationExecution"]
        if status["AutomationExecutionStatus"] == "Waiting":
            break
        time.sleep(0.02)
    check_fields(endpoint, "ssm", "get_automation_execution", {"AutomationExecutionId": execution_id})
    check_fields(endpoint, "ssm", "describe_automation_step_executions", {"AutomationExecutionId": execution_id})
    check_fields(endpoint, "ssm", "send_automation_signal", {"AutomationExecutionId": execution_id, "SignalType": "Resume"})
    check_fields(endpoint, "ssm", "list_tags_for_resource", {"ResourceType": "Automation", "ResourceId": execution_id})


def check_fields(endpoint, service, operation, params):
    c = client(endpoint, service)
    raw = RawBodies(c)
    getattr(c, operation)(**params)
    model = c.meta.service_model.operation_model(c.meta.method_to_api_mapping[operation])
    body = raw.bodies[model.name]
    shape = model.output_shape
    if service == "ssm":
        problems = unknown_json_fields(json.loads(body), shape) if shape else []
    else:
        root = ET.fromstring(body)
        assert local(root.tag) == f"{model.name}Response"
        if service == "ec2":
            children = [c for c in root if local(c.tag) != "requestId"]
            wrapper = ET.Element("answer")
            wrapper.extend(children)
            problems = unknown_xml_fields(wrapper, shape, model.name) if shape else []
        else:
            result = root.find(f"{{*}}{model.name}Result")
            problems = unknown_xml_fields(result, shape, model.name) if shape is not None and result is not None else []
    assert problems == [], f"fields not in the botocore model: {problems}"


def wait_until_ended(ssm, execution_id):
    for _ in range(1000):
        execution = ssm.get_automation_execution(AutomationExecutionId=execution_id)["AutomationExecution"]
        if execution["AutomationExecutionStatus"] in ("Success", "Failed", "Cancelled", "TimedOut"):
            return execution
        time.sleep(0.01)
    raise AssertionError(f"{execution_id} did not end: {execution}")


def test_parent_and_child_answers_are_in_the_model(endpoint):
    """Rate-control and multi-account parents, their children, and an Interactive execution."""
    ssm = client(endpoint, "ssm")
    rate = ssm.start_automation_execution(
        DocumentName="AWS-StartEC2Instance",
        TargetParameterName="InstanceId",
        Targets=[{"Key": "tag:Team", "Values": ["web"]}],
        MaxConcurrency="50%",
        MaxErrors="1",
    )["AutomationExecutionId"]
    accounts = ssm.start_automation_execution(
        DocumentName="AWS-StartEC2Instance",
        Parameters={"InstanceId": ["i-1234567890abcdef0"]},
        TargetLocations=[{"Accounts": ["123456789012", "111122223333"], "Regions": ["us-east-1"],
                          "TargetLocationMaxConcurrency": "2", "TargetLocationMaxErrors": "2"}],
    )["AutomationExecutionId"]
    manual = ssm.start_automation_execution(
        DocumentName="AWS-StartEC2Instance", Mode="Interactive",
        Parameters={"InstanceId": ["i-1234567890abcdef0"]},
    )["AutomationExecutionId"]
    check_fields(endpoint, "ssm", "send_automation_signal",
                 {"AutomationExecutionId": manual, "SignalType": "StartStep", "Payload": {"StepName": ["startInstances"]}})
    for parent in (rate, accounts):
        wait_until_ended(ssm, parent)
        check_fields(endpoint, "ssm", "get_automation_execution", {"AutomationExecutionId": parent})
        check_fields(endpoint, "ssm", "describe_automation_step_executions", {"AutomationExecutionId": parent})
        check_fields(endpoint, "ssm", "describe_automation_executions",
                     {"Filters": [{"Key": "ParentExecutionId", "Values": [parent]}]})
    check_fields(endpoint, "ssm", "get_automation_execution", {"AutomationExecutionId": manual})
    check_fields(endpoint, "ssm", "stop_automation_execution", {"AutomationExecutionId": manual, "Type": "Cancel"})
