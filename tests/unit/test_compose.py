"""The compose stack and the image, checked without Docker: schema, mounts, pins, ports, configs."""

from __future__ import annotations

import base64
import importlib.util
import json
import re
import shlex
import shutil
import subprocess
import threading
import tomllib
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import Any

import pytest
import typer.main
import yaml
from jsonschema import Draft202012Validator

from pantau.cli import cli
from pantau.settings import GatewaySettings, SimulateSettings, WorkerSettings
from pantau.standards import load_standards
from producers.tokens import load_tokens
from tests.services import free_port

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
HEALTHCHECK = REPO / "deploy" / "docker" / "healthcheck.py"
LOCAL_PROMETHEUS = REPO / "deploy" / "prometheus" / "prometheus.yml"
LOCAL_DATASOURCE = REPO / "deploy" / "grafana" / "provisioning" / "datasources" / "pantau.yml"
PANTAU_SERVICES = ("worker-1", "worker-2", "gateway", "simulator")
SETTINGS = {"worker": WorkerSettings, "gateway": GatewaySettings, "simulate": SimulateSettings}
VERSION_TAG = re.compile(r"^v?\d+(\.\d+)+(-[a-z0-9.-]+)?$")
_VARIABLE = re.compile(r"\$(?:\$|\{(\w+)(?:(:?[-?])([^}]*))?\}|(\w+))")


def tool(name: str) -> str:
    """Path of a command-line tool; fails the test with what to install if it is missing."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found: apt-get install prometheus prometheus-alertmanager")
    return path


def interpolate(text: str, env: Mapping[str, str] | None = None) -> str:
    """Compose's variable interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, $VAR, $$."""
    env = env or {}

    def value(m: re.Match[str]) -> str:
        if m[0] == "$$":
            return "$"
        name = m[1] or m[4]
        if m[2] == ":-":
            return env.get(name) or m[3]
        if m[2] == "-":
            return env.get(name, m[3])
        return env.get(name, "")

    return _VARIABLE.sub(value, text)


def compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(document, dict)
    return document


def services() -> dict[str, dict[str, Any]]:
    return dict(compose()["services"])


def compose_schema() -> dict[str, Any]:
    """The compose-spec JSON schema that check-jsonschema vendors (found without importing
    check_jsonschema, whose CLI module fails to import with click < 8.5)."""
    spec = importlib.util.find_spec("check_jsonschema")
    assert spec is not None and spec.submodule_search_locations, "check-jsonschema missing"
    folder = Path(next(iter(spec.submodule_search_locations)))
    path = folder / "builtin_schemas" / "vendor" / "compose-spec.json"
    return dict(json.loads(path.read_text()))


def bind_mounts(service: Mapping[str, Any]) -> Iterator[tuple[Path, PurePosixPath]]:
    """(host path, container path) of a service's bind mounts (short syntax)."""
    for volume in service.get("volumes", []):
        source, target, *_ = interpolate(volume).split(":")
        if source.startswith((".", "/")):
            yield (COMPOSE_FILE.parent / source).resolve(), PurePosixPath(target)


def host_path(service: Mapping[str, Any], container_path: str) -> Path | None:
    """The host file or folder a container path of a service comes from, if bind-mounted."""
    path = PurePosixPath(container_path)
    for source, target in bind_mounts(service):
        if path == target or target in path.parents:
            return source / path.relative_to(target)
    return None


def env_of(service: Mapping[str, Any]) -> dict[str, str]:
    return {k: interpolate(str(v)) for k, v in (service.get("environment") or {}).items()}


def argv_of(service: Mapping[str, Any]) -> list[str]:
    """The pantau arguments a service runs (after the image's `pantau` entrypoint, or the
    `exec pantau ...` of a shell entrypoint)."""
    command = service.get("command", [])
    if service.get("entrypoint") == ["/bin/sh", "-c"]:
        words = shlex.split(interpolate(command[0]))
        assert words[:2] == ["exec", "pantau"], command
        return words[2:]
    return [interpolate(str(word)) for word in command]


