"""The Kubernetes manifests of deploy/k8s, checked offline: complete, consistent, pinned, probed."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

from dashboards import k8s as generated
from dashboards.build import GENERATED
from dashboards.i18n import Lang
from pantau.cli import cli
from pantau.settings import GatewaySettings, KafkaSettings, WorkerSettings
from pantau.standards import Standards, load_standards
from streams.app import CHANGELOG_CONFIG, create_app

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
KUSTOMIZATIONS = [K8S, K8S / "prometheus-operator", K8S / "strimzi", K8S / "grafana"]
SETTINGS: dict[str, type[Any]] = {"worker": WorkerSettings, "gateway": GatewaySettings}
# Secrets the operator creates (never committed); docs/scaling.md says how.
EXTERNAL_SECRETS = {"pantau-gateway-tokens", "pantau-kafka-user", "pantau-kafka-ca"}
VERSION_TAG = re.compile(r"^v?\d+(\.\d+)+$")
DNS_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")


def kustomization(folder: Path) -> dict[str, Any]:
    return dict(yaml.safe_load((folder / "kustomization.yaml").read_text()))


def documents(folder: Path) -> Iterator[dict[str, Any]]:
    """Every manifest a kustomization lists, in order."""
    for resource in kustomization(folder).get("resources", []):
        for doc in yaml.safe_load_all((folder / resource).read_text()):
            if doc is not None:
                yield doc


def base() -> list[dict[str, Any]]:
    return list(documents(K8S))


def everything() -> list[dict[str, Any]]:
    return [doc for folder in KUSTOMIZATIONS for doc in documents(folder)]


def of_kind(kind: str, docs: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    return [d for d in (base() if docs is None else docs) if d["kind"] == kind]


def named(kind: str, name: str) -> dict[str, Any]:
    (doc,) = [d for d in everything() if d["kind"] == kind and d["metadata"]["name"] == name]
    return doc


def containers(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    return list(deployment["spec"]["template"]["spec"]["containers"])


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def effective_image(image: str) -> str:
    """The image after the base kustomization's `images` rewrite."""
    for rule in kustomization(K8S).get("images", []):
        if rule["name"] == image:
            return f"{rule.get('newName', image)}:{rule['newTag']}"
    return image


def config_data() -> dict[str, str]:
    return dict(named("ConfigMap", "pantau-config")["data"])


def cli_options(command: str) -> set[str]:
    group = typer.main.get_command(cli)
    sub = group.commands[command]  # type: ignore[attr-defined]
    return {opt for param in sub.params for opt in (*param.opts, *param.secondary_opts)}


def env_names(settings: type[Any]) -> set[str]:
    return {f"PANTAU_{name.upper()}" for name in settings.model_fields}


DEPLOYMENTS = ["pantau-worker", "pantau-gateway"]


def test_kustomizations_list_every_file_and_only_existing_ones() -> None:
    listed: set[Path] = set()
    for folder in KUSTOMIZATIONS:
        spec = kustomization(folder)
        assert spec["apiVersion"] == "kustomize.config.k8s.io/v1beta1"
        assert spec["kind"] == "Kustomization"
        for resource in spec.get("resources", []):
            listed.add((folder / resource).resolve())
        for generator in spec.get("configMapGenerator", []) + spec.get("secretGenerator", []):
            for entry in generator.get("files", []):
                listed.add((folder / entry.split("=")[-1]).resolve())
    on_disk = {
        p.resolve() for p in K8S.rglob("*") if p.is_file() and p.name != "kustomization.yaml"
    }
    assert on_disk - listed == set(), "files no kustomization lists"
    assert listed - on_disk == set(), "listed files that do not exist"


def test_every_manifest_has_the_required_fields() -> None:
    for doc in everything():
        kind = doc.get("kind")
        assert doc.get("apiVersion") and kind, doc
        name = doc["metadata"]["name"]
        assert DNS_NAME.match(name) and len(name) <= 63, f"{kind} {name}"
        assert doc["metadata"]["labels"], f"{kind} {name} has no labels"
        if kind not in {"Namespace", "KafkaTopic", "KafkaUser"}:
            assert doc["metadata"]["labels"]["app.kubernetes.io/name"] == "pantau", name


def test_manifests_use_stable_api_versions() -> None:
    expected = {
        "Namespace": "v1",
        "ConfigMap": "v1",
        "Service": "v1",
        "Deployment": "apps/v1",
        "PodDisruptionBudget": "policy/v1",
        "HorizontalPodAutoscaler": "autoscaling/v2",
        "ServiceMonitor": "monitoring.coreos.com/v1",
        "PrometheusRule": "monitoring.coreos.com/v1",
        "KafkaTopic": "kafka.strimzi.io/v1beta2",
        "KafkaUser": "kafka.strimzi.io/v1beta2",
    }
    for doc in everything():
        assert expected[doc["kind"]] == doc["apiVersion"], doc["metadata"]["name"]


