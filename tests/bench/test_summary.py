"""The benchmarks' goal rows and the run's table (bench/_summary.py, bench/_all.py), and
reading wrk's output (bench/_server.py): pure functions, no benchmark is run."""

from bench import _all, _summary
from bench._server import parse_wrk


def test_a_goal_is_met_on_its_side_of_the_target_only():
    assert _summary.goal("catalogue", 0.2, 0.20)["ok"]
    assert not _summary.goal("catalogue", 0.19, 0.20)["ok"]
    assert _summary.goal("p99 ms", 100, 100, at_most=True)["ok"]
    assert not _summary.goal("p99 ms", 100.1, 100, at_most=True)["ok"]
    assert not _summary.goal("p99 ms", None, 100, at_most=True)["ok"]  # not measured


def test_the_table_shows_every_goal_with_its_verdict_and_bench():
    rows = [
        {
            **_summary.goal("catalogue / fastest bare hello", 0.123, 0.2, note="1,000,000"),
            "bench": "catalogue",
        },
        {**_summary.goal("live p99 ms", 84.5, 100, at_most=True), "bench": "live 1,000"},
        {**_summary.goal_true("queries the same", True), "bench": "catalogue"},
        {**_summary.goal("oversold", 0, 0, at_most=True), "bench": "reservations"},
    ]
    lines = _summary.format_goals(rows, with_bench=True).splitlines()
    assert lines[0].split() == ["bench", "goal", "measured", "target", "note"]
    assert "0.123" in lines[1] and ">= 0.2" in lines[1] and "MISSED" in lines[1]
    assert "1,000,000" in lines[1]
    assert "84.5" in lines[2] and "<= 100" in lines[2] and " ok" in lines[2]
    assert "yes" in lines[3]
    assert lines[4].split()[-4:] == ["0", "<=", "0", "ok"]


def test_the_run_summary_names_the_load_and_a_benchmark_that_did_not_finish():
    crashed = {"goals": [_summary.goal_true("live 5,000 ran", False, note="exit status 2")]}
    crashed["goals"][0]["bench"] = "live 5,000"
    crashed["step"] = {"label": "live 5,000", "seconds": 12, "exit_status": 2}
    text = _all.format_run([crashed], [1.5, 2.0, 2.5], [3.0, 2.0, 2.5], 125)
    assert "load average (1, 5, 15 min): [1.5, 2.0, 2.5] at the start" in text
    assert "2 min 5 s" in text
    assert "live 5,000 ran" in text and "MISSED" in text and "exit 2" in text


def test_wrk_output_is_read_in_milliseconds_with_its_errors():
    output = """Running 3s test @ http://127.0.0.1:1/bench/hello/
  1 threads and 8 connections
  Latency Distribution
     50%    2.77ms
     75%    3.10ms
     90%    4.00ms
     99%    1.05s
  3612 requests in 3.00s, 1.00MB read
  Socket errors: connect 0, read 12, write 0, timeout 3
  Non-2xx or 3xx responses: 2
Requests/sec:   1204.12
"""
    assert parse_wrk(output) == {
        "rps": 1204.12,
        "p50": 2.77,
        "p99": 1050.0,
        "non_2xx": 2,
        "socket_errors": 3,
    }
