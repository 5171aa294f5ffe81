"""``python -m alliance_kg.cli``: the same as the ``alliance-kg`` command."""

import sys

from . import main

sys.exit(main())
