"""`python -m tools.scaffold NAME --kind csv|api ...` (what `make new-source` runs)."""

import sys

from tools.scaffold import main

sys.exit(main())