@pytest.mark.parametrize("name", DEPLOYMENTS)
def test_deployment_selector_matches_its_pods(name: str) -> None:
    spec = named("Deployment", name)["spec"]
    selector = spec["selector"]["matchLabels"]
    assert selects(selector, spec["template"]["metadata"]["labels"])
    others = [d for d in of_kind("Deployment") if d["metadata"]["name"] != name]
    for other in others:
        assert not selects(selector, other["spec"]["template"]["metadata"]["labels"])


@pytest.mark.parametrize("name", DEPLOYMENTS)
def test_containers_are_pinned_probed_limited_and_unprivileged(name: str) -> None:
    deployment = named("Deployment", name)
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    for container in containers(deployment):
        image = effective_image(container["image"])
        repository, _, tag = image.rpartition(":")
        assert repository and VERSION_TAG.match(tag), f"{name}: {image} is not pinned"
        ports = {p["name"] for p in container["ports"]}
        assert {"livenessProbe", "readinessProbe"} <= set(container), name
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            if probe in container:
                assert container[probe]["httpGet"]["port"] in ports, f"{name} {probe}"
        for kind in ("requests", "limits"):
            assert set(container["resources"][kind]) == {"cpu", "memory"}, f"{name} {kind}"
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False
        assert security["readOnlyRootFilesystem"] is True
        assert security["capabilities"]["drop"] == ["ALL"]


@pytest.mark.parametrize("name", DEPLOYMENTS)
def test_containers_run_real_commands_with_known_settings(name: str) -> None:
    data = config_data()
    for container in containers(named("Deployment", name)):
        command, *args = container["args"]
        flags = {a.split("=", 1)[0] for a in args if a.startswith("--")}
        assert flags <= cli_options(command), f"{name}: {flags - cli_options(command)}"
        env = {e["name"] for e in container.get("env", [])}
        known = env_names(SETTINGS[command])
        assert env <= known, f"{name}: unknown variables {env - known}"
    shared = env_names(WorkerSettings) | env_names(GatewaySettings)
    assert set(data) <= shared, f"pantau-config: unknown variables {set(data) - shared}"


def test_services_select_pods_and_name_their_ports() -> None:
    deployments = of_kind("Deployment")
    for service in of_kind("Service"):
        selector = service["spec"]["selector"]
        (target,) = [
            d for d in deployments if selects(selector, d["spec"]["template"]["metadata"]["labels"])
        ]
        port_names = {p["name"] for c in containers(target) for p in c["ports"]}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in port_names, service["metadata"]["name"]
        # The Service's name is the Prometheus job the rules select on.
        assert service["metadata"]["name"] == target["metadata"]["name"]


def test_disruption_budgets_and_the_autoscaler_target_the_deployments() -> None:
    deployments = {d["metadata"]["name"]: d for d in of_kind("Deployment")}
    budgets = of_kind("PodDisruptionBudget")
    covered = set()
    for pdb in budgets:
        selector = pdb["spec"]["selector"]["matchLabels"]
        matching = [
            n
            for n, d in deployments.items()
            if selects(selector, d["spec"]["template"]["metadata"]["labels"])
        ]
        assert len(matching) == 1, pdb["metadata"]["name"]
        covered.update(matching)
    assert covered == set(deployments)
    (hpa,) = of_kind("HorizontalPodAutoscaler")
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", "pantau-gateway")
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    gateway = deployments["pantau-gateway"]
    assert all("cpu" in c["resources"]["requests"] for c in containers(gateway))


def test_no_static_replicas_on_a_deployment_under_an_autoscaler() -> None:
    """`kubectl apply` would reset the autoscaler's count to a static `replicas`."""
    scaled = {
        (h["spec"]["scaleTargetRef"]["kind"], h["spec"]["scaleTargetRef"]["name"])
        for h in of_kind("HorizontalPodAutoscaler", everything())
    }
    assert scaled
    for deployment in of_kind("Deployment", everything()):
        if ("Deployment", deployment["metadata"]["name"]) in scaled:
            assert "replicas" not in deployment["spec"], deployment["metadata"]["name"]


