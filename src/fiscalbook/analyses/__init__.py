"""Analyses: one module per chapter question. Each returns plain results (frames, dicts,
dataclasses) and the headline numbers a chapter glues; no Altair here. An analysis never
imports another analysis: what two chapters share lives in `methods` or the data layer.
"""
