"""How the pipeline splits a job's prediction into chunks (each side on its own)."""

from recoverylink.linkage.jobs import JOBS
from recoverylink.linkage.pipeline import CHUNK_ROWS, prediction_chunks

JOB = {job.name: job for job in JOBS}


def test_a_scale_1_england_is_scored_in_one_pass() -> None:
    # the record counts of a scale-1 England (bench/output/data-1): 855,512
    # treatment records, 2,593,810 PNC nominals and aliases, both under 4 million
    rows = {"treatment": 855_512, "pnc": 2_593_810}
    assert prediction_chunks(JOB["treatment_pnc"], rows) == (1, 1)


def test_each_side_is_chunked_on_its_own() -> None:
    # 9 million PNC identities: ceil(9 / 4) = 3 chunks; the treatment side stays whole
    rows = {"treatment": 855_512, "pnc": 9_000_000}
    assert CHUNK_ROWS == 4_000_000
    assert prediction_chunks(JOB["treatment_pnc"], rows) == (1, 3)
    # a side of exactly 4 million is one chunk; one more record makes two
    assert prediction_chunks(JOB["deaths_pnc"], {"deaths": 4_000_000, "pnc": 4_000_001}) == (1, 2)


def test_deduplication_chunks_both_sides_alike() -> None:
    assert prediction_chunks(JOB["treatment_dedupe"], {"treatment": 8_000_000}) == (2, 2)
    assert prediction_chunks(JOB["treatment_dedupe"], {"treatment": 0}) == (1, 1)