def test_referenced_configmaps_exist_and_secrets_are_documented() -> None:
    generated = {g["name"] for g in kustomization(K8S).get("configMapGenerator", [])}
    defined = {d["metadata"]["name"] for d in of_kind("ConfigMap")} | generated
    scaling = (REPO / "docs" / "scaling.md").read_text()
    for deployment in of_kind("Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        for container in pod["containers"]:
            for source in container.get("envFrom", []):
                assert source["configMapRef"]["name"] in defined
            for variable in container.get("env", []):
                secret = variable.get("valueFrom", {}).get("secretKeyRef", {}).get("name")
                assert secret is None or (secret in EXTERNAL_SECRETS and secret in scaling)
        mounts = {m["name"] for c in pod["containers"] for m in c.get("volumeMounts", [])}
        assert mounts == {v["name"] for v in pod["volumes"]}
        for volume in pod["volumes"]:
            if "configMap" in volume:
                assert volume["configMap"]["name"] in defined
            if "secret" in volume:
                secret = volume["secret"]["secretName"]
                assert secret in EXTERNAL_SECRETS and secret in scaling, secret


def test_workers_fit_the_partitions_and_load_valid_standards() -> None:
    partitions = int(config_data()["PANTAU_PARTITIONS"])
    worker = named("Deployment", "pantau-worker")
    assert 2 <= worker["spec"]["replicas"] <= partitions
    (generator,) = kustomization(K8S)["configMapGenerator"]
    key, _, path = generator["files"][0].partition("=")
    standards = load_standards(K8S / path)
    assert set(standards.configured())
    (container,) = containers(worker)
    mount = next(m for m in container["volumeMounts"] if m["name"] == "standards")
    assert container["args"][container["args"].index("--standards") + 1] == (
        f"{mount['mountPath']}/{key}"
    )


def test_scraping_by_annotations_and_service_monitors_hits_the_metrics_ports() -> None:
    monitors = of_kind("ServiceMonitor", list(documents(K8S / "prometheus-operator")))
    assert {m["metadata"]["name"] for m in monitors} == {"pantau-worker", "pantau-gateway"}
    for monitor in monitors:
        selector = monitor["spec"]["selector"]["matchLabels"]
        (service,) = [s for s in of_kind("Service") if selects(selector, s["metadata"]["labels"])]
        ports = {p["name"] for p in service["spec"]["ports"]}
        assert {e["port"] for e in monitor["spec"]["endpoints"]} <= ports
    for deployment in of_kind("Deployment"):
        template = deployment["spec"]["template"]
        annotations = template["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        container_ports = {
            str(p["containerPort"]) for c in containers(deployment) for p in c["ports"]
        }
        assert annotations["prometheus.io/port"] in container_ports
        assert annotations["prometheus.io/path"] == "/metrics"


def test_strimzi_topics_are_the_ones_the_worker_uses() -> None:
    data = config_data()
    settings = WorkerSettings(topic_prefix=data["PANTAU_TOPIC_PREFIX"])  # type: ignore[call-arg]
    app, _ = create_app(settings, Standards.empty())
    changelog = app.tables["state"].changelog_topic.get_topic_name()
    leader = f"{app.conf.id}-__assignor-__leader"
    topics = {t["spec"]["topicName"]: t["spec"] for t in of_kind("KafkaTopic", everything())}
    kafka = KafkaSettings(topic_prefix=data["PANTAU_TOPIC_PREFIX"])  # type: ignore[call-arg]
    wanted = {
        kafka.events_topic, kafka.dlq_topic, kafka.breaches_topic, kafka.status_topic,
        changelog, leader,
    }  # fmt: skip
    assert set(topics) == wanted
    assert topics[kafka.status_topic]["config"]["cleanup.policy"] == "compact"
    partitions = int(data["PANTAU_PARTITIONS"])
    assert topics[kafka.events_topic]["partitions"] == topics[changelog]["partitions"]
    assert topics[changelog]["partitions"] == partitions
    assert topics[changelog]["config"]["cleanup.policy"] == "compact"
    # Strimzi creates the changelog before a worker could: it must carry the worker's config.
    got = {k: str(topics[changelog]["config"].get(k)) for k in CHANGELOG_CONFIG}
    assert got == CHANGELOG_CONFIG
    for spec in topics.values():
        assert spec["replicas"] >= 3 and spec["config"]["min.insync.replicas"] >= 2


def test_kafka_security_settings_are_complete_and_their_files_mounted() -> None:
    data = config_data()
    for deployment in of_kind("Deployment"):
        for container in containers(deployment):
            secret_env = {
                e["name"]: "from a Secret" for e in container.get("env", []) if "valueFrom" in e
            }
            given = {**data, **secret_env}
            values = {k.removeprefix("PANTAU_").lower(): v for k, v in given.items()}
            settings = KafkaSettings.model_validate(values)  # refuses incomplete SASL settings
            assert settings.security_protocol == "SASL_SSL"
            assert settings.ssl_cafile is not None
            mounts = [m["mountPath"] for m in container["volumeMounts"]]
            assert any(settings.ssl_cafile.parent.as_posix() == m for m in mounts), mounts


def test_kafka_user_may_use_every_topic_and_the_group() -> None:
    data = config_data()
    (user,) = of_kind("KafkaUser", everything())
    assert user["metadata"]["name"] == data["PANTAU_SASL_USERNAME"]
    assert user["spec"]["authentication"]["type"] == "scram-sha-512"
    assert data["PANTAU_SASL_MECHANISM"] == "SCRAM-SHA-512"
    acls = user["spec"]["authorization"]["acls"]

    def allowed(kind: str, name: str, operation: str) -> bool:
        return any(
            acl["resource"]["type"] == kind
            and operation in acl["operations"]
            and (
                name.startswith(acl["resource"]["name"])
                if acl["resource"]["patternType"] == "prefix"
                else name == acl["resource"]["name"]
            )
            for acl in acls
        )

    settings = WorkerSettings(topic_prefix=data["PANTAU_TOPIC_PREFIX"])  # type: ignore[call-arg]
    app, _ = create_app(settings, Standards.empty())
    for topic in (t["spec"]["topicName"] for t in of_kind("KafkaTopic", everything())):
        for operation in ("Describe", "Read", "Write", "Create"):
            assert allowed("topic", topic, operation), (topic, operation)
    assert allowed("group", app.conf.id, "Read")


def test_generated_manifests_are_up_to_date() -> None:
    stale = generated.stale_manifests()
    assert not stale, f"out of date: {[str(p) for p in stale]}; run: python -m dashboards"


def test_prometheus_rule_is_the_rule_files_group_for_group() -> None:
    (rule,) = of_kind("PrometheusRule", list(documents(K8S / "prometheus-operator")))
    groups = []
    for name in ("recording.yml", "alerts.yml"):
        path = REPO / "deploy" / "prometheus" / "rules" / name
        groups += yaml.safe_load(path.read_text())["groups"]
    assert rule["spec"]["groups"] == groups
    assert rule["metadata"]["name"] == "pantau"


def test_dashboard_configmaps_are_the_generated_dashboards_for_the_sidecar() -> None:
    maps = of_kind("ConfigMap", list(documents(K8S / "grafana")))
    expected = {path.relative_to(GENERATED) for path in GENERATED.glob("*/*.json")}
    found = set()
    for config_map in maps:
        meta = config_map["metadata"]
        assert meta["labels"]["grafana_dashboard"] == "1", meta["name"]
        (file_name, text) = next(iter(config_map["data"].items()))
        assert len(config_map["data"]) == 1
        lang: Lang = "en" if meta["name"].endswith("-en") else "id"
        assert meta["annotations"]["grafana_folder"] == generated.FOLDERS[lang]
        assert text == (GENERATED / lang / file_name).read_text(encoding="utf-8"), meta["name"]
        # kubectl apply keeps the last applied object in an annotation of at most 256 KiB
        assert len(yaml.safe_dump(config_map)) < 200_000, meta["name"]
        found.add(Path(lang) / file_name)
    assert found == expected


def kustomize(folder: Path) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl not installed: the kustomize build itself is not checked")
    result = subprocess.run(
        [kubectl, "kustomize", str(folder)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return [d for d in yaml.safe_load_all(result.stdout) if d is not None]


@pytest.mark.parametrize("folder", KUSTOMIZATIONS, ids=lambda p: p.name)
def test_every_kustomization_builds(folder: Path) -> None:
    built = kustomize(folder)
    assert built
    assert all(d["metadata"]["labels"]["app.kubernetes.io/part-of"] == "pantau" for d in built)


def test_one_setting_gives_every_alert_its_absolute_runbook_link() -> None:
    built = kustomize(K8S / "prometheus-operator")
    assert not [d for d in built if d["metadata"]["name"] == "pantau-alerting"], "local config"
    (rule,) = [d for d in built if d["kind"] == "PrometheusRule"]
    settings = yaml.safe_load((K8S / "prometheus-operator" / "alerting.yaml").read_text())
    url = settings["data"]["runbook-url"]
    assert url.startswith("https://")
    alerting = [r for g in rule["spec"]["groups"] for r in g["rules"] if "alert" in r]
    assert alerting
    for alert in alerting:
        assert alert["annotations"]["runbook_url"] == f"{url}#{alert['alert'].lower()}"


def test_the_image_tag_is_the_version() -> None:
    """One version number: the kustomization's image tag is pyproject's (and pantau's)."""
    from pantau import __version__

    tags = [image["newTag"] for image in kustomization(K8S)["images"] if image["name"] == "pantau"]
    assert tags == [__version__]
