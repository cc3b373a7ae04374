"""`python -m generator` is the `weekly` command."""

import sys

from generator.cli import main

sys.exit(main())
