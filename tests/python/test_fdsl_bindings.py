"""The fdsl Python module: the same pixels as the CLI's PNGs, arrays over the C++ buffers (no copy),
batches independent of the thread count, the GIL released while rendering, errors as Python
exceptions, parameters from the declarations, pickling, and memory that stays flat."""
import json
import os
import pickle
import re
import tempfile
import threading
import time

import numpy as np
from PIL import Image

import fdsl
from testkit import check, finish, generate, run_cli

SOURCE = os.environ["FDSL_SOURCE_DIR"]

# One small config per family (and per image kind): gray, RGB, multi-object, searched categories.
CONFIGS = {
    "fractaldb_official": "generator: fractaldb\ncategories: official\nclasses: 3\nsize: 48\npoints: 4000\n"
                          "patch_draws: 2\nflips: 2\nweight_k: 0.2\n",
    "fractaldb_color": "generator: fractaldb\ncategories: official\nclasses: 2\nsize: 40\npoints: 3000\n"
                       "render: color\npatch_draws: 1\nflips: 1\n",
    "fractaldb_search": "generator: fractaldb\ncategories: search\nclasses: 2\nsize: 32\npoints: 2000\n"
                        "fill_size: 64\nfill_points: 2000\nfill_threshold: 0.1\npatch_draws: 1\nflips: 1\n",
    "ifs_sigma": "generator: ifs_sigma\nclasses: 3\ninstances: 5\nsize: 48\npoints: 4000\nseed: 7\n",
    "ifs_sigma_gray": "generator: ifs_sigma\nclasses: 2\ninstances: 4\nsize: 40\npoints: 3000\ncolor: false\n"
                      "background: false\nrender: graded\n",
    "ifs_sigma_multi": "generator: ifs_sigma\nclasses: 4\ninstances: 3\nsize: 48\npoints: 3000\n"
                       "objects_min: 2\nobjects_max: 4\n",
    "one_frac": "generator: one_frac\nclasses: 3\ninstances: 2\nsize: 64\npoints: 6000\n",
    "visual_atom": "generator: visual_atom\nclasses: 3\ninstances: 2\nsize: 64\n",
    "rcdb": "generator: rcdb\nclasses: 3\ninstances: 2\nsize: 64\n",
    "spectral_noise": "generator: spectral_noise\nclasses: 3\ninstances: 2\nsize: 48\n",
    "dead_leaves": "generator: dead_leaves\nclasses: 3\ninstances: 2\nsize: 48\nsigma_min: 1\nsigma_max: 4\n",
    "moire": "generator: moire\nclasses: 3\ninstances: 2\nsize: 48\n",
    "vg_fractal": "generator: vg_fractal\nclasses: 3\ninstances: 2\nsize: 48\npoints: 2000\ncloud_format: npy\n",
}

def raises(exc_type, fn, pattern=None):
    """True if fn() raises exc_type (with `pattern` in its message when given)."""
    try:
        fn()
    except exc_type as e:
        if pattern and not re.search(pattern, str(e)):
            print(f"  message {str(e)!r} lacks {pattern!r}")
            return False
        return True
    except Exception as e:  # noqa: BLE001 - a wrong type is a failure, reported
        print(f"  raised {type(e).__name__}: {e}")
        return False
    print("  raised nothing")
    return False


