"""Progress of a batch: done / failed / remaining, as a tqdm bar or a callback."""

from __future__ import annotations

from collections.abc import Callable


class Progress:
    """Counts records as they arrive and shows them.

    ``show``: ``False`` (nothing), ``True`` (a tqdm bar on stderr; tqdm is part of the
    ``batch`` extra) or a callable ``show(done, failed, remaining)`` called after each
    record (``done`` counts failed scenarios too). ``done`` and ``failed`` start at
    the counts already recorded (a resumed run).
    """

    def __init__(self, show: bool | Callable, total: int, done: int = 0, failed: int = 0):
        self.total, self.done, self.failed = total, done, failed
        self._callback = show if callable(show) else None
        self._bar = None
        if show is True:
            try:
                from tqdm.auto import tqdm
            except ImportError as e:
                raise ImportError(
                    "asd.batch shows progress with tqdm, which is not installed; install "
                    'the batch extra: pip install "asd[batch]" (or pip install tqdm), or '
                    "pass progress=False"
                ) from e
            self._bar = tqdm(total=total, initial=done, unit="scenario", dynamic_ncols=True)
            self._bar.set_postfix(self._postfix(), refresh=False)
        elif show is not False and self._callback is None:
            raise TypeError(f"progress must be True, False or a callable, not {show!r}")

    @property
    def remaining(self) -> int:
        return self.total - self.done

    def _postfix(self) -> dict:
        return {"failed": self.failed, "remaining": self.remaining}

    def record(self, success: bool) -> None:
        """One more scenario recorded."""
        self.done += 1
        self.failed += not success
        if self._bar is not None:
            self._bar.set_postfix(self._postfix(), refresh=False)
            self._bar.update(1)
        if self._callback is not None:
            self._callback(self.done, self.failed, self.remaining)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
