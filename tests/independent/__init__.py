"""An independent generator of source data, for robustness tests.

Written from the data specification alone (shared/spec/DATA_SPEC.md), with its
own population model, names and error model; it shares nothing with
``recoverylink.synth`` and reads only the reference code lists shipped with
``recoverylink.spec``. See :mod:`independent.generator` (``Scenario``,
``generate``) and :mod:`independent.strategies` (a Hypothesis strategy).

Import it as ``independent.generator`` with the ``tests`` folder on
``sys.path`` (pytest puts it there when it collects this package).
"""
