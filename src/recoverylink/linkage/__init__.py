"""Linkage: find the same person across treatment, police, drug-test and death records.

The public entry points are :func:`recoverylink.linkage.pipeline.run_linkage`
(train, predict, cluster, write the person map), the clerical review
(:mod:`recoverylink.linkage.review`) and the person map export
(:mod:`recoverylink.linkage.export`). See docs/linkage.md.
"""
