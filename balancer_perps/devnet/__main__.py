"""``python -m balancer_perps.devnet up | down | status | reset`` (see ``cli``)."""

import sys

from balancer_perps.devnet.cli import main

sys.exit(main())