def cli_options(command: str) -> set[str]:
    group = typer.main.get_command(cli)
    sub = group.commands[command]  # type: ignore[attr-defined]
    return {opt for param in sub.params for opt in (*param.opts, *param.secondary_opts)}


def env_names(settings: type[Any]) -> set[str]:
    return {f"PANTAU_{name.upper()}" for name in settings.model_fields}


def published_ports(service: Mapping[str, Any]) -> Iterator[tuple[str, int, int]]:
    """(host address, host port, container port) of a service's published ports."""
    for entry in service.get("ports", []):
        address, host, container = interpolate(str(entry)).rsplit(":", 2)
        yield address, int(host), int(container)


def load_healthcheck() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pantau_healthcheck", HEALTHCHECK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


# --- the compose file -------------------------------------------------------------------


def test_compose_file_matches_the_compose_spec_schema() -> None:
    validator = Draft202012Validator(compose_schema())
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(compose())
    ]
    assert errors == []


def test_every_file_the_stack_mounts_or_builds_exists() -> None:
    for name, service in services().items():
        for source, target in bind_mounts(service):
            assert source.exists(), f"{name}: {source} (mounted at {target}) is missing"
        if "build" in service:
            assert (COMPOSE_FILE.parent / service["build"]["context"] / "Dockerfile").is_file()


@pytest.mark.parametrize("name", sorted(services()))
def test_every_image_is_pinned_to_a_version(name: str) -> None:
    image = interpolate(services()[name]["image"])
    repository, _, tag = image.rpartition(":")
    assert repository and "/" not in tag, f"{name}: {image} has no tag"
    assert tag != "latest" and VERSION_TAG.match(tag), f"{name}: {image} is not a version"


def test_pantau_image_is_tagged_with_the_project_version() -> None:
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    for name in PANTAU_SERVICES:
        assert interpolate(services()[name]["image"]) == f"pantau:{version}", name


def test_host_ports_are_distinct_and_on_loopback() -> None:
    seen: dict[int, str] = {}
    for name, service in services().items():
        for address, host, _ in published_ports(service):
            assert address == "127.0.0.1", f"{name} publishes on {address}"
            assert host not in seen, f"{name} and {seen.get(host)} both publish {host}"
            seen[host] = name
    assert len(seen) >= 7


def test_dependencies_wait_for_health_or_completion() -> None:
    all_services = services()
    for name, service in all_services.items():
        for target, condition in (service.get("depends_on") or {}).items():
            assert target in all_services, f"{name} depends on unknown {target}"
            wanted = condition["condition"]
            if wanted == "service_healthy":
                assert "healthcheck" in all_services[target], f"{target} has no healthcheck"
            else:
                assert wanted == "service_completed_successfully", f"{name} -> {target}"
                assert all_services[target].get("restart") == "no", target


def test_long_running_services_have_healthchecks_and_one_shots_do_not_restart() -> None:
    for name, service in services().items():
        if name == "kafka-init":
            assert service["restart"] == "no"
        elif name != "simulator":
            assert service["restart"] == "unless-stopped", name
            assert service["healthcheck"]["test"][0] == "CMD", name


def test_named_volumes_are_declared_and_used() -> None:
    used = {
        interpolate(volume).split(":")[0]
        for service in services().values()
        for volume in service.get("volumes", [])
        if not volume.startswith((".", "/"))
    }
    assert used == set(compose()["volumes"])


def test_kafka_is_a_pinned_kraft_broker_with_a_valid_cluster_id() -> None:
    kafka = services()["kafka"]
    env = env_of(kafka)
    assert kafka["image"].startswith("apache/kafka:4.")
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert len(base64.urlsafe_b64decode(env["CLUSTER_ID"] + "==")) == 16
    assert "INTERNAL://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"]
    assert services()["kafka-init"]["image"] == kafka["image"]


