"""`python -m fdsl ...` runs the `fdsl` command of a pip-installed package."""
import sys

from fdsl._cli import main

sys.exit(main())
