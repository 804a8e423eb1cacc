"""``python -m csw.bench <step> ...``: the old entry of bench's internal steps, now ``csw bench-step``."""

import sys

from csw.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench-step", *sys.argv[1:]]))
