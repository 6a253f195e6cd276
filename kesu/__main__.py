"""`python -m kesu …` is the `kesu` command."""

import sys

from kesu.cli import main

sys.exit(main())
