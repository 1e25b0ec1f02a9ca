"""fdsl.torch with real DataLoaders: every index once per epoch with 2 workers, identical batches on
a rerun, fork without a thread pool, spawn through pickling, ranks x workers splitting with equal
counts per rank, epoch resampling, transforms, multi-hot targets, no copies and flat memory."""
import json
import os
import pickle
import subprocess
import sys
import time

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, default_collate

import fdsl
from fdsl.torch import FractalDataset, FractalIterableDataset, collate, rank_and_world_size
from testkit import check, finish

SOURCE = os.environ["FDSL_SOURCE_DIR"]
SMALL = {"generator": "ifs_sigma", "classes": 6, "instances": 7, "size": 24, "points": 2000, "seed": 3}


def lookup(gen):
    """image bytes -> flat index, so a batch tells which samples it holds."""
    table = {gen[i].image.tobytes(): i for i in range(len(gen))}
    check(len(table) == len(gen), "test data: every image differs")
    return table


def indices_of(images, table):
    """Flat indices of a batch of CxHxW (or HxWxC numpy) images."""
    out = []
    for img in images:
        arr = img.permute(1, 2, 0).contiguous().numpy() if isinstance(img, torch.Tensor) else img
        out.append(table.get(arr.tobytes(), -1))
    return out


