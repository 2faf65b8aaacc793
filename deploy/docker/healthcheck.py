"""Health check of the pantau image: asks the running role's /healthz (standard library only).

The image serves every role, so the check finds the `pantau` process in /proc and reads its
command: a `worker` must answer GET /healthz on its web port (PANTAU_WEB_PORT, 6066), a
`gateway` on its port (--port or PANTAU_GATEWAY_PORT, 8088; 503 while Kafka is unreachable);
any other role (simulate, replay) is healthy while it runs. Exit 0 healthy, 1 unhealthy.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

# role -> (port flag, port variable, default port, host variable)
HTTP_ROLES = {
    "worker": ("--web-port", "PANTAU_WEB_PORT", 6066, "PANTAU_WEB_HOST"),
    "gateway": ("--port", "PANTAU_GATEWAY_PORT", 8088, "PANTAU_GATEWAY_HOST"),
}
_ANY_ADDRESS = {"", "0.0.0.0", "::", "[::]"}


def command_of(argv: Sequence[str]) -> str | None:
    """The pantau command of a process (`worker` for `pantau worker ...` or
    `python -m pantau worker ...`), or None if it is not pantau."""
    for i, arg in enumerate(argv):
        if Path(arg).name == "pantau":
            rest = [a for a in argv[i + 1 :] if not a.startswith("-")]
            return rest[0] if rest else None
    return None


def option(argv: Sequence[str], flag: str) -> str | None:
    """The value of `--flag VALUE` or `--flag=VALUE`, the last one given."""
    found = None
    for i, arg in enumerate(argv):
        if arg == flag and i + 1 < len(argv):
            found = argv[i + 1]
        elif arg.startswith(flag + "="):
            found = arg.split("=", 1)[1]
    return found


def health_url(command: str, argv: Sequence[str], env: Mapping[str, str]) -> str | None:
    """Where a role answers its health check; None for roles without one."""
    if command not in HTTP_ROLES:
        return None
    port_flag, port_var, default_port, host_var = HTTP_ROLES[command]
    port = option(argv, port_flag) or env.get(port_var) or str(default_port)
    host = option(argv, "--host") if command == "gateway" else None
    host = host or env.get(host_var, "")
    if host in _ANY_ADDRESS:
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/healthz"


def processes(proc: Path = Path("/proc")) -> Iterator[list[str]]:
    """The command lines of the running processes."""
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if raw:
            yield raw.rstrip(b"\0").decode(errors="replace").split("\0")


def check(argvs: Iterator[list[str]], env: Mapping[str, str], timeout: float = 4.0) -> int:
    for argv in argvs:
        command = command_of(argv)
        if command is None:
            continue
        url = health_url(command, argv, env)
        if url is None:
            return 0
        try:
            with urllib.request.urlopen(url, timeout=timeout) as answer:
                return 0 if answer.status == 200 else 1
        except (urllib.error.URLError, OSError) as exc:
            print(f"{command}: {url}: {exc}", file=sys.stderr)
            return 1
    print("no pantau process is running", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(check(processes(), os.environ))