def scalar(text):
    """A YAML scalar of the test configs as the Python value a user would write in a dict."""
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text, text)


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_same_pixels_as_cli(tmp):
    for name, text in CONFIGS.items():
        out, r = generate(tmp, name, text)
        if r.returncode:
            continue
        cfg = os.path.join(tmp, name + ".yaml")
        gen = fdsl.Generator.from_config(cfg)
        check(len(gen) == gen.num_classes * gen.instances_per_class and len(gen) > 0, f"{name}: len")
        mismatched = []
        for i in range(len(gen)):
            s = gen[i]
            png = np.asarray(Image.open(os.path.join(out, s.name + ".png")))
            if png.shape != s.image.shape or png.dtype != s.image.dtype or not np.array_equal(png, s.image):
                mismatched.append(s.name)
            if (s.category, s.instance) != (i // gen.instances_per_class, i % gen.instances_per_class):
                mismatched.append(f"{s.name}: index {i} -> ({s.category}, {s.instance})")
        check(not mismatched, f"{name}: pixels differ from the CLI's PNGs for {mismatched[:5]}")
        # The dict form and the dataset folder give the same generator.
        as_dict = {k: scalar(v) for k, v in (l.split(": ", 1) for l in text.strip().splitlines())}
        from_dict = fdsl.Generator.from_config(as_dict)
        from_folder = fdsl.Generator.from_config(out)
        last = len(gen) - 1
        check(np.array_equal(from_dict[last].image, gen[last].image), f"{name}: dict config gives the same pixels")
        check(np.array_equal(from_folder[last].image, gen[last].image), f"{name}: dataset folder gives the same pixels")
        # batch: one array, the same pixels, any thread count.
        idx = list(range(len(gen)))[::-1]
        images, labels = gen.batch(idx, threads=1)
        check(images.shape == (len(idx),) + gen[0].image.shape and images.dtype == np.uint8, f"{name}: batch shape")
        check(all(np.array_equal(images[k], gen[i].image) for k, i in enumerate(idx)), f"{name}: batch pixels")
        check(labels.dtype == np.int64 and list(labels) == [gen[i].label for i in idx], f"{name}: batch labels")
        images2, _ = gen.batch(idx, threads=2)
        check(np.array_equal(images, images2), f"{name}: batch with 2 threads equals 1 thread")
        out_buf = np.zeros_like(images)
        ret, _ = gen.batch(idx, out=out_buf)
        check(ret is out_buf and np.array_equal(out_buf, images), f"{name}: batch(out=) fills the given array")
        # channels_first: (N, C, H, W), the same pixels; a fresh generator's first batch too.
        planar = images[:, None] if images.ndim == 3 else images.transpose(0, 3, 1, 2)
        for g, threads in ((fdsl.Generator.from_config(cfg), 1), (gen, 2)):
            cf, cf_labels = g.batch(idx, threads=threads, channels_first=True)
            check(cf.shape == planar.shape and cf.flags.c_contiguous and np.array_equal(cf, planar) and
                  np.array_equal(cf_labels, labels), f"{name}: batch(channels_first=True), {threads} thread(s)")
        if name == "vg_fractal":
            s = gen[1]
            cloud = np.load(os.path.join(out, s.name + ".npy"))
            cam = json.load(open(os.path.join(out, s.name + ".camera.json")))
            check(np.array_equal(s.cloud, cloud), f"{name}: cloud equals the CLI's NPY")
            check(s.meta == cam, f"{name}: meta equals the CLI's camera JSON")
            multi = fdsl.Generator.from_config(cfg, views=3)[1]
            check(len(multi.views) == 3 and multi.image is None, f"{name}: three views as a list")
            check(all(v.shape == (48, 48) and not v.flags.owndata for v in multi.views), f"{name}: views zero-copy")
            check([c["view"] for c in multi.meta["cameras"]] == [0, 1, 2], f"{name}: a camera per view")
        if name == "ifs_sigma_multi":
            multi = [gen[i].labels for i in range(len(gen))]
            check(all(len(l) >= 1 and gen[i].label in l for i, l in enumerate(multi)), f"{name}: multi-labels")


def test_zero_copy():
    gen = fdsl.Generator.from_config({"generator": "ifs_sigma", "classes": 2, "instances": 2, "size": 32,
                                      "points": 2000})
    s = gen[3]
    img = s.image
    check(type(img.base).__name__ == "PyCapsule", f"image base is the capsule owning the C++ buffer, not {img.base!r}")
    check(not img.flags.owndata, "image does not own its data (no copy was made)")
    check(img.flags.c_contiguous and img.flags.writeable, "image is C-contiguous and writeable")
    check(img.shape == (32, 32, 3) and img.dtype == np.uint8, f"image shape {img.shape} {img.dtype}")
    gray = fdsl.Generator.from_config({"generator": "one_frac", "classes": 1, "size": 32, "points": 2000})[0].image
    check(gray.shape == (32, 32) and gray.dtype == np.uint8 and not gray.flags.owndata, "gray image is HxW")
    # The buffer outlives the Sample and the Generator: the capsule owns it.
    del s, gen
    check(int(img.sum()) >= 0 and img.shape == (32, 32, 3), "array usable after its Sample and Generator are gone")
    check(s_meta_is_dict(), "meta is a dict")


def s_meta_is_dict():
    s = fdsl.Generator.from_config({"generator": "ifs_sigma", "classes": 1, "instances": 1, "size": 16,
                                    "points": 100})[0]
    return isinstance(s.meta, dict) and s.cloud is None and isinstance(s.labels, list) and isinstance(s.label, int)


def test_memory_flat():
    gen = fdsl.Generator.from_config({"generator": "ifs_sigma", "classes": 100, "instances": 100, "size": 64,
                                      "points": 500, "background": False, "blur": False})
    check(len(gen) == 10_000, "10^4 samples")
    for i in range(1000):
        gen[i]
    before = rss_mb()
    total = 0
    for i in range(len(gen)):
        total += int(gen[i].image[0, 0, 0])
    for start in range(0, len(gen), 500):
        gen.batch(range(start, start + 500), threads=2)
    grown = rss_mb() - before
    # One leaked 64x64x3 image per sample would be 120 MB; allocator noise stays below a few MB.
    check(grown < 8, f"RSS grew {grown:.1f} MB over 10^4 samples and 10^4 batched samples")


def test_gil_released():
    gen = fdsl.Generator.from_config({"generator": "ifs_sigma", "classes": 10, "instances": 200, "size": 96,
                                      "points": 30000})
    times = {}

    def work():
        t0 = time.perf_counter()
        gen.batch(range(len(gen)), threads=1)
        times["call"] = time.perf_counter() - t0

    t = threading.Thread(target=work)
    gaps = []
    last = time.perf_counter()  # before start(): a worker holding the GIL would block start() itself
    t.start()
    while t.is_alive():
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
    t.join()
    worst = max(gaps) if gaps else float("inf")
    # Holding the GIL would stall this loop for the whole call (a ctypes.PyDLL sleep of 1 s shows
    # a 1 s stall here; the same sleep through ctypes.CDLL, which releases it, about 1 ms).
    check(times["call"] > 0.1, f"the batch ran long enough to tell ({times['call']:.3f} s)")
    check(worst < times["call"] / 2, f"main thread ran during batch(): longest stall {worst:.3f} s of "
                                     f"{times['call']:.3f} s")


def test_errors(tmp):
    base = {"generator": "ifs_sigma", "classes": 2, "instances": 3, "size": 16, "points": 100}
    gen = fdsl.Generator.from_config(base)
    check(raises(ValueError, lambda: fdsl.Generator.from_config({**base, "pointz": 5}), "did you mean 'points'"),
          "unknown key -> ValueError naming the closest key")
    check(raises(ValueError, lambda: fdsl.Generator.from_config(base, points=1), r"keyword argument points=1.*\[2,"),
          "out-of-range keyword -> ValueError naming the keyword and range")
    check(raises(ValueError, lambda: fdsl.Generator.from_config(base, size="big"), "size"), "bad type -> ValueError")
    check(raises(ValueError, lambda: fdsl.Generator.from_config({**base, "generator": "ifs_sigmaa"}),
                 "did you mean 'ifs_sigma'"), "unknown generator -> ValueError")
    check(raises(ValueError, lambda: fdsl.Generator.from_config(os.path.join(tmp, "missing.yaml")), "missing"),
          "missing config file -> ValueError")
    bad = os.path.join(tmp, "bad.yaml")
    with open(bad, "w") as f:
        f.write("generator: ifs_sigma\nsize: 4\n")
    check(raises(ValueError, lambda: fdsl.Generator.from_config(bad), r"bad\.yaml:2"),
          "config error names file and line")
    check(raises(ValueError, lambda: fdsl.Generator.from_config(base, sigma_lo=1.0), "sigma_hi"),
          "generator-level check -> ValueError")
    check(raises(IndexError, lambda: gen[6], "out of range"), "gen[len] -> IndexError")
    check(raises(IndexError, lambda: gen[-7]), "gen[-len-1] -> IndexError")
    check(np.array_equal(gen[-1].image, gen[5].image), "negative index counts from the end")
    check(raises(IndexError, lambda: gen.sample(2, 0), "category 2"), "sample(bad category) -> IndexError")
    check(raises(IndexError, lambda: gen.sample(0, 3), "instance 3"), "sample(bad instance) -> IndexError")
    check(raises(IndexError, lambda: gen.batch([0, 6])), "batch with a bad index -> IndexError")
    check(raises(ValueError, lambda: gen.batch([])), "empty batch -> ValueError")
    check(raises(ValueError, lambda: gen.batch([0], out=np.zeros((1, 16, 16), np.uint8)), r"\(1, 16, 16, 3\)"),
          "batch(out=) of the wrong shape -> ValueError naming the shape")
    check(raises(ValueError, lambda: gen.batch([0], threads=-1)), "negative threads -> ValueError")
    check(raises(ValueError, lambda: gen.batch([0], out=np.zeros((1, 16, 16, 3), np.uint8), channels_first=True),
                 r"\(1, 3, 16, 16\)"), "batch(out=, channels_first=True) of the wrong layout -> ValueError naming it")
    check(raises(TypeError, lambda: fdsl.Generator.from_config(42)), "config of the wrong type -> TypeError")
    check(raises(RuntimeError, lambda: gen.save_categories("/proc/version/sub"), "cannot"),
          "I/O failure -> RuntimeError")
    check(raises(ValueError, lambda: fdsl.params("nope"), "available"), "params(unknown) -> ValueError")
    list(gen)  # iteration stops at IndexError
    check(len(list(gen)) == 6, "iterating a Generator yields every sample")


def test_params_match_declarations():
    r = run_cli(["list"])
    check(r.returncode == 0, "fdsl list runs")
    sections, current = {}, None
    for line in r.stdout.splitlines():
        if line.startswith("dataset keys"):
            current = sections.setdefault(None, [])
        elif line.startswith("generator: "):
            current = sections.setdefault(line.split()[1], [])
        elif line.startswith("  ") and current is not None:
            current.append(line.split()[0])
    names = [g["name"] for g in fdsl.list_generators()]
    check(set(names) == {k for k in sections if k}, f"list_generators {names} == fdsl list {list(sections)}")
    for g in [None] + names:
        declared = fdsl.params(g)
        check([p.name for p in declared] == sections.get(g), f"params({g}) names match `fdsl list`")
        for p in declared:
            if p.type == "enum" and p.default not in p.choices:
                check(False, f"{g}.{p.name}: default {p.default} not among choices")
    points = {p.name: p for p in fdsl.params("ifs_sigma")}["points"]
    check(points.type == "int" and points.default == 100000 and points.min == 2 and points.help,
          f"ifs_sigma points declared as int 100000 [2, ...]: {points!r}")
    # The declared defaults are what a config without the key resolves to.
    gen = fdsl.Generator.from_config({"generator": "ifs_sigma", "classes": 1, "instances": 1})
    resolved = gen.config
    for p in fdsl.params() + fdsl.params("ifs_sigma"):
        if p.name not in ("generator", "classes", "instances"):
            check(resolved[p.name] == p.default, f"default of {p.name}: declared {p.default!r}, resolved "
                                                 f"{resolved[p.name]!r}")


def test_pickle():
    gen = fdsl.Generator.from_config(os.path.join(SOURCE, "configs", "quickstart.yaml"), size=40, points=3000)
    back = pickle.loads(pickle.dumps(gen))
    check(len(back) == len(gen) and back.config == gen.config, "pickled Generator keeps its config")
    check(np.array_equal(back[123].image, gen[123].image), "pickled Generator makes the same pixels")
    check("size: 40" in gen.yaml, "yaml holds the resolved config")


with tempfile.TemporaryDirectory() as tmp:
    test_same_pixels_as_cli(tmp)
    test_zero_copy()
    test_memory_flat()
    test_gil_released()
    test_errors(tmp)
    test_params_match_declarations()
    test_pickle()

finish()
