"""A progress bar for the terminal, with no dependency."""

import sys
import time


class ProgressBar:
    """``bar(done, total, message)`` redraws one line on stderr, at most ten times a second."""

    def __init__(self, label: str, stream=None):
        self.label = label
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self._last = 0.0

    def __call__(self, done: int, total: int, message: str = "") -> None:
        now = time.monotonic()
        if now - self._last < 0.1 and done < total:
            return
        self._last = now
        fraction = done / total if total else 0
        width = 30
        filled = int(width * fraction)
        rate = done / max(now - self.started, 1e-6)
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] "
            f"{fraction:6.1%} {done}/{total} {rate:,.0f}/s {message}"
        )
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
