"""Running the same work in several threads at once, each with its own database connection."""

import threading
from collections.abc import Callable, Iterable

from django.db import connection


def all_at_once(work: Callable[[object], None], arguments: Iterable, timeout: float = 60) -> None:
    """Call `work(argument)` for each argument, in one thread each, released together.

    The threads wait on a barrier just before calling `work`, so the calls really overlap;
    each closes its database connection when done.
    """
    arguments = list(arguments)
    barrier = threading.Barrier(len(arguments))

    def run(argument) -> None:
        try:
            barrier.wait(timeout=10)
            work(argument)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
