"""fdsl: formula-driven supervised learning datasets, generated in memory.

    >>> import fdsl
    >>> gen = fdsl.Generator.from_config("configs/ifs-sigma.yaml", size=64)
    >>> s = gen[0]                     # fdsl.Sample: s.image is a 64x64x3 uint8 array, s.label an int
    >>> images, labels = gen.batch(range(32))   # (32, 64, 64, 3) uint8, (32,) int64

Every sample is a pure function of (config, index): the pixels are those `fdsl generate` writes as
PNG for the same config. Parameters are the ones `fdsl list` prints: see fdsl.params(name).
PyTorch datasets live in fdsl.torch (imported on demand, so `import fdsl` does not need torch).
"""
import os as _os

# An installed package finds the shipped FractalDB categories inside itself (a wheel: fdsl/share/
# fdsl/data) or under <prefix>/share/fdsl/data (`cmake --install`); the build tree knows its source
# folder; an explicit FDSL_DATA_DIR wins.
if "FDSL_DATA_DIR" not in _os.environ:
    _here = _os.path.dirname(_os.path.abspath(__file__))
    for _data in (_os.path.join(_here, "share", "fdsl", "data"),
                  _os.path.normpath(_os.path.join(_here, "..", "..", "..", "..", "share", "fdsl", "data"))):
        if _os.path.isdir(_os.path.join(_data, "fractaldb")):
            _os.environ["FDSL_DATA_DIR"] = _data
            break

from ._fdsl import (BufferPool, Generator, ParamSpec, Sample, SharedSlots, __version__,  # noqa: E402
                    dataset_stats, list_generators, params, stats_text)

__all__ = ["BufferPool", "Generator", "ParamSpec", "Sample", "SharedSlots", "dataset_stats", "list_generators",
           "params", "stats_text", "__version__"]
