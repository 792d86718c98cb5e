"""The study's fixed choices, in one place, for code written in the layered modules
(`methods`, `analyses`, `figures`). Older modules still declare their own copies; they
move here as they are renovated.
"""

from __future__ import annotations

SEED = 20220202  # the date of the Levelling Up White Paper; seeds every random draw
BOOT_DRAWS = 999  # wild cluster bootstrap draws for chapter headlines
RI_DRAWS = 999  # randomisation-inference reassignments for headlines
CURVE_SPEC_BLOCK = 500  # specifications per task of the multiverse (the unit Dask schedules)
CURVE_DRAW_BLOCK = 333  # null draws per seeded weight block: weights depend on (SEED, block) only