def test_topic_init_creates_the_four_topics_as_the_services_name_them() -> None:
    init = services()["kafka-init"]
    script = host_path(init, init["entrypoint"][1])
    assert script is not None and script.is_file()
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0
    text = script.read_text()
    for topic in ('"$PREFIX.events"', '"$PREFIX.events.dlq"', '"$PREFIX.sla.breaches"'):
        assert topic in text
    assert '--topic "$PREFIX.office.status"' in text and "cleanup.policy=compact" in text
    assert "--if-not-exists" in text
    init_env = env_of(init)
    settings = WorkerSettings(topic_prefix=init_env["PANTAU_TOPIC_PREFIX"])  # type: ignore[call-arg]
    assert {
        settings.events_topic,
        settings.dlq_topic,
        settings.breaches_topic,
        settings.status_topic,
    } == {
        f"{init_env['PANTAU_TOPIC_PREFIX']}{suffix}"
        for suffix in (".events", ".events.dlq", ".sla.breaches", ".office.status")
    }
    for name in PANTAU_SERVICES:
        env = env_of(services()[name])
        assert env["PANTAU_TOPIC_PREFIX"] == init_env["PANTAU_TOPIC_PREFIX"], name
        assert env["PANTAU_PARTITIONS"] == init_env["PANTAU_PARTITIONS"] == "8", name
        assert env["PANTAU_BROKER"] == "kafka:9092", name


@pytest.mark.parametrize("name", PANTAU_SERVICES)
def test_pantau_services_use_real_cli_flags_and_settings(name: str) -> None:
    service = services()[name]
    argv = argv_of(service)
    command = argv[0]
    flags = {word.split("=", 1)[0] for word in argv[1:] if word.startswith("--")}
    assert flags <= cli_options(command), f"{name}: unknown flags {flags - cli_options(command)}"
    pantau_env = {k for k in env_of(service) if k.startswith("PANTAU_")}
    assert pantau_env <= env_names(SETTINGS[command]), f"{name}: {pantau_env}"


def test_workers_share_a_prefix_on_wall_clock_with_the_medan_standards() -> None:
    workers = [services()[name] for name in ("worker-1", "worker-2")]
    for worker in workers:
        argv = argv_of(worker)
        assert argv[0] == "worker"
        assert argv[argv.index("--clock") + 1] == "wall"
        standards = host_path(worker, argv[argv.index("--standards") + 1])
        assert standards is not None
        assert "mpp-medan" in {office for office, _ in load_standards(standards).configured()}
    host_ports = {port for worker in workers for _, port, _ in published_ports(worker)}
    assert len(host_ports) == 2


def test_gateway_tokens_are_valid_and_name_configured_offices() -> None:
    gateway = services()["gateway"]
    argv = argv_of(gateway)
    tokens = host_path(gateway, argv[argv.index("--tokens") + 1])
    assert tokens is not None
    assert len(load_tokens(tokens)) >= 1
    standards = load_standards(REPO / "deploy" / "compose" / "standards.yaml")
    offices = {office for office, _ in standards.configured()}
    named = {o for v in yaml.safe_load(tokens.read_text()).values() for o in v if o != "*"}
    assert named <= offices


def test_simulator_speed_is_configurable_with_a_default() -> None:
    simulator = services()["simulator"]
    argv = argv_of(simulator)
    assert argv[0] == "simulate"
    assert argv[argv.index("--speed") + 1] == "$SIM_SPEED"
    assert env_of(simulator)["SIM_SPEED"] == "60"
    assert interpolate(str(simulator["environment"]["SIM_SPEED"]), {"SIM_SPEED": "5"}) == "5"
    assert shutil.which("sh") is not None
    script = interpolate(simulator["command"][0])
    assert subprocess.run(["sh", "-n", "-c", script], check=False).returncode == 0


# --- Prometheus, Alertmanager, Grafana ----------------------------------------------------


def container_view(service: Mapping[str, Any], root: Path) -> None:
    """Copy a service's bind mounts to `root` at their container paths."""
    for source, target in bind_mounts(service):
        destination = root / target.relative_to("/")
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination)
        else:
            shutil.copy(source, destination)


