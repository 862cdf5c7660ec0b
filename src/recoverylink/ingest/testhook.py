"""A test hook: an ingest that kills itself with SIGKILL at a chosen checkpoint.

The crash tests (``tests/ingest/test_ingest_crash.py``) need to stop a run at
exact moments: between the identity and the warehouse commits, in the middle
of a transaction, after an archive copy and before its ledger row. The code
calls :func:`checkpoint` at each such moment, with a name saying where it is.
Two environment variables, for tests only (they are not settings, and a run
without them does nothing but two dictionary look-ups per checkpoint):

- ``RECOVERYLINK_TEST_KILL_AT=N``: at the Nth checkpoint of the process, the
  process sends itself ``SIGKILL``, as an operator's ``kill -9`` or the
  out-of-memory killer would: no clean-up, no ``finally``, no flush.
- ``RECOVERYLINK_TEST_CHECKPOINTS=FILE``: every checkpoint appends a line
  ``N<TAB>name`` to FILE, so a test can list a run's checkpoints first and then
  kill a run at each.
"""

from __future__ import annotations

import os
import signal

KILL_AT = "RECOVERYLINK_TEST_KILL_AT"
CHECKPOINTS = "RECOVERYLINK_TEST_CHECKPOINTS"

_passed = 0


def checkpoint(name: str) -> None:
    """Count a checkpoint; log it and kill the process if the environment asks (see above)."""
    kill_at, log = os.environ.get(KILL_AT), os.environ.get(CHECKPOINTS)
    if not kill_at and not log:
        return
    global _passed
    _passed += 1
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{_passed}\t{name}\n")
    if kill_at and int(kill_at) == _passed:
        os.kill(os.getpid(), signal.SIGKILL)
