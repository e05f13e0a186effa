"""Progress throttles report calls but never drops a metric point."""

from workers.runtime import Progress


def test_throttled_metric_points_reach_the_callback_at_their_own_steps():
    calls = []
    progress = Progress(
        lambda step, total, metrics, samples: calls.append((step, metrics)), 10, interval=3600
    )
    progress.tick(0, {"load_seconds": 1.5}, force=True)
    for step in range(1, 6):
        progress.tick(step, {"loss": float(step)})
    assert len(calls) == 1  # throttled
    progress.tick(6, {"loss": 6.0}, force=True)
    assert calls == [(0, {"load_seconds": 1.5})] + [(s, {"loss": float(s)}) for s in range(1, 7)]


def test_a_report_without_new_points_sends_no_metrics():
    calls = []
    progress = Progress(lambda step, total, metrics, samples: calls.append((step, metrics)), 4)
    progress.tick(2, force=True)
    assert calls == [(2, {})]
