"""Reference timing for the contour benchmarks: the official VisualAtom and RCDB procedure, as
tests/python/test_compat_contours.py re-states it (Python `random`, noise.pnoise1, Pillow), on
one core. Prints CPU milliseconds per 512x512 image, rendering alone and with the PNG save the
official scripts do. Run with /usr/bin/python3 bench/contour_reference.py [workers].
"""
import io
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "python"))
import test_compat_contours as oracle  # noqa: E402


def measure(worker_fn, name, workers):
    oracle.CLASSES = workers
    oracle.WORKERS = workers
    oracle.INSTANCES = 2
    t0 = time.process_time()
    images = {}
    for t in range(workers):
        images.update(worker_fn(t)[0])
    render = (time.process_time() - t0) / len(images)
    from PIL import Image
    t0 = time.process_time()
    for arr in images.values():
        Image.fromarray(arr).save(io.BytesIO(), format="PNG")
    png = (time.process_time() - t0) / len(images)
    print("%s: %d images, %.1f ms CPU per image to render, %.1f ms with the PNG save"
          % (name, len(images), render * 1e3, (render + png) * 1e3))


if __name__ == "__main__":
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    measure(oracle.visual_atom_worker, "VisualAtom (official procedure)", workers)
    measure(oracle.rcdb_worker, "RCDB (official procedure)", workers)
