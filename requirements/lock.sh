#!/usr/bin/env bash
# Regenerate the hashed locks from pyproject.toml with pip-tools (kept in a throwaway venv):
#
#   requirements/lock.sh                  keep every pin that still fits pyproject.toml
#   requirements/lock.sh --upgrade        the newest versions that fit
#   requirements/lock.sh -P NAME          upgrade one package (any pip-compile option works)
#
# requirements/dev.lock: every extra and the dev tools (make setup, CI); requirements/
# runtime.lock: what the image's roles need (the Dockerfile), the same pins as dev.lock.
# Both are for Linux x86_64, CPython 3.11: pip-compile evaluates markers for the Python
# that runs it, so this refuses any other.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
TOOLS=${LOCK_TOOLS:-${TMPDIR:-/tmp}/pantau-lock-tools}
PIP_TOOLS=pip-tools==7.6.2

die() {
    echo "lock.sh: $*" >&2
    exit 1
}

platform=$("$PYTHON" -c 'import platform, sys; print(sys.implementation.name,
    "%d.%d" % sys.version_info[:2], sys.platform, platform.machine())') ||
    die "$PYTHON does not run"
[[ $platform == "cpython 3.11 linux x86_64" ]] ||
    die "the locks are for CPython 3.11 on Linux x86_64, $PYTHON is $platform"

if [[ ! -x $TOOLS/bin/pip-compile ]]; then
    if ! { "$PYTHON" -m venv "$TOOLS" && "$TOOLS/bin/pip" install --quiet "$PIP_TOOLS"; }; then
        die "cannot install $PIP_TOOLS into $TOOLS"
    fi
fi

# compile LOCK PIP-COMPILE-OPTION...: write LOCK, then say what it is for above the pins.
compile() {
    local lock=$1 log
    shift
    log=$(mktemp)
    CUSTOM_COMPILE_COMMAND=requirements/lock.sh "$TOOLS/bin/pip-compile" --quiet \
        --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
        --output-file "$lock" "$@" pyproject.toml 2>"$log" ||
        { tail -n 20 "$log" >&2; rm -f "$log"; die "pip-compile failed for $lock"; }
    rm -f "$log"
    # The header; and not pantau itself, which the extras name (make setup installs it).
    LOCK=$lock OPTIONS="$*" "$PYTHON" - <<'PY'
import os
import re
from pathlib import Path

lock = Path(os.environ["LOCK"])
text = re.sub(r"^# pantau's hashed lock.*\n(?:# (?:Install:| {9}pip install).*\n)*", "", lock.read_text())
text = re.sub(
    r"# WARNING: pip install will require the following package to be hashed\.\n"
    r"# Consider using a hashable URL.*\npantau @ file:.*\n(?: {4}#.*\n)*",
    "",
    text,
)
lock.write_text(
    f"# pantau's hashed lock for Linux x86_64, CPython 3.11 ({os.environ['OPTIONS']}).\n"
    f"# Install: pip install --require-hashes -r {lock}\n"
    "#          pip install --no-deps --no-build-isolation .   (pantau itself; -e in a checkout)\n"
    + text
)
PY
}

compile requirements/dev.lock --extra dev --build-deps-for editable "$@"
# Seeded from dev.lock, so that it keeps dev.lock's pins: the image runs what CI tested.
cp requirements/dev.lock requirements/runtime.lock
compile requirements/runtime.lock --extra client --extra gateway --extra worker --extra report \
    --build-deps-for wheel
echo "lock.sh: wrote requirements/dev.lock and requirements/runtime.lock"
