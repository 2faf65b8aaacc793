"""Packaging: the hashed locks, the extras, what each role imports, the Debian packages."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support import FIXTURES

REPO = FIXTURES.parent.parent
DEV_LOCK = REPO / "requirements" / "dev.lock"
RUNTIME_LOCK = REPO / "requirements" / "runtime.lock"
PACKAGES_SH = REPO / "deploy" / "local" / "packages.sh"
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
EXTRAS: dict[str, list[str]] = PROJECT["optional-dependencies"]
OURS = {"pantau", "streams", "producers", "dashboards", "tests"}


def canon(name: str) -> str:
    """A distribution's name as PEP 503 compares them."""
    return str(canonicalize_name(name))


_PIN = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) \\")
_HASH = re.compile(r" {4}--hash=sha256:([0-9a-f]{64})(?: \\)?")


def pins(lock: Path) -> dict[str, tuple[str, frozenset[str]]]:
    """name -> (version, hashes) of a lock; fails on any line that is not an exact, hashed pin."""
    found: dict[str, tuple[str, set[str]]] = {}
    name: str | None = None
    for number, line in enumerate(lock.read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if pin := _PIN.fullmatch(line):
            name = canon(pin[1])
            assert name not in found, f"{lock.name}:{number}: {name} twice"
            found[name] = (pin[2], set())
        elif (digest := _HASH.fullmatch(line)) and name is not None:
            found[name][1].add(digest[1])
        else:
            pytest.fail(f"{lock.name}:{number}: not an exact, hashed pin: {line!r}")
    for name, (_, hashes) in found.items():
        assert hashes, f"{lock.name}: {name} has no hash"
    return {name: (version, frozenset(hashes)) for name, (version, hashes) in found.items()}


def requirements(*extras: str) -> list[Requirement]:
    """The requirements of pantau with these extras (the base always), self-references expanded."""
    todo, done, found = [*extras], set(), [Requirement(r) for r in PROJECT["dependencies"]]
    while todo:
        extra = todo.pop()
        if extra in done:
            continue
        done.add(extra)
        for text in EXTRAS[extra]:
            requirement = Requirement(text)
            if requirement.name == "pantau":
                todo.extend(requirement.extras)
            else:
                found.append(requirement)
    return found


def closure(roots: Iterable[Requirement]) -> set[str]:
    """Every distribution that installing `roots` brings, from the installed metadata."""
    todo, done, names = list(roots), set(), set[str]()
    while todo:
        requirement = todo.pop()
        name = canon(requirement.name)
        key = (name, frozenset(requirement.extras))
        if key in done:
            continue
        done.add(key)
        names.add(name)
        for text in metadata.requires(name) or []:
            dependency = Requirement(text)
            marker = dependency.marker
            if marker is None or any(marker.evaluate({"extra": e}) for e in ("", *key[1])):
                todo.append(dependency)
    return names


def runs_with_only(allowed: set[str], code: str, tmp_path: Path) -> set[str]:
    """Run `code` in a fresh interpreter that cannot import any installed distribution outside
    `allowed` (as if only those were installed); the distributions it loaded."""
    owners = metadata.packages_distributions()
    blocked = sorted(
        top
        for top, dists in owners.items()
        if top not in OURS and not {canon(d) for d in dists} & (allowed | {"pip", "setuptools"})
    )
    out = tmp_path / "loaded.json"
    script = "\n".join(
        [
            "import sys",
            f"sys.modules.update(dict.fromkeys({blocked!r}))",
            code,
            "import json, importlib.metadata as m",
            "owners = m.packages_distributions()",
            "top = {name.partition('.')[0] for name, mod in list(sys.modules.items()) if mod}",
            "names = sorted({d for t in top for d in owners.get(t, [])})",
            f"json.dump(names, open({str(out)!r}, 'w'))",
        ]
    )
    result = run([sys.executable, "-c", script])
    assert result.returncode == 0, result.stderr[-2000:]
    return {canon(name) for name in json.loads(out.read_text())} - {"pantau"}


def make(*args: str) -> subprocess.CompletedProcess[str]:
    """`make` as from a shell, not as a sub-make of `make test` (which would add lines)."""
    outer = ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES")
    env = {k: v for k, v in os.environ.items() if k not in outer}
    return run(["make", "--no-print-directory", *args], env=env)


def run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=REPO, capture_output=True, text=True, check=False, timeout=120, **kwargs
    )  # type: ignore[call-overload]


