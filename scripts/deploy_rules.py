"""What the portal needs of the deployment files under deploy/, beyond what their schemas check:
the security settings the image is built for, the probes, the secrets kept out of ConfigMaps, the
proxy settings live status and the client's address depend on. Run by scripts/check-deploy."""

import re
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
problems: list[str] = []


def need(condition: bool, where: str, what: str) -> None:
    if not condition:
        problems.append(f"{where}: {what}")


def image_user() -> str:
    users = re.findall(r"^USER (\S+)", (ROOT / "Dockerfile").read_text(), re.M)
    return users[-1] if users else ""


def kubernetes() -> None:
    docs = {}
    for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            docs[doc["kind"]] = (path.name, doc)
    for kind in ["Deployment", "Service", "PodDisruptionBudget", "ConfigMap", "Secret"]:
        need(kind in docs, "deploy/kubernetes", f"a {kind} is missing")
    if "Deployment" not in docs:
        return
    where, deployment = docs["Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    uid, gid = image_user().split(":")
    need(deployment["spec"].get("replicas", 1) >= 2, where, "run at least two replicas")
    ctx = pod.get("securityContext", {})
    need(ctx.get("runAsNonRoot") is True, where, "the pod needs runAsNonRoot: true")
    need(str(ctx.get("runAsUser")) == uid, where, f"runAsUser must be the image's user {uid}")
    need(str(ctx.get("runAsGroup")) == gid, where, f"runAsGroup must be the image's group {gid}")
    need(ctx.get("seccompProfile", {}).get("type") == "RuntimeDefault", where, "seccompProfile RuntimeDefault")
    for container in pod["containers"]:
        name = f"{where} container {container['name']}"
        sc = container.get("securityContext", {})
        need(sc.get("allowPrivilegeEscalation") is False, name, "allowPrivilegeEscalation: false")
        need(sc.get("readOnlyRootFilesystem") is True, name, "readOnlyRootFilesystem: true")
        need(sc.get("capabilities", {}).get("drop") == ["ALL"], name, "capabilities: drop [ALL]")
        need(container.get("livenessProbe", {}).get("httpGet", {}).get("path") == "/livez", name, "liveness probe on /livez")
        need(container.get("readinessProbe", {}).get("httpGet", {}).get("path") == "/readyz", name, "readiness probe on /readyz")
        mounts = {m["mountPath"] for m in container.get("volumeMounts", [])}
        need("/var/lib/runbook-portal/data" in mounts, name, "the data directory needs a writable volume (the root filesystem is read-only)")
        for env in container.get("env", []):
            secret_like = re.search(r"DATABASE_URL|SECRET|PASSWORD", env["name"])
            need(not (secret_like and "value" in env), name, f"{env['name']} must come from a Secret, not a literal value")
    labels = deployment["spec"]["selector"]["matchLabels"]
    if "PodDisruptionBudget" in docs:
        pdb_where, pdb = docs["PodDisruptionBudget"]
        need(pdb["spec"]["selector"]["matchLabels"] == labels, pdb_where, "select the Deployment's pods")
    if "Service" in docs:
        svc_where, svc = docs["Service"]
        need(svc["spec"]["selector"] == labels, svc_where, "select the Deployment's pods")
    if "ConfigMap" in docs:
        cm_where, cm = docs["ConfigMap"]
        for key in ["portal.toml", "grants.toml"]:
            need(key in cm["data"], cm_where, f"{key} is missing")
            if key in cm["data"]:
                config = tomllib.loads(cm["data"][key])
                need("database_url" not in config, cm_where, "the database URL belongs in the Secret")


def compose() -> None:
    where = "deploy/compose/compose.yaml"
    spec = yaml.safe_load((DEPLOY / "compose" / "compose.yaml").read_text())
    services = spec["services"]
    portals = [s for s in services.values() if s.get("image", "").startswith("runbook-portal") and "command" not in s]
    need(len(portals) >= 2, where, "two portal replicas")
    for name, service in services.items():
        need("healthcheck" in service, f"{where} {name}", "a healthcheck")
    for service in portals:
        need(service.get("depends_on", {}).get("postgres", {}).get("condition") == "service_healthy", where, "portals wait for a healthy PostgreSQL")
        need(any(str(v).endswith("grants.toml:ro") for v in service.get("volumes", [])), where, "grants mounted read-only")
        need("postgres://" in service.get("environment", {}).get("RUNBOOK_PORTAL_DATABASE_URL", ""), where, "portals on PostgreSQL")
    config = tomllib.loads((DEPLOY / "compose" / "portal.toml").read_text())
    tomllib.loads((DEPLOY / "compose" / "grants.toml").read_text())
    nginx_address = services["nginx"]["networks"]["portal"]["ipv4_address"]
    need(config.get("trusted_proxies") == [nginx_address], "deploy/compose/portal.toml", f"trust nginx ({nginx_address}) and nothing else")
    need(str(config.get("public_url", "")).startswith("https://"), "deploy/compose/portal.toml", "an https public_url")


def nginx() -> None:
    where = "deploy/nginx/runbook-portal.conf"
    text = (DEPLOY / "nginx" / "runbook-portal.conf").read_text()
    need("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in text, where, "append the client to X-Forwarded-For")
    need(re.search(r"location ~ \^/api/executions/[^{]*\{[^}]*proxy_buffering off;", text) is not None, where, "event streams unbuffered")
    need('proxy_set_header X-Forwarded-User "";' in text, where, "drop a client's X-Forwarded-User")


kubernetes()
compose()
nginx()
for problem in problems:
    print(problem, file=sys.stderr)
sys.exit(1 if problems else 0)
