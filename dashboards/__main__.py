"""`python -m dashboards`: regenerate the dashboards' JSON."""

import sys

from dashboards import SDK_MISSING

try:
    from dashboards.build import main
except ModuleNotFoundError as exc:
    if (exc.name or "").partition(".")[0] != "grafana_foundation_sdk":
        raise
    sys.exit(SDK_MISSING)

sys.exit(main())
