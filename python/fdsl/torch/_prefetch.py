"""Render threads in the training process: batches made ahead on C++ threads, in order."""
import atexit
import queue
import threading
import weakref

class _Prefetcher:
    """Computes make(part) for each part in order on a background thread, up to `depth` results
    ahead (Generator.batch releases the GIL, so rendering overlaps the consumer). close() stops
    the thread and waits for it; every prefetcher still running when the interpreter exits is
    closed then (atexit), since a thread still inside Generator.batch at that point would be
    killed while it takes the GIL back, which aborts the process."""

    _DONE = object()

    def __init__(self, make, parts, depth):
        self._results = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, args=(make, parts), name="fdsl-prefetch", daemon=True)
        _LIVE_PREFETCHERS.add(self)
        self._thread.start()

    def _work(self, make, parts):
        try:
            for part in parts:
                if self._stop.is_set():
                    return
                self._results.put((make(part), None))
        except BaseException as e:  # handed to the consumer, raised there
            self._results.put((None, e))
            return
        self._results.put((self._DONE, None))

    def __iter__(self):
        try:
            while True:
                value, error = self._results.get()
                if error is not None:
                    raise error
                if value is self._DONE:
                    return
                yield value
        finally:
            self.close()

    def close(self):
        self._stop.set()
        while self._thread.is_alive():  # unblock a put() waiting on a full queue
            try:
                self._results.get_nowait()
            except queue.Empty:
                pass
            self._thread.join(timeout=0.01)
        _LIVE_PREFETCHERS.discard(self)


_LIVE_PREFETCHERS = weakref.WeakSet()


@atexit.register
def _close_prefetchers():
    for p in list(_LIVE_PREFETCHERS):
        p.close()


def _prefetched(make, parts, depth):
    """Yields make(part) for each part in order, computed up to `depth` parts ahead on a background
    thread. An exception in make() is raised at its place in the sequence; closing the generator
    early stops the thread."""
    yield from _Prefetcher(make, parts, depth)


