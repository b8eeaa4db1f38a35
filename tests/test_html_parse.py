"""html/parse.py: the per-document time limit, in the main process and in workers."""

from __future__ import annotations

import multiprocessing as mp
import signal
import time

import pytest

from cleaner.html import parse


def _sleep_under_limit(seconds: float) -> str:
    try:
        with parse.time_limit(seconds):
            time.sleep(60)
    except parse.DocumentTimeout as exc:
        return str(exc)
    return "not interrupted"


def test_time_limit_works_in_a_worker_process():
    with mp.get_context("fork").Pool(1) as pool:
        message = pool.apply(_sleep_under_limit, (0.2,))
    assert "time limit of 0.2 s" in message


def test_time_limit_survives_a_library_that_swallows_exceptions():
    started = time.monotonic()
    with pytest.raises(parse.DocumentTimeout):
        with parse.time_limit(0.2):
            for _ in range(100):
                try:
                    time.sleep(0.05)
                except Exception:  # noqa: BLE001 - what a careless library does
                    pass
    assert time.monotonic() - started < 2


def _stuck_in_c(seconds: float) -> str:
    """A page whose alarm never arrives, as when C code holds on: here SIGALRM is simply blocked."""
    parse.HARD_GRACE = 0.3
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    with parse.time_limit(seconds):
        time.sleep(30)
    return "not ended"


def test_a_worker_stuck_past_the_limit_is_ended():
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    started = time.monotonic()
    with ProcessPoolExecutor(1, mp_context=mp.get_context("fork")) as pool:
        with pytest.raises(BrokenProcessPool):
            pool.submit(_stuck_in_c, 0.2).result()
    assert time.monotonic() - started < 10