def epoch_of(loader, table):
    batches, seen = [], []
    for images, labels in loader:
        idx = indices_of(images, table)
        seen += idx
        batches.append((images.clone(), labels.clone()))
        check(all(i >= 0 and int(l) == i // SMALL["instances"] for i, l in zip(idx, labels)),
              "every image is a sample of the dataset, with its label")
    return batches, seen


def same_batches(a, b):
    return len(a) == len(b) and all(torch.equal(x[0], y[0]) and torch.equal(x[1], y[1]) for x, y in zip(a, b))


# The control of the fork test, in a process of its own: a generator rendering on a pool of 2
# leaves the pool's worker behind, so new thread ids show. TBB starts that worker on its own (on a
# busy machine the batch may finish first), so it renders until one shows, with a deadline rather
# than a sleep. A fresh process, because what ran before in this one (the pool of an earlier
# generator, threads of torch's own coming and going) is not the control's business.
CONTROL = r"""
import json, os, sys, time
import torch, fdsl
tids = set(os.listdir("/proc/self/task"))
gen = fdsl.Generator.from_config(json.loads(sys.argv[1]), threads=2)
deadline, rounds, new = time.monotonic() + 60, 0, set()
while not new and time.monotonic() < deadline:
    gen.batch(range(len(gen)), threads=2)
    rounds += 1
    new = set(os.listdir("/proc/self/task")) - tids
print(json.dumps({"new": len(new), "rounds": rounds, "cpus": len(os.sched_getaffinity(0)),
                  "threads": len(os.listdir("/proc/self/task"))}))
"""


def pool_control():
    """(a pool of 2 showed its thread, what the control saw)"""
    r = subprocess.run([sys.executable, "-c", CONTROL, json.dumps(SMALL)], capture_output=True, text=True,
                       timeout=300, cwd=os.path.dirname(os.path.abspath(__file__)))
    if r.returncode != 0:
        return False, f"exit {r.returncode}: {r.stderr[-2000:]}"
    seen = json.loads(r.stdout.strip().splitlines()[-1])
    return seen["new"] > 0 or seen["cpus"] < 2, seen


def test_map_style_with_workers():
    # Thread ids, not counts: a thread of torch's own that ends meanwhile (seen under the newest
    # torch on a busy machine) would hide a new one in a count.
    before = set(os.listdir("/proc/self/task"))
    ds = FractalDataset(SMALL)
    n = len(ds)
    first = ds[0]
    started = set(os.listdir("/proc/self/task")) - before
    check(not started, f"no thread pool before the workers fork ({len(started)} new threads)")
    shows, seen = pool_control()
    check(shows, f"a pool of 2 does start a thread (control): {seen}")
    if shows and isinstance(seen, dict) and seen["new"] == 0:
        print(f"control: this process may run on {seen['cpus']} CPU, so no pool of 2 can show here")
    check(n == 42 and isinstance(first[1], int), "len and an int label")
    check(first[0].shape == (3, 24, 24) and first[0].dtype == torch.uint8, f"CxHxW uint8: {first[0].shape}")
    table = lookup(ds.generator)

    def run(seed, context=None):
        torch.manual_seed(seed)
        loader = DataLoader(ds, batch_size=5, shuffle=True, num_workers=2, multiprocessing_context=context)
        return epoch_of(loader, table)

    a, seen_a = run(0)
    check(sorted(seen_a) == list(range(n)), f"fork, 2 workers: every index exactly once ({len(seen_a)} seen)")
    check(seen_a != list(range(n)), "shuffle=True changes the order")
    b, _ = run(0)
    check(same_batches(a, b), "a rerun with the same seed gives identical batches")
    c, seen_c = run(1)
    check(sorted(seen_c) == list(range(n)) and not same_batches(a, c), "another seed: another order, same set")
    s, seen_s = run(0, "spawn")
    check(same_batches(a, s), "spawn-started workers (the dataset pickled) give the same batches as fork")
    check(sorted(seen_s) == list(range(n)), "spawn: every index exactly once")


def test_pickling():
    ds = FractalDataset(os.path.join(SOURCE, "configs", "ifs-sigma.yaml"), size=24, points=1000, classes=4,
                        instances=3, transform=None)
    expected = ds[5][0]
    blob = pickle.dumps(ds)
    check(len(blob) < 4096, f"the pickle holds the config, not the generator ({len(blob)} bytes)")
    back = pickle.loads(blob)
    check(back.source._gen is None, "the unpickled dataset builds its generator lazily")
    check(torch.equal(back[5][0], expected) and back.source._gen is not None, "and then gives the same image")
    check(os.path.isabs(back.source.config), "a config path is pickled absolute")
    gen = fdsl.Generator.from_config(SMALL)
    from_gen = FractalDataset(gen)
    check(from_gen.generator is gen, "a Generator given as config is used as it is")
    back = pickle.loads(pickle.dumps(from_gen))
    check(torch.equal(back[11][0], from_gen[11][0]), "a dataset made from a Generator pickles as its config")


def test_zero_copy_tensor():
    ds = FractalDataset(SMALL, image_format="numpy")
    arr = ds[4][0]
    check(isinstance(arr, np.ndarray) and arr.shape == (24, 24, 3), "image_format='numpy' gives HxWx3")
    from fdsl.torch._sources import _convert_image
    t = _convert_image(arr, "tensor")
    check(t.data_ptr() == arr.ctypes.data, "the tensor is a view of the generator's buffer")
    pil = FractalDataset(SMALL, image_format="pil")[4][0]
    check(np.array_equal(np.asarray(pil), arr), "image_format='pil' holds the same pixels")


def test_transform_and_targets():
    ds = FractalDataset(SMALL, transform=lambda x: x.float() / 255, target_transform=lambda y: y + 100)
    x, y = ds[8]
    check(x.dtype == torch.float32 and float(x.max()) <= 1.0 and y == 101, "transform and target_transform apply")
    multi = {"generator": "ifs_sigma", "classes": 5, "instances": 4, "size": 32, "points": 1500,
             "objects_min": 2, "objects_max": 4}
    ds = FractalDataset(multi, target="multi_hot")
    gen = ds.generator
    ok = True
    for i in range(len(ds)):
        hot = ds[i][1]
        ok &= hot.shape == (5,) and set(torch.nonzero(hot).flatten().tolist()) == set(gen[i].labels)
    check(ok and any(len(gen[i].labels) > 1 for i in range(len(gen))), "multi_hot targets are the sample's labels")
    try:
        FractalDataset(SMALL, target="nope")
        check(False, "a bad target raises")
    except ValueError as e:
        check("multi_hot" in str(e), "a bad target raises ValueError naming the choices")
    try:
        len(FractalDataset(SMALL, pointz=3))
        check(False, "a bad keyword raises")
    except ValueError as e:
        check("did you mean 'points'" in str(e), "a bad keyword raises ValueError from the declarations")


def test_epoch_resampling():
    ds = FractalDataset(SMALL, resample_epochs=3)
    check(len(ds) == 42, "resampling keeps the epoch length")
    e0 = [ds[i] for i in range(len(ds))]
    ds.set_epoch(1)
    e1 = [ds[i] for i in range(len(ds))]
    ds.set_epoch(3)
    e3 = [ds[i] for i in range(len(ds))]
    check(all(a[1] == b[1] for a, b in zip(e0, e1)), "labels stay those of the index")
    check(all(not torch.equal(a[0], b[0]) for a, b in zip(e0, e1)), "epoch 1 draws fresh instances")
    check(all(torch.equal(a[0], b[0]) for a, b in zip(e0, e3)), "after resample_epochs epochs the draws repeat")
    gen = ds.generator
    check(torch.equal(e1[9][0], torch.from_numpy(gen.sample(1, 7 + 2).image).permute(2, 0, 1)),
          "epoch 1, index 9 is instance 7 + 2 of class 1")
    # Workers see the epoch set before the iterator starts.
    ds.set_epoch(1)
    got = torch.cat([x for x, _ in DataLoader(ds, batch_size=7, num_workers=2)])
    check(torch.equal(got, torch.stack([x for x, _ in e1])), "DataLoader workers read the epoch set")
    try:
        len(FractalDataset({"generator": "fractaldb", "categories": "official", "classes": 2, "size": 32,
                            "points": 500}, resample_epochs=2))
        check(False, "fractaldb refuses resampling")
    except ValueError as e:
        check("resample_epochs=2" in str(e) and "instances" in str(e), f"fractaldb refuses resampling: {e}")


def collect_rank(ds_kwargs, table, rank, world, workers, batch_size=None):
    ds = FractalIterableDataset(SMALL, rank=rank, world_size=world, batch_size=batch_size, **ds_kwargs)
    loader = DataLoader(ds, batch_size=None if batch_size else 4, num_workers=workers)
    seen = []
    for images, labels in loader:
        idx = indices_of(images, table)
        check(all(int(l) == i // SMALL["instances"] for i, l in zip(idx, labels)), "iterable: labels match")
        seen += idx
    return seen, len(ds)


def test_iterable_split():
    table = lookup(fdsl.Generator.from_config(SMALL))
    n = len(table)
    for world in (1, 2, 4, 5):
        for drop_last in (False, True):
            per_rank = n // world if drop_last else -(-n // world)
            parts = []
            for rank in range(world):
                seen, length = collect_rank({"shuffle": True, "seed": 5, "drop_last": drop_last}, table, rank,
                                            world, workers=2)
                check(len(seen) == per_rank == length, f"world {world}, rank {rank}: {len(seen)} samples, "
                                                       f"expected {per_rank} (len {length})")
                parts.append(seen)
            flat = [i for p in parts for i in p]
            if drop_last:
                check(len(set(flat)) == len(flat) == per_rank * world, f"world {world}, drop_last: no repeats")
            else:
                check(set(flat) == set(range(n)), f"world {world}: every index read by some rank")
                check(len(flat) - len(set(flat)) == per_rank * world - n, f"world {world}: only the padding repeats")
    # Batched mode yields the same samples, rendered with Generator.batch.
    plain, _ = collect_rank({"shuffle": True, "seed": 5}, table, 1, 2, workers=2)
    batched, _ = collect_rank({"shuffle": True, "seed": 5}, table, 1, 2, workers=2, batch_size=3)
    check(sorted(plain) == sorted(batched), "batch_size mode reads the same samples")
    # The same order on a rerun, another one in the next epoch.
    ds = FractalIterableDataset(SMALL, shuffle=True, seed=5, rank=0, world_size=2)
    first = list(ds.rank_indices())
    check(first == list(FractalIterableDataset(SMALL, shuffle=True, seed=5, rank=0, world_size=2).rank_indices()),
          "the same order on a rerun")
    ds.set_epoch(1)
    check(list(ds.rank_indices()) != first, "set_epoch reshuffles")
    # RANK / WORLD_SIZE from the environment (what torchrun sets).
    os.environ["RANK"], os.environ["WORLD_SIZE"] = "2", "3"
    try:
        env_ds = FractalIterableDataset(SMALL, shuffle=True, seed=5)
        explicit = FractalIterableDataset(SMALL, shuffle=True, seed=5, rank=2, world_size=3)
        check(rank_and_world_size() == (2, 3), "RANK and WORLD_SIZE are read")
        check(list(env_ds.rank_indices()) == list(explicit.rank_indices()) and len(env_ds) == 14,
              "the environment's rank picks the rank's share")
        seen = [i for x, _ in DataLoader(env_ds, batch_size=4, num_workers=2) for i in indices_of(x, table)]
        check(sorted(seen) == sorted(explicit.rank_indices().tolist()), "workers of the rank read its share")
        os.environ["RANK"] = "3"
        try:
            rank_and_world_size()
            check(False, "RANK >= WORLD_SIZE raises")
        except ValueError:
            check(True, "RANK >= WORLD_SIZE raises")
    finally:
        del os.environ["RANK"], os.environ["WORLD_SIZE"]


def test_threaded_prefetch():
    """render_threads and prefetch change where batches are made, not what they hold; closing the
    iterator early stops the background thread; bad settings are refused."""
    import threading
    plain = FractalIterableDataset(SMALL, batch_size=5, shuffle=True, seed=4)
    fast = FractalIterableDataset(SMALL, batch_size=5, shuffle=True, seed=4, render_threads=2, prefetch=2)
    a = list(DataLoader(plain, batch_size=None, num_workers=0))
    b = list(DataLoader(fast, batch_size=None, num_workers=0))
    check(len(a) == len(b) == 9 and same_batches(a, b), "threaded, prefetched batches equal plain ones")
    it = iter(DataLoader(fast, batch_size=None, num_workers=0))
    next(it)
    del it
    alive = [t for t in threading.enumerate() if t.name == "fdsl-prefetch"]
    check(not alive, f"closing the loader stops the prefetch thread ({alive})")
    for bad in ({"render_threads": 0}, {"prefetch": -1}):
        try:
            FractalIterableDataset(SMALL, batch_size=4, **bad)
            check(False, f"{bad} refused")
        except ValueError:
            check(True, "")
    try:
        FractalIterableDataset(SMALL, prefetch=2)
        check(False, "prefetch without batch_size refused")
    except ValueError as e:
        check("batch_size" in str(e), f"prefetch without batch_size: {e}")


def test_buffer_pool():
    """fdsl.BufferPool reuses a buffer only once nothing refers to its array (a tensor from
    from_numpy included), and the threaded loader's batches come from its pool."""
    import gc
    pool = fdsl.BufferPool(max_free=2)
    a = pool.array((3, 4, 5))
    check(a.shape == (3, 4, 5) and a.dtype == np.uint8 and a.flags.c_contiguous and a.flags.writeable,
          f"pooled array {a.shape} {a.dtype}")
    ptr = a.ctypes.data
    t = torch.from_numpy(a)
    del a
    b = pool.array((3, 4, 5))
    check(b.ctypes.data != ptr, "a buffer a tensor still uses is not handed out again")
    b[...] = 0
    t[...] = 7
    check(not b.any() and t.data_ptr() == ptr, "the tensor and the new array do not share memory")
    del t
    gc.collect()
    c = pool.array((3, 4, 5))
    check(c.ctypes.data == ptr and pool.reused == 1 and pool.allocated == 2, f"freed buffer reused "
          f"(allocated {pool.allocated}, reused {pool.reused})")
    d = pool.array((2, 2))
    check(d.ctypes.data != ptr and pool.allocated == 3, "another size gets its own buffer")
    del b, c, d
    gc.collect()
    check(len(pool) == 2, f"at most max_free buffers kept ({len(pool)})")
    try:
        fdsl.BufferPool(max_free=-1)
        check(False, "negative max_free refused")
    except ValueError:
        check(True, "")

    ds = FractalIterableDataset(SMALL, batch_size=5, render_threads=2, prefetch=1)
    seen = []
    for x, _ in DataLoader(ds, batch_size=None, num_workers=0):
        seen.append(x.data_ptr())
        del x
    reused = ds.stats()["pool"]["reused"]
    check(reused > 0 and len(set(seen)) < len(seen),
          f"threaded batches reuse pooled buffers ({len(set(seen))} distinct of {len(seen)}, reused {reused})")
    pickle.loads(pickle.dumps(ds))  # the pool stays behind


def test_exit_while_prefetching():
    """A script that leaves a threaded loader mid-epoch and exits must exit cleanly: the prefetch
    thread is stopped at exit, not killed inside Generator.batch (which aborted the process with
    'terminate called without an active exception')."""
    import subprocess
    import sys
    script = (
        "from torch.utils.data import DataLoader\n"
        "from fdsl.torch import FractalIterableDataset\n"
        "ds = FractalIterableDataset({'generator': 'ifs_sigma', 'classes': 20, 'instances': 20, 'size': 224},\n"
        "                            batch_size=32, render_threads=2, prefetch=2)\n"
        "it = iter(DataLoader(ds, batch_size=None, num_workers=0))\n"
        "x, y = next(it)\n"
        "print('first batch', tuple(x.shape))\n")  # exits with `it` alive, the next batches rendering
    for attempt in range(3):
        r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                           env=dict(os.environ))
        check(r.returncode == 0 and "first batch (32, 3, 224, 224)" in r.stdout and "terminate" not in r.stderr,
              f"exit {attempt} while prefetching: rc {r.returncode}, {r.stdout!r}, {r.stderr[-400:]!r}")


def test_clouds_and_pairs():
    """Point-cloud families give (N, 3) float32 clouds; aligned samples a dict of image, cloud and
    cameras that the default collate stacks, equal to the generator's own arrays."""
    clouds = FractalDataset({"generator": "pc_fractal", "classes": 3, "instances": 4, "points": 300})
    x, y = clouds[6]
    s = clouds.generator.sample(1, 2)
    check(x.dtype == torch.float32 and tuple(x.shape) == (300, 3) and np.array_equal(x.numpy(), s.cloud) and y == 1,
          f"cloud item {tuple(x.shape)} {x.dtype}, label {y}")
    pairs = FractalDataset({"generator": "vg_fractal", "classes": 3, "instances": 4, "size": 32, "points": 400,
                            "cloud_format": "npy"})
    x, y = pairs[5]
    s = pairs.generator.sample(1, 1)
    check(sorted(x) == ["K", "cloud", "image", "world_to_camera"], f"pair keys {sorted(x)}")
    check(np.array_equal(x["image"][0].numpy(), s.image) and np.array_equal(x["cloud"].numpy(), s.cloud),
          "pair image and cloud are the sample's")
    check(np.array_equal(x["K"].numpy(), np.array(s.meta["cameras"][0]["K"])) and
          tuple(x["world_to_camera"].shape) == (4, 4), "pair camera matrices")
    batch, labels = next(iter(DataLoader(pairs, batch_size=4, num_workers=2)))
    check(tuple(batch["image"].shape) == (4, 1, 32, 32) and tuple(batch["cloud"].shape) == (4, 400, 3) and
          tuple(batch["K"].shape) == (4, 3, 3) and labels.tolist() == [0, 0, 0, 0], "pairs collate through workers")
    views = FractalDataset({"generator": "vg_fractal", "classes": 2, "instances": 2, "size": 32, "points": 400,
                            "views": 3, "write_cloud": False})
    x, _ = views[0]
    check(tuple(x["image"].shape) == (3, 1, 32, 32) and tuple(x["K"].shape) == (3, 3, 3) and "cloud" not in x,
          f"multi-view item: {({k: tuple(v.shape) for k, v in x.items()})}")


class PerSample(Dataset):
    """A dataset read one sample at a time (no __getitems__): the reference for batched reads."""

    def __init__(self, ds):
        self.ds = ds

    def __len__(self):
        return len(self.ds)

    def __getitem__(self, i):
        return self.ds[i]


def test_map_style_batches():
    """With a batch sampler FractalDataset renders a batch's images in one call: every collate_fn
    gets the pairs it would get sample by sample; fdsl.torch.collate and torch's default_collate
    take the contiguous batch tensor as it is (no copy; from workers in shared slots, fork and
    spawn); regrouped pairs and other samples go one by one."""
    table = lookup(fdsl.Generator.from_config(SMALL))

    def epoch(ds, **kw):
        torch.manual_seed(5)
        return [(x.clone(), y.clone()) for x, y in DataLoader(ds, batch_size=5, shuffle=True, **kw)]

    ref = epoch(PerSample(FractalDataset(SMALL)))
    check(len(ref) == 9 and sorted(sum((indices_of(x, table) for x, _ in ref), [])) == list(range(42)),
          "reference: 9 batches, every index once")
    ds = FractalDataset(SMALL)
    pairs = ds.__getitems__([3, 40, 1])
    check(len(pairs) == 3 and all(torch.equal(a[0], ds[i][0]) and a[1] == ds[i][1] for a, i in zip(pairs, (3, 40, 1))),
          "__getitems__ gives the pairs of ds[i]")
    check(same_batches(epoch(ds), ref), "default collate, no workers: the same batches")
    torch.manual_seed(5)
    x, y = next(iter(DataLoader(ds, batch_size=5, shuffle=True)))
    check(type(x) is torch.Tensor and x.is_contiguous() and torch.equal(x, ref[0][0]) and torch.equal(y, ref[0][1]),
          "default collate: a C-contiguous (B, C, H, W) tensor, as torch would stack it")
    pairs = ds.__getitems__([3, 40, 1])
    x, y = default_collate(pairs[::-1])
    check(torch.equal(x, torch.stack([ds[i][0] for i in (1, 40, 3)])) and y.tolist() == [ds[i][1] for i in (1, 40, 3)],
          "pairs regrouped into another list are collated one by one")
    pairs.pop()
    x, y = collate(pairs)
    check(len(x) == 2 and torch.equal(x[1], ds[40][0]), "fdsl collate of a list shortened after rendering")
    torch.manual_seed(5)
    x, y = next(iter(DataLoader(ds, batch_size=5, shuffle=True, collate_fn=collate)))
    check(torch.equal(x, ref[0][0]) and torch.equal(y, ref[0][1]) and y.dtype == torch.int64, "fdsl collate: the same")
    pairs = ds.__getitems__([3, 40, 1])
    check(collate(pairs)[0] is pairs.images and default_collate(pairs)[0] is pairs.images and
          pairs.images.is_contiguous() and pairs[1][0].data_ptr() == pairs.images[1].data_ptr(),
          "fdsl and default collate return the rendered (B, C, H, W) tensor itself, not a stacked copy")

    for ctx in (None, "spawn"):
        ds = FractalDataset(SMALL)
        got = epoch(ds, num_workers=2, collate_fn=collate, multiprocessing_context=ctx)
        stats = ds.stats()["slots"]
        check(same_batches(got, ref), f"{ctx or 'fork'}, 2 workers, fdsl collate: the same batches")
        # 9 batches, all in slots (a worker's first learns the image shape from one sample).
        check(stats["claimed"] == 9 and stats["full"] == 0, f"{ctx or 'fork'}: 9 batches in slots ({stats})")
        check(slot_states_free(ds), f"{ctx or 'fork'}: every slot free once the batches are dropped")
    ds = FractalDataset(SMALL)
    got = epoch(ds, num_workers=2)
    stats = ds.stats()["slots"]
    check(same_batches(got, ref) and slot_states_free(ds) and stats["claimed"] == 9 and stats["full"] == 0,
          f"default collate from workers: the same batches, each in a slot ({stats})")
    x, _ = next(iter(DataLoader(ds, batch_size=5, num_workers=2)))
    check(type(x) is torch.Tensor and x.is_contiguous(), "default collate from workers: a contiguous tensor")
    ds = FractalDataset(SMALL, shared_slots=0)
    check(ds.stats()["slots"] is None and same_batches(epoch(ds, num_workers=2, collate_fn=collate), ref),
          "shared_slots=0: the same batches, sent the ordinary way")

    # Samples that are not plain images go one by one, through default_collate.
    ds = FractalDataset(SMALL, transform=lambda t: t)
    check(same_batches(epoch(ds, num_workers=2, collate_fn=collate), ref) and ds.stats()["whole_batches"] is False,
          "with a transform: sample by sample")
    multi = {"generator": "ifs_sigma", "classes": 5, "instances": 4, "size": 32, "points": 1500,
             "objects_min": 2, "objects_max": 4}
    _, hot = next(iter(DataLoader(FractalDataset(multi, target="multi_hot"), batch_size=4, collate_fn=collate)))
    check(tuple(hot.shape) == (4, 5) and hot.dtype == torch.float32, "multi_hot targets through fdsl collate")
    pairs = FractalDataset({"generator": "vg_fractal", "classes": 3, "instances": 4, "size": 32, "points": 400})
    batch, labels = next(iter(DataLoader(pairs, batch_size=4, num_workers=2, collate_fn=collate)))
    check(tuple(batch["image"].shape) == (4, 1, 32, 32) and tuple(batch["K"].shape) == (4, 3, 3) and
          pairs.stats()["whole_batches"] is None, "pairs (cameras) through fdsl collate: sample by sample")
    clouds = FractalDataset({"generator": "pc_fractal", "classes": 3, "instances": 4, "points": 300})
    x, _ = next(iter(DataLoader(clouds, batch_size=4, collate_fn=collate)))
    check(tuple(x.shape) == (4, 300, 3) and clouds.stats()["whole_batches"] is False, "clouds through fdsl collate")
    for bad in (-1, 65):
        try:
            FractalDataset(SMALL, shared_slots=bad)
            check(False, f"shared_slots={bad} refused")
        except ValueError as e:
            check("shared_slots" in str(e), f"FractalDataset(shared_slots={bad}): {e}")


SENT, HELD = 1 << 62, 1 << 63  # bits of a slot's state word (fdsl/core/shared_slots.h)


def wait_for(condition, what, deadline=120.0):
    """Polls `condition` until it holds; fails after `deadline` seconds (a bound, not a timing)."""
    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            check(False, f"gave up waiting for {what} after {deadline:.0f} s")
        time.sleep(0.005)


def slot_states_free(ds):
    return all(v == 0 for v in ds.stats()["slots"]["states"])


def test_shared_slots():
    """Batches from workers travel in shared slots: the same bytes as the ordinary way (fork and
    spawn), a slot is never rewritten while the trainer holds its batch (all batches kept, fewer
    slots than batches), slots come back after an epoch cut short, and a worker-side transform
    that makes a new tensor frees its slot at once."""
    table = lookup(fdsl.Generator.from_config(SMALL))
    opts = dict(shuffle=True, seed=2, batch_size=4)
    ref = list(DataLoader(FractalIterableDataset(SMALL, shared_slots=0, **opts), batch_size=None, num_workers=2))
    ref = [(x.clone(), y.clone()) for x, y in ref]
    check(len(ref) == 12, f"{len(ref)} batches")
    for ctx in (None, "spawn"):
        ds = FractalIterableDataset(SMALL, **opts)
        got = [(x.clone(), y.clone()) for x, y in DataLoader(ds, batch_size=None, num_workers=2,
                                                               multiprocessing_context=ctx)]
        stats = ds.stats()["slots"]
        check(same_batches(got, ref), f"{ctx or 'fork'}: the same batches as without slots")
        # Every batch, a worker's first included (one sample tells the image shape).
        check(stats["claimed"] == 12 and stats["full"] == 0, f"{ctx or 'fork'}: 12 batches in slots ({stats})")
        check(slot_states_free(ds), f"{ctx or 'fork'}: every slot free once the batches are dropped")
        check(type(got[5][0]) is torch.Tensor and type(got[5][1]) is torch.Tensor, "plain tensors arrive")

    # Every batch kept while 3 slots go round: the ones that find no slot go the ordinary way.
    ds = FractalIterableDataset(SMALL, shared_slots=3, **opts)
    kept = list(DataLoader(ds, batch_size=None, num_workers=2))
    stats = ds.stats()["slots"]
    check(stats["claimed"] == 3 and stats["full"] == 9, f"3 slots held, 9 batches sent otherwise ({stats})")
    check(same_batches(kept, ref), "kept batches are never overwritten")
    check(indices_of(kept[3][0], table) == indices_of(ref[3][0], table), "")
    del kept
    check(slot_states_free(ds), "the slots are free once the kept batches are dropped")

    # An epoch cut short leaves batches queued in the pipes: their slots come back later.
    # 8 slots: the 3 batches read (held until the statement ends) and the 4 sent ahead always
    # find one, so every sent batch is in a slot whatever the timing.
    ds = FractalIterableDataset(SMALL, shared_slots=8, **opts)

    def served():
        st = ds.stats()["slots"]
        return st["claimed"] + st["full"]

    for _ in range(3):
        before = served()
        it = iter(DataLoader(ds, batch_size=None, num_workers=2))
        next(it), next(it), next(it)
        # The workers render and send the batches the loader asked for beyond the three read
        # (2 workers x prefetch_factor 2, one more per batch read: 7 in all), which nobody reads.
        # Wait for exactly that, not for a time: then every slot in use is in a pipe.
        wait_for(lambda: served() - before >= 7 and all(v & SENT for v in ds.stats()["slots"]["states"] if v),
                 "the prefetched batches to be sent")
        del it
        stranded = [v for v in ds.stats()["slots"]["states"] if v]
        check(stranded and all(v & SENT and not v & HELD for v in stranded),
              f"slots stranded in the pipes by shut-down workers ({[hex(v) for v in stranded]})")
    # Every batch of the full epoch kept: it needs every slot, the stranded ones included.
    kept = list(DataLoader(ds, batch_size=None, num_workers=2))
    got = [(x.clone(), y.clone()) for x, y in kept]
    del kept
    stats = ds.stats()["slots"]
    check(same_batches(got, ref), "a full epoch after cut-short ones is right")
    check(stats["reclaimed"] > 0 and slot_states_free(ds), f"slots of shut-down workers are reclaimed ({stats})")

    # persistent workers over two epochs, the first cut short.
    ds = FractalIterableDataset(SMALL, **opts)
    loader = DataLoader(ds, batch_size=None, num_workers=2, persistent_workers=True)
    it = iter(loader)
    next(it)
    got = [(x.clone(), y.clone()) for x, y in loader]
    check(same_batches(got, ref), "persistent workers: the next epoch is right")
    del it, loader
    check(slot_states_free(ds), "persistent workers: slots free at the end")

    # A transform in the worker that makes a new tensor: the slot is freed there, at once.
    ds = FractalIterableDataset(SMALL, transform=lambda x: x.float() / 255, **opts)
    got = list(DataLoader(ds, batch_size=None, num_workers=2))
    check(all(torch.equal(g[0], r[0].float() / 255) for g, r in zip(got, ref)) and len(got) == len(ref),
          "a worker transform sees the batch")
    check(slot_states_free(ds) and ds.stats()["slots"]["claimed"] == 12,
          f"transformed batches free their slots ({ds.stats()['slots']['states']})")

    # A copy of the dataset (pickle, deepcopy) has slots of its own.
    ds = FractalIterableDataset(SMALL, shared_slots=5, **opts)
    copy = pickle.loads(pickle.dumps(ds))
    check(copy.stats()["slots"]["id"] != ds.stats()["slots"]["id"] and copy.stats()["slots"]["count"] == 5,
          "a pickled copy gets its own slots")
    check(FractalIterableDataset(SMALL, shared_slots=0, **opts).stats()["slots"] is None, "shared_slots=0: none")
    for bad in (-1, 65):
        try:
            FractalIterableDataset(SMALL, shared_slots=bad, **opts)
            check(False, f"shared_slots={bad} refused")
        except ValueError as e:
            check("shared_slots" in str(e), f"shared_slots={bad}: {e}")


def test_memory_flat():
    def rss_mb():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    ds = FractalDataset({"generator": "ifs_sigma", "classes": 100, "instances": 100, "size": 48, "points": 300,
                         "background": False}, transform=lambda x: x.float())
    for i in range(500):
        ds[i]
    before = rss_mb()
    for i in range(len(ds)):
        ds[i]
    grown = rss_mb() - before
    check(len(ds) == 10_000 and grown < 8, f"RSS grew {grown:.1f} MB over 10^4 dataset samples")


if __name__ == "__main__":  # spawn-started workers import this file: run the tests only here
    test_map_style_with_workers()
    test_pickling()
    test_zero_copy_tensor()
    test_transform_and_targets()
    test_epoch_resampling()
    test_iterable_split()
    test_threaded_prefetch()
    test_buffer_pool()
    test_shared_slots()
    test_map_style_batches()
    test_exit_while_prefetching()
    test_clouds_and_pairs()
    test_memory_flat()
    finish()