def test_compose_prometheus_config_passes_promtool_with_the_project_rules(
    tmp_path: Path,
) -> None:
    prometheus = services()["prometheus"]
    config = next(a.split("=", 1)[1] for a in prometheus["command"] if a.startswith("--config"))
    container_view(prometheus, tmp_path)
    rendered = tmp_path / config.lstrip("/")
    result = subprocess.run(
        [tool("promtool"), "check", "config", str(rendered)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    ours = yaml.safe_load(rendered.read_text())
    for rule in ours["rule_files"]:
        mounted = (rendered.parent / rule).read_bytes()
        assert mounted == (LOCAL_PROMETHEUS.parent / rule).read_bytes(), rule


def test_compose_prometheus_has_the_local_jobs_and_scrapes_every_service() -> None:
    all_services = services()
    prometheus = all_services["prometheus"]
    config_path = host_path(prometheus, "/etc/prometheus/prometheus.yml")
    assert config_path is not None
    ours = yaml.safe_load(config_path.read_text())
    local = yaml.safe_load(LOCAL_PROMETHEUS.read_text())
    assert ours["rule_files"] == local["rule_files"]
    jobs = {job["job_name"]: job for job in ours["scrape_configs"]}
    assert set(jobs) == {job["job_name"] for job in local["scrape_configs"]}
    targets = {
        job: {t for sc in config["static_configs"] for t in sc["targets"]}
        for job, config in jobs.items()
    }
    workers = {n for n, s in all_services.items() if argv_of(s)[:1] == ["worker"]}
    web_ports = {env_of(all_services[n])["PANTAU_WEB_PORT"] for n in workers}
    assert targets["pantau-worker"] == {f"{n}:{p}" for n in workers for p in web_ports}
    gateway_port = env_of(all_services["gateway"])["PANTAU_GATEWAY_PORT"]
    assert targets["pantau-gateway"] == {f"gateway:{gateway_port}"}
    (alertmanagers,) = ours["alerting"]["alertmanagers"]
    assert alertmanagers["static_configs"][0]["targets"] == ["alertmanager:9093"]


def test_compose_alertmanager_config_passes_amtool() -> None:
    alertmanager = services()["alertmanager"]
    config = host_path(alertmanager, "/etc/alertmanager/alertmanager.yml")
    assert config is not None
    result = subprocess.run(
        [tool("amtool"), "check-config", str(config)],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_grafana_provisions_the_committed_dashboards_indonesian_home() -> None:
    grafana = services()["grafana"]
    env = env_of(grafana)
    providers_dir = host_path(grafana, "/etc/grafana/provisioning/dashboards")
    assert providers_dir is not None
    providers = [
        provider
        for path in sorted(providers_dir.glob("*.yml"))
        for provider in yaml.safe_load(path.read_text())["providers"]
    ]
    assert providers, "no dashboard providers are mounted"
    languages = set()
    for provider in providers:
        container_dir = interpolate(provider["options"]["path"], env)
        folder = host_path(grafana, container_dir)
        assert folder is not None, f"{container_dir} is not mounted"
        committed = REPO / "dashboards" / "generated" / folder.name
        assert folder.resolve() == committed.resolve()
        assert sorted(p.name for p in folder.glob("*.json")), f"no dashboards in {folder}"
        languages.add(folder.name)
    assert languages == {"id", "en"}
    home = host_path(grafana, env["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"])
    assert home is not None and home.parent.name == "id" and home.is_file()
    assert json.loads(home.read_text())["uid"] == "pantau-overview"


def test_grafana_datasource_is_the_projects_pointed_at_compose_prometheus() -> None:
    grafana = services()["grafana"]
    folder = host_path(grafana, "/etc/grafana/provisioning/datasources")
    assert folder is not None
    (ours,) = yaml.safe_load((folder / "pantau.yml").read_text())["datasources"]
    (local,) = yaml.safe_load(LOCAL_DATASOURCE.read_text())["datasources"]
    assert {**ours, "url": None} == {**local, "url": None}
    assert ours["url"] == "http://prometheus:9090"
    assert "prometheus" in services()


# --- the image ----------------------------------------------------------------------------


def test_dockerfile_pins_its_base_installs_from_the_lock_and_runs_unprivileged() -> None:
    steps = dockerfile_instructions()
    args = dict(a.split("=", 1) for kind, a in steps if kind == "ARG" and "=" in a)
    bases = [interpolate(a.split()[0], args) for kind, a in steps if kind == "FROM"]
    assert bases and all(base == args["PYTHON_IMAGE"] for base in bases)
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", args["PYTHON_IMAGE"])
    runs = " ".join(a for kind, a in steps if kind == "RUN")
    installs = re.findall(r"pip install ([^&]*)", runs)
    assert installs and all("--require-hashes" in i or "--no-deps" in i for i in installs)
    assert "--require-hashes --requirement requirements/runtime.lock" in installs[0]
    assert "requirements/runtime.lock" in next(a for kind, a in steps if kind == "COPY")
    final_stage = steps[max(i for i, (kind, _) in enumerate(steps) if kind == "FROM") :]
    (user,) = [interpolate(a, args) for kind, a in final_stage if kind == "USER"]
    assert user.split(":")[0] not in {"0", "root"}, user
    assert ("ENTRYPOINT", '["pantau"]') in steps
    assert any(kind == "HEALTHCHECK" and "healthcheck.py" in a for kind, a in steps)


def test_dockerignore_lets_in_exactly_what_the_dockerfile_copies() -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert patterns[0] == "*", "exclude everything first, then let files back in"
    allowed = [p[1:].rstrip("/") for p in patterns if p.startswith("!")]
    copied = [
        word
        for kind, a in dockerfile_instructions()
        if kind == "COPY" and not a.startswith("--from")
        for word in a.split()[:-1]
    ]
    for source in copied:
        assert (REPO / source).exists(), source
        assert any(source == a or source.startswith(a.split("/*")[0]) for a in allowed), source


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["/opt/pantau/bin/python", "/opt/pantau/bin/pantau", "worker", "--clock"], "worker"),
        (["python", "-m", "pantau", "gateway", "--tokens", "t.yaml"], "gateway"),
        (["/sbin/docker-init", "--", "pantau", "simulate", "--speed", "60"], "simulate"),
        (["python", "/usr/local/lib/pantau/healthcheck.py"], None),
        (["/bin/sh", "-c", "sleep 1"], None),
    ],
)
def test_healthcheck_finds_the_role(argv: list[str], command: str | None) -> None:
    assert load_healthcheck().command_of(argv) == command