# --- the locks ----------------------------------------------------------------------------


def test_the_locks_are_exact_and_hashed_and_leave_out_the_project() -> None:
    for lock in (DEV_LOCK, RUNTIME_LOCK):
        locked = pins(lock)
        assert len(locked) > 20, lock
        assert "pantau" not in locked and "@ file:" not in lock.read_text()
        assert "Linux x86_64, CPython 3.11" in lock.read_text().splitlines()[0]


@pytest.mark.parametrize(
    ("lock", "extras"),
    [(DEV_LOCK, sorted(EXTRAS)), (RUNTIME_LOCK, ["client", "gateway", "worker", "report"])],
)
def test_every_dependency_in_pyproject_is_locked_at_a_version_it_allows(
    lock: Path, extras: list[str]
) -> None:
    locked = pins(lock)
    for requirement in requirements(*extras):
        name = canon(requirement.name)
        assert name in locked, f"{lock.name}: {requirement} is not locked"
        version = locked[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (lock.name, name)
    assert "setuptools" in locked  # pantau is built with --no-build-isolation from the lock


def test_the_runtime_lock_pins_what_ci_tested_and_no_dev_tool() -> None:
    dev, runtime = pins(DEV_LOCK), pins(RUNTIME_LOCK)
    for name, pin in runtime.items():
        assert dev.get(name) == pin, f"{name}: runtime.lock differs from dev.lock"
    for tool in ("pytest", "ruff", "mypy", "hypothesis", "schemathesis", "grafana-foundation-sdk"):
        assert tool in dev and tool not in runtime, tool


def installed_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def test_the_virtualenv_runs_the_locked_versions() -> None:
    wrong = {
        name: (version, installed)
        for name, (version, _) in pins(DEV_LOCK).items()
        if (installed := installed_version(name)) != version
    }
    assert not wrong, f"re-sync with make setup: {wrong}"


def test_the_pinned_check_jsonschema_runs_with_the_pinned_click() -> None:
    result = run([sys.executable, "-m", "check_jsonschema", "--version"])
    assert result.returncode == 0, result.stderr[-500:]
    assert pins(DEV_LOCK)["check-jsonschema"][0] in result.stdout


def test_no_file_still_refers_to_the_old_constraints_file() -> None:
    assert not (REPO / "constraints.txt").exists()
    for path in ("Makefile", "Dockerfile", ".dockerignore", ".ci/run", "README.md"):
        assert "constraints.txt" not in (REPO / path).read_text(), path


# --- the extras ---------------------------------------------------------------------------


def test_dev_pulls_every_extra_and_the_tools() -> None:
    dev = {canon(r.name) for r in requirements("dev")}
    for extra in EXTRAS:
        assert {canon(r.name) for r in requirements(extra)} <= dev, extra
    assert {"pytest", "hypothesis", "schemathesis", "mypy", "ruff", "check-jsonschema"} <= dev


def test_a_package_in_several_extras_has_the_same_bounds_in_each() -> None:
    seen: dict[str, str] = {}
    for extra in EXTRAS:
        for requirement in requirements(extra):
            spelled = str(requirement)
            assert seen.setdefault(canon(requirement.name), spelled) == spelled, extra


def test_the_base_dependencies_are_only_what_the_cli_needs_to_start() -> None:
    base = {canon(r.name) for r in requirements()}
    heavy = {"faust-streaming", "fastapi", "uvicorn", "kafka-python", "weasyprint", "matplotlib"}
    assert not base & heavy
    assert not base & {canon(Requirement(r).name) for r in EXTRAS["dashboards"]}


def test_the_client_imports_only_the_base_and_the_client_extra(tmp_path: Path) -> None:
    allowed = closure(requirements("client"))
    assert not allowed & {"faust-streaming", "fastapi", "uvicorn", "starlette", "aiokafka"}
    code = "import producers.client, producers.spool, producers.sinks"
    loaded = runs_with_only(allowed, code, tmp_path)
    assert {"kafka-python", "pydantic", "filelock"} <= loaded


@pytest.mark.parametrize(
    ("extra", "code", "needs"),
    [
        ("gateway", "import producers.gateway", {"fastapi", "kafka-python"}),
        ("worker", "import streams.app, streams.faust_adapter", {"faust-streaming", "orjson"}),
        ("report", "import pantau.report.build, pantau.report.render", set()),
    ],
)
def test_each_role_imports_only_the_base_and_its_extra(
    extra: str, code: str, needs: set[str], tmp_path: Path
) -> None:
    assert needs <= runs_with_only(closure(requirements(extra)), code, tmp_path)


def test_the_cli_starts_and_checks_files_with_the_base_only(tmp_path: Path) -> None:
    code = (
        "import pantau.cli\n"
        "for argv in (['--help'], ['schema'], ['check', 'standards', 'examples/standards.yaml']):\n"
        "    sys.argv = ['pantau', *argv]\n"
        "    try:\n"
        "        pantau.cli.main()\n"
        "    except SystemExit as exc:\n"
        "        assert not exc.code, (argv, exc.code)\n"
    )
    loaded = runs_with_only(closure(requirements()), code, tmp_path)
    assert {"typer", "pydantic"} <= loaded


@pytest.mark.parametrize(
    ("argv", "blocked", "line"),
    [
        (
            ["worker", "--standards", "examples/standards.yaml"],
            ["faust"],
            "pantau: error: worker needs faust, which is not installed: "
            "pip install 'pantau[worker]'",
        ),
        (
            ["replay", "examples/mpp-medan-day.events.jsonl"],
            ["orjson", "kafka"],
            "pip install 'pantau[client]'",
        ),
        (
            ["gateway", "--tokens", "examples/demo-tokens.yaml"],
            ["uvicorn", "fastapi"],
            "pip install 'pantau[gateway]'",
        ),
    ],
)
def test_a_subcommand_without_its_extra_says_which_in_one_line(
    argv: list[str], blocked: list[str], line: str
) -> None:
    script = "\n".join(
        [
            "import sys",
            *(f"sys.modules[{name!r}] = None" for name in blocked),
            f"sys.argv = ['pantau', *{argv!r}]",
            "from pantau.cli import main",
            "main()",
        ]
    )
    result = run([sys.executable, "-c", script])
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1 and line in result.stderr, result.stderr


def test_the_dashboards_without_the_sdk_say_which_extra_in_one_line(tmp_path: Path) -> None:
    loaded = runs_with_only(closure(requirements()), "import dashboards", tmp_path)
    assert "grafana-foundation-sdk" not in loaded
    script = "import runpy, sys\nsys.modules['grafana_foundation_sdk'] = None\n"
    script += "runpy.run_module('dashboards', run_name='__main__')"
    result = run([sys.executable, "-c", script])
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "dashboards: grafana-foundation-sdk is not installed: pip install 'pantau[dashboards]'"
    )


