"""``python -m audit`` runs the ``rai-audit`` command."""
import sys

from .cli import main

sys.exit(main())