@pytest.mark.parametrize(
    ("command", "argv", "env", "url"),
    [
        ("worker", [], {}, "http://127.0.0.1:6066/healthz"),
        ("worker", [], {"PANTAU_WEB_PORT": "7000", "PANTAU_WEB_HOST": "0.0.0.0"},
         "http://127.0.0.1:7000/healthz"),
        ("worker", ["--web-port", "7001"], {"PANTAU_WEB_PORT": "7000"},
         "http://127.0.0.1:7001/healthz"),
        ("gateway", ["--port=9000"], {"PANTAU_GATEWAY_HOST": "10.0.0.5"},
         "http://10.0.0.5:9000/healthz"),
        ("gateway", [], {"PANTAU_GATEWAY_HOST": "::"}, "http://127.0.0.1:8088/healthz"),
        ("simulate", ["--speed", "60"], {}, None),
    ],
)  # fmt: skip
def test_healthcheck_asks_the_role_where_it_listens(
    command: str, argv: list[str], env: dict[str, str], url: str | None
) -> None:
    assert load_healthcheck().health_url(command, argv, env) == url


class _Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize(("status", "code"), [(200, 0), (503, 1)])
def test_healthcheck_exit_code_follows_healthz(status: int, code: int) -> None:
    handler = type("Handler", (_Health,), {"status": status})
    server = HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        argv = ["pantau", "gateway", "--port", str(server.server_port)]
        assert load_healthcheck().check(iter([argv]), {}) == code
    finally:
        server.shutdown()
        server.server_close()


def test_healthcheck_fails_when_nothing_listens_or_no_pantau_runs() -> None:
    check = load_healthcheck().check
    assert check(iter([["pantau", "worker", "--web-port", str(free_port())]]), {}) == 1
    assert check(iter([["sleep", "1"]]), {}) == 1
    assert check(iter([["pantau", "simulate"]]), {}) == 0
