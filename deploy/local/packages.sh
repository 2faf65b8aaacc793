#!/usr/bin/env bash
# The Debian packages pantau needs on this machine, in one list (make demo, make test and
# .ci/run all run this first):
#
#   deploy/local/packages.sh [--check] [setup|demo|test]   (default: test, everything)
#
# As root it installs what is missing (apt-get update, apt-get install -y
# --no-install-recommends); otherwise, or with --check, it starts nothing and exits 1 with
# the exact apt-get install line for what is missing. Exit 0: nothing is missing.
#
# Environment: PYTHON (python3), the interpreter `make setup` makes the virtualenv with.
set -euo pipefail

# Each row: how to tell it is there, the Debian package that brings it, and the first of
# setup < demo < test that needs it (a later one needs everything an earlier one does).
#   cmd:NAME  a command on PATH        deb:NAME  an installed Debian package
#   venv      $PYTHON can make a virtualenv (Debian's python3 needs python3-venv for it)
PACKAGES=(
    "venv                        python3-venv              setup" # make setup: python3 -m venv
    "cmd:java                    openjdk-17-jre-headless   setup" # Kafka 4 needs Java 17+
    "cmd:mvn                     maven                     setup" # fetches the Kafka jars once
    "cmd:curl                    curl                      demo"  # readiness of the services
    "cmd:prometheus              prometheus                demo"
    "cmd:promtool                prometheus                demo"
    "cmd:prometheus-alertmanager prometheus-alertmanager   demo"
    "cmd:amtool                  prometheus-alertmanager   demo"
    "cmd:pdftoppm                poppler-utils             test" # the report's PDF, as images
    "deb:libpango-1.0-0          libpango-1.0-0            test" # WeasyPrint (pantau report)
    "deb:libpangoft2-1.0-0       libpangoft2-1.0-0         test"
    "deb:libharfbuzz-subset0     libharfbuzz-subset0       test"
    "deb:fonts-dejavu-core       fonts-dejavu-core         test"
    "cmd:chromium                chromium                  test" # the board's browser test
    "cmd:node                    nodejs                    test"
    "cmd:npm                     npm                       test"
)

die() {
    echo "packages.sh: $*" >&2
    exit 1
}

check_only=false
[[ ${1:-} == --check ]] && { check_only=true && shift; }
target=${1:-test}
case $target in
setup) level=1 ;;
demo) level=2 ;;
test) level=3 ;;
*) die "usage: deploy/local/packages.sh [--check] [setup|demo|test]" ;;
esac
(($# <= 1)) || die "usage: deploy/local/packages.sh [--check] [setup|demo|test]"

present() { # present CHECK: is it on this machine?
    case $1 in
    venv) "${PYTHON:-python3}" -c 'import ensurepip, venv' >/dev/null 2>&1 ;;
    cmd:*) command -v "${1#cmd:}" >/dev/null 2>&1 ;;
    deb:*) [[ $(dpkg-query -W -f='${Status}' "${1#deb:}" 2>/dev/null) == *" installed" ]] ;;
    *) die "unknown check $1" ;;
    esac
}

# missing: the Debian packages that $target needs and this machine lacks, once each, in order.
missing() {
    local row check package needed_by seen=" "
    declare -A levels=([setup]=1 [demo]=2 [test]=3)
    for row in "${PACKAGES[@]}"; do
        read -r check package needed_by <<<"$row"
        ((levels[$needed_by] <= level)) || continue
        [[ $seen == *" $package "* ]] && continue
        present "$check" && continue
        seen+="$package "
        printf '%s\n' "$package"
    done
}

mapfile -t wanted < <(missing)
((${#wanted[@]})) || exit 0

install_line="apt-get install -y --no-install-recommends ${wanted[*]}"
if $check_only || ((EUID != 0)); then
    die "make $target needs Debian packages that are missing; as root, run: $install_line"
fi
command -v apt-get >/dev/null 2>&1 ||
    die "apt-get not found (not Debian?): install the equivalents of ${wanted[*]}"
echo "packages.sh: installing ${wanted[*]}"
apt-get update -qq || die "apt-get update failed"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${wanted[@]}" ||
    die "apt-get install failed: $install_line"
mapfile -t still < <(missing)
((${#still[@]} == 0)) || die "still missing after apt-get install: ${still[*]}"
