"""`python3 -m vfpapost ...` (with postprocess/ on sys.path) is the same as `vfpa-post ...`."""
import sys

from .cli import main

sys.exit(main())
