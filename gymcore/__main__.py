import sys

from gymcore.cli import main

sys.exit(main())
