"""`python -m dashboards`: regenerate the dashboards' JSON."""

import sys

from dashboards.build import main

sys.exit(main())
