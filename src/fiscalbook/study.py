"""The study's fixed choices, in one place. The seed is assigned only here (a test checks);
draw counts, years and measure names for the layered modules (`methods`, `analyses`,
`figures`) too. Some older flat modules still declare their own draw counts.
"""

from __future__ import annotations

SEED = 20220202  # the date of the Levelling Up White Paper; seeds every random draw in the package
BOOT_DRAWS = 999  # wild cluster bootstrap draws for chapter headlines
RI_DRAWS = 999  # randomisation-inference reassignments for headlines
ITL_YEARS = (2004, 2021)  # ONS GVA per hour worked by ITL region: the whole published span
RI_CHECK_DRAWS = 199  # randomisation-inference draws for secondary checks (chapter run time)
CONVERGENCE_YEARS = (2000, 2020)  # β-convergence window (Regional Outlook TL2/TL3 panels)
GAP_SHARE = 0.5  # "close the gaps", read leniently: the share of a gap the claim says would close


# Short, unambiguous measure names for chart axes, legends and menus (full definitions:
# fiscalbook.autonomy.MEASURES). Each fits a 180 px label and no two share a prefix that
# a label limit could cut them down to.
MEASURES = {
    "rai_fiscal_autonomy": "RAI fiscal autonomy",
    "rai_self_rule": "RAI self-rule",
    "rai": "RAI (total)",
    "imf_tax_share": "Tax share (IMF)",
    "imf_own_revenue_share": "Own-revenue share (IMF)",
    "imf_own_spending_share": "Own-spending share (IMF)",
    "imf_vfi": "Vertical fiscal imbalance (IMF)",
    "imf_transfer_dependence": "Transfer dependence (IMF)",
    "lai": "Local Autonomy Index",
}
CURVE_SPEC_BLOCK = 500  # specifications per task of the multiverse (the unit Dask schedules)
CURVE_DRAW_BLOCK = 333  # null draws per seeded weight block: weights depend on (SEED, block) only