# --- the Debian packages ------------------------------------------------------------------

#: What .ci/run installed inline before deploy/local/packages.sh: every one is still there.
CI_PACKAGES = {
    "openjdk-17-jre-headless", "maven", "curl", "prometheus", "prometheus-alertmanager",
    "poppler-utils", "libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu-core",
    "libharfbuzz-subset0", "chromium", "nodejs", "npm",
}  # fmt: skip
DEMO_PACKAGES = {
    "openjdk-17-jre-headless", "maven", "curl", "prometheus", "prometheus-alertmanager"
}  # fmt: skip


@pytest.fixture
def work() -> Iterator[Path]:
    """A folder the unprivileged user of the not-root tests can use (pytest's is private)."""
    folder = Path(tempfile.mkdtemp(prefix="pantau-packages-", dir="/tmp"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder)


def packages_sh(
    tmp_path: Path, *args: str, as_root: bool, apt_get: str | None = None, venv: bool = True
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """packages.sh on a PATH with nothing on it (but a fake apt-get that logs its calls)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "apt-get.log"
    if apt_get is not None:
        fake = bin_dir / "apt-get"
        fake.write_text(f'#!/bin/sh\necho "$*" >>{log}\n{apt_get}\n')
        fake.chmod(0o755)
    prefix: list[str] = []
    if as_root and os.geteuid() != 0:
        prefix = [str(shutil.which("unshare")), "--map-root-user"]
    elif not as_root and os.geteuid() == 0:
        prefix = [str(shutil.which("setpriv")), "--reuid=65534", "--regid=65534", "--clear-groups"]
    python = "/bin/true" if venv else "/bin/false"  # can or cannot make a virtualenv
    env = {"PATH": str(bin_dir), "PYTHON": python, "HOME": str(tmp_path)}
    script = tmp_path / "packages.sh"  # a copy: the clone may sit in a folder only root reads
    shutil.copyfile(PACKAGES_SH, script)
    script.chmod(0o755)
    result = run([*prefix, "/bin/bash", str(script), *args], env=env)
    return result, log


def test_packages_sh_knows_every_package_ci_installed_and_ci_uses_it() -> None:
    listed = set(
        re.findall(r'^\s+"\S+\s+(\S+)\s+(?:setup|demo|test)"', PACKAGES_SH.read_text(), re.M)
    )
    assert CI_PACKAGES | {"python3-venv"} == listed
    ci = (REPO / ".ci" / "run").read_text()
    assert "deploy/local/packages.sh test" in ci and "apt-get" not in ci


def test_not_root_it_starts_nothing_and_prints_the_apt_get_line(work: Path) -> None:
    result, log = packages_sh(work, "demo", as_root=False, apt_get="exit 0")
    assert result.returncode == 1 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    command = line.partition("run: ")[2].split()
    assert command[:4] == ["apt-get", "install", "-y", "--no-install-recommends"], line
    assert set(command[4:]) == DEMO_PACKAGES  # demo needs no browser, no PDF tools
    assert not log.exists(), "apt-get ran without root"


def test_check_never_installs_and_test_needs_everything(work: Path) -> None:
    result, log = packages_sh(work, "--check", as_root=True, apt_get="exit 0", venv=False)
    assert result.returncode == 1 and not log.exists()
    missing = set(result.stderr.partition("--no-install-recommends ")[2].split())
    assert missing == CI_PACKAGES | {"python3-venv"}


def test_as_root_it_installs_what_is_missing(work: Path) -> None:
    commands = "java mvn curl prometheus promtool prometheus-alertmanager amtool"
    installs = f'[ "$1" = install ] && for c in {commands}; do '
    installs += f"printf '#!/bin/sh\\n' >{work}/bin/$c; /bin/chmod +x {work}/bin/$c; done"
    result, log = packages_sh(work, "demo", as_root=True, apt_get=installs + "; exit 0")
    assert result.returncode == 0, result.stderr
    update, install = log.read_text().splitlines()
    assert update == "update -qq"
    assert install.split()[:4] == ["install", "-y", "-qq", "--no-install-recommends"]
    assert set(install.split()[4:]) == DEMO_PACKAGES


def test_as_root_it_fails_when_the_install_did_not_bring_the_commands(work: Path) -> None:
    result, log = packages_sh(work, "setup", as_root=True, apt_get="exit 0")
    assert result.returncode == 1
    assert "still missing after apt-get install: openjdk-17-jre-headless maven" in result.stderr
    assert log.read_text().splitlines()[0] == "update -qq"


def test_this_machine_has_what_make_test_needs() -> None:
    result = run(["bash", str(PACKAGES_SH), "--check", "test"])
    assert result.returncode == 0, result.stderr


# --- make and the image tag ---------------------------------------------------------------


@pytest.mark.parametrize("target", ["demo", "test", "lint", "setup"])
def test_make_checks_the_packages_before_anything_else(target: str) -> None:
    result = make("-n", target)
    assert result.returncode == 0, result.stderr
    group = target if target in ("demo", "test") else "setup"
    assert result.stdout.splitlines()[0] == f"deploy/local/packages.sh {group}"


def test_make_setup_installs_from_the_lock_with_hashes() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^\$\(VENV\)/\.installed: .*\$\(LOCK\).*\| packages$", makefile, re.M)
    result = make("-n", "-W", "requirements/dev.lock", ".venv/.installed")
    recipe = result.stdout
    assert (
        "pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.lock"
        in recipe
    )
    assert "--no-deps --no-build-isolation -e ." in recipe


def test_the_image_tag_is_the_version() -> None:
    version = PROJECT["version"]
    result = make("-n", "image")
    assert result.stdout.strip() == f"docker build -t pantau:{version} ."
    compose = (REPO / "docker-compose.yml").read_text()
    assert "image: ${PANTAU_IMAGE:-pantau}:${PANTAU_VERSION:-" + version + "}" in compose
