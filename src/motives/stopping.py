"""Signals during a guarded command: an exception in the main thread, never lost on the way.

The guard (:func:`motives.terminal.guarded`) installs these handlers. A signal is raised as an
exception where the main thread happens to be, so that every ``finally`` runs; two places can
keep that exception from reaching the guard, and both are handled here:

- a library wraps it (pydantic turns an exception raised while it builds a validator into a
  ``SchemaError``): :data:`SIGNALLED` records every signal, and the guard exits as the signal;
- Python cannot raise it, because the main thread was running a weakref callback, a ``__del__``
  or a garbage-collector callback: Python prints "Exception ignored in ..." with a traceback and
  carries on as if no signal had come. :func:`unraisable_hook` swallows that print for our own
  exceptions and sends the signal again, so that its handler raises in the program, at its next
  call or return outside the callback.
"""

from __future__ import annotations

import _thread
import signal
import sys
from collections.abc import Callable
from typing import Any

#: signals a guarded command got, oldest first (cleared when a guarded command starts)
SIGNALLED: list[int] = []


class Terminated(BaseException):
    """SIGTERM or SIGHUP, raised in the main thread.

    Raised there so that every ``finally`` (temporary folders) runs.
    """


def raise_terminated(signum: int, frame: Any) -> None:
    """The handler of SIGTERM and SIGHUP."""
    SIGNALLED.append(signum)
    raise Terminated(signum)


def raise_interrupt(signum: int, frame: Any) -> None:
    """The handler of SIGINT."""
    SIGNALLED.append(signum)
    raise KeyboardInterrupt


HANDLERS: tuple[tuple[signal.Signals, Callable[[int, Any], None]], ...] = (
    (signal.SIGTERM, raise_terminated),
    (signal.SIGHUP, raise_terminated),
    (signal.SIGINT, raise_interrupt),
)


def unraisable_hook(previous: Callable[[Any], Any]) -> Callable[[Any], None]:
    """A ``sys.unraisablehook`` that sends a swallowed signal again; others go to ``previous``.

    Sent again from a profile function at the first Python call or return after the hook's own:
    ``_thread.interrupt_main`` or ``signal.raise_signal`` in the hook itself would run the handler
    at once, inside the hook, where its exception is again one Python cannot raise. If that first
    event is inside another callback, the hook sees the exception again and waits once more.
    """

    def hook(unraisable: Any) -> None:
        if not (SIGNALLED and isinstance(unraisable.exc_value, KeyboardInterrupt | Terminated)):
            previous(unraisable)
            return
        hook_frame, profiler = sys._getframe(), sys.getprofile()

        def send_again(frame: Any, event: str, arg: Any) -> None:
            if frame is hook_frame:  # the hook returning: still inside the callback
                return
            sys.setprofile(profiler)
            # the handler raises here, in the program
            _thread.interrupt_main(signal.Signals(SIGNALLED[-1]))

        sys.setprofile(send_again)

    return hook


def stopped_by_interrupt() -> bool:
    """Whether the last signal was Ctrl-C (SIGINT) rather than SIGTERM or SIGHUP."""
    return bool(SIGNALLED) and SIGNALLED[-1] == signal.SIGINT


__all__ = ["HANDLERS", "SIGNALLED", "Terminated", "stopped_by_interrupt", "unraisable_hook"]
