"""Test-session settings.

Every tape here runs the kernel module with all operator families: the suite's random
programs use hundreds of operator combinations, and one module compiled once serves
them all (``ASD_KERNEL_FAMILIES=per-family`` runs the suite with the per-family
modules users get by default; tests/test_kernel_families.py checks those agree).
"""

import os

os.environ.setdefault("ASD_KERNEL_FAMILIES", "all")
