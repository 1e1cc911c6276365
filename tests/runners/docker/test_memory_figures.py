"""The docker runner's two memory figures, from fixed engine and cgroup readings."""

from __future__ import annotations

from harness.runners.docker.phase import exit_info
from harness.runners.docker.stats import parse_memory_stat, working_set

MIB = 2**20

CGROUP_V1_STAT = """cache 157286400
rss 20971520
inactive_file 10485760
total_cache 157286400
total_rss 20971520
total_inactive_file 146800640
total_active_file 10485760
"""

CGROUP_V2_STAT = """anon 20971520
file 157286400
inactive_file 146800640
active_file 10485760
"""


def test_working_set_leaves_out_the_inactive_file_cache_under_both_cgroup_versions():
    usage = 180 * MIB
    # v1 names the hierarchy's total; its own inactive_file (10 MiB) is not the one to use.
    assert working_set(usage, parse_memory_stat(CGROUP_V1_STAT)) == usage - 140 * MIB
    assert working_set(usage, parse_memory_stat(CGROUP_V2_STAT)) == usage - 140 * MIB


def test_working_set_of_the_engine_stats_without_details_is_the_usage():
    assert working_set(64 * MIB, {}) == 64 * MIB


def test_working_set_is_never_negative():
    assert working_set(MIB, {"inactive_file": 2 * MIB}) == 0


def test_memory_stat_lines_that_are_not_counters_are_left_out():
    assert parse_memory_stat("rss 5\nhierarchical_memory_limit x\n\nnoise\n") == {"rss": 5}


def test_an_oom_kill_puts_both_peaks_at_the_limit_at_least():
    state = {"ExitCode": 137, "OOMKilled": True}
    info = exit_info(state, 300 * MIB, 200 * MIB, 512 * MIB, stopped_by_harness=False)
    assert info.killed_for_memory
    assert (info.peak_memory_bytes, info.peak_working_set_bytes) == (512 * MIB, 512 * MIB)


def test_a_clean_exit_keeps_both_peaks_as_measured():
    state = {"ExitCode": 0, "OOMKilled": False}
    info = exit_info(state, 300 * MIB, 200 * MIB, 512 * MIB, stopped_by_harness=False)
    assert (info.peak_memory_bytes, info.peak_working_set_bytes) == (300 * MIB, 200 * MIB)
