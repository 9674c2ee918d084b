import sys

from gymcore.cli.main import main

sys.exit(main())
