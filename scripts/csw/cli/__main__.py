"""``python -m csw.cli``: the ``csw`` command in a child process (csw bench, the crash-safety test)."""

import sys

from csw.cli import main

sys.exit(main())
