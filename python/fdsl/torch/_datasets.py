"""The datasets: FractalDataset (map-style) and FractalIterableDataset (split over ranks and
workers, whole batches)."""
import math

import numpy as np
import torch
from torch.utils.data import Dataset, IterableDataset, get_worker_info

from .._fdsl import BufferPool
from ._collate import _RenderedBatch
from ._distributed import rank_and_world_size
from ._prefetch import _prefetched
from ._slots import _BatchSlots, _InlineTensor, _SlotTensor, _shared_uint8
from ._sources import _check_options, _sample_input, _Source, _target

class _FractalData:
    """What both datasets share: the source, the image and target options, the epoch, and how one
    flat index becomes an (image, target) pair."""

    def _init_source(self, config, transform, target_transform, image_format, target, resample_epochs, overrides):
        """Sets the shared attributes; the caller has checked image_format and target (_check_options)."""
        self.source = _Source(config, overrides, resample_epochs)
        self.transform = transform
        self.target_transform = target_transform
        self.image_format = image_format
        self.target = target
        self.epoch = 0

    def _init_batches(self, shared_slots, prefetch=0, batch_size=0):
        """Sets what rendering whole batches needs: the shared slots that DataLoader workers hand
        batches over in (made here, in the training process, so that the workers share them: see
        _BatchSlots), and how many batches may be in flight in this process."""
        if not 0 <= int(shared_slots) <= 64:
            raise ValueError(f"shared_slots must be in [0, 64], not {shared_slots}")
        self._slots = _BatchSlots(int(shared_slots)) if int(shared_slots) else None
        self._batch_shape = None  # one image's shape, known from the first batch (or its first sample)
        self._batch_capacity = int(batch_size)  # the largest batch seen: it sizes the slots on their first claim
        self._in_flight = int(prefetch) + 3

    def _buffer_pool(self):
        """This process's pool of batch buffers (not pickled: a worker or a copy makes its own)."""
        pool = self.__dict__.get("_pool")
        if pool is None:
            # Enough for the batches in flight: those queued ahead, the one being rendered, the
            # consumer's current one and the one it just let go.
            pool = self._pool = BufferPool(max_free=self._in_flight)
        return pool

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_pool", None)
        return state

    def stats(self):
        """What the dataset's batch transport has done, for tuning and tests: the shared slots
        (count, id, claims served, claims that found no slot, slots taken back from shut-down
        workers, each slot's state word: 0 free, else holder's ticket with SENT = 1 << 62 and
        HELD = 1 << 63), this process's buffer pool, and whether samples are rendered as whole
        batches (None until the first batch tells)."""
        out = {"whole_batches": getattr(self, "_plain_images", None), "slots": None, "pool": None}
        if self._slots is not None:
            shared = self._slots.shared
            out["slots"] = dict(shared.stats, count=shared.slots, id=shared.id, states=list(shared.states()))
        pool = self.__dict__.get("_pool")
        if pool is not None:
            out["pool"] = {"allocated": pool.allocated, "reused": pool.reused, "free": len(pool)}
        return out

    def _flat_indices(self, indices):
        """The generator's flat indices (its classes hold every epoch's block of instances) of the
        dataset's indices `indices` in the current epoch."""
        k = self.generator.instances_per_class
        return [c * k + i for c, i in (self.source.locate(int(j), self.epoch) for j in indices)]

    def _batch_buffer(self, shape):
        """A uint8 buffer of `shape` for one batch, and its slot (or None): in a DataLoader worker a
        shared slot when one is free, else a new shared segment (a tensor); in the training process
        a pooled NumPy array whose pages are already mapped, which comes back once it is dropped."""
        if get_worker_info() is None:
            return self._buffer_pool().array(shape), None
        slot = None
        if self._slots is not None:
            slot = self._slots.shared.claim(shape, self._batch_capacity * math.prod(shape[1:]))
        return (slot[2], slot) if slot is not None else (_shared_uint8(shape), None)

    def _in_slot(self, tensor, slot):
        """`tensor` (a view of `slot`'s array) marked to travel to the training process as its slot."""
        tensor = tensor.as_subclass(_SlotTensor)
        tensor._fdsl_slot = (self._slots, slot[0], slot[1], slot[2].nbytes)
        return tensor

    def _learn_batch_shape(self):
        """Records one batch image's (C, H, W) from the generator's image shape (H, W) or (H, W, C)."""
        hw = tuple(self.generator.image_shape)
        self._batch_shape = (1,) + hw if len(hw) == 2 else (hw[2], hw[0], hw[1])

    def _render_labelled(self, flat, threads):
        """Images (B, C, H, W) uint8 (C-contiguous) and labels (B,) int64 of the generator's flat
        indices `flat`, rendered in one Generator.batch call. In a DataLoader worker the images are rendered
        straight into shared memory: a shared slot when one is free (only its number then travels
        to the training process), else a new segment (which travels as such). In the training
        process they go into a pooled buffer whose pages are already mapped, which comes back once
        the consumer has dropped the batch."""
        self._batch_capacity = max(self._batch_capacity, len(flat))
        out = slot = None
        if self._batch_shape is None and len(flat) and get_worker_info() is not None:
            # The config fixes the image shape, so a worker's first batch too is rendered into
            # shared memory (the main process learns it from its first batch).
            self._learn_batch_shape()
        if self._batch_shape is not None:
            out, slot = self._batch_buffer((len(flat),) + self._batch_shape)
        images, labels = self.generator.batch(flat, threads=threads, channels_first=True,
                                              out=out.numpy() if torch.is_tensor(out) else out)
        self._batch_shape = tuple(images.shape[1:])
        images = out if torch.is_tensor(out) else torch.from_numpy(images)
        targets = torch.from_numpy(labels)
        if slot is not None:
            images = self._in_slot(images, slot)
            targets = targets.as_subclass(_InlineTensor)
        return images, targets

    @property
    def generator(self):
        """The fdsl.Generator (built on first use, with threads=1)."""
        return self.source.generator

    @property
    def num_classes(self):
        return self.generator.num_classes

    def _item(self, index):
        category, instance = self.source.locate(index, self.epoch)
        sample = self.generator.sample(category, instance)
        image = _sample_input(sample, self.image_format)
        target = _target(sample, self.target, self.num_classes)
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target


class FractalDataset(_FractalData, Dataset):
    """Map-style dataset: index -> (input, target), the same pair on every call and in every worker.
    The input is the image; for point-cloud families the cloud ((N, 3) float32); for aligned
    images and clouds (vg_fractal) a dict of image(s), cloud and cameras (see _sample_input).

    Args:
        config: a YAML/JSON config path, a dataset folder, a dict of parameters, or an fdsl.Generator.
        transform: applied to the image (a uint8 CxHxW tensor by default).
        target_transform: applied to the target.
        image_format: "tensor" (uint8 CxHxW, sharing the generator's buffer), "numpy" (HxW or
            HxWx3 as generated) or "pil".
        target: "label" (int) or "multi_hot" (float32 vector of num_classes: the labels of a
            multi-object image, else its one label).
        resample_epochs: with E > 1, epoch e (see set_epoch) reads the e-th block of fresh instances
            of every class, so each of E epochs sees new augmentations of the same classes; the
            family must allow E times the config's instances (ifs_sigma and one_frac do).
        shared_slots: reusable shared-memory slots that DataLoader workers hand whole batches over
            in when the loader collates with torch's default_collate or fdsl.torch.collate (see
            __getitems__); 0: never.
        **overrides: config keys (size=64, seed=3, ...), validated like the config itself.

    With a batch sampler (DataLoader(batch_size=B)), torch asks for a batch's samples at once
    (__getitems__). For plain image samples (image_format="tensor", target="label", no transform)
    they are then rendered in one call, into one C-contiguous (B, C, H, W) tensor whose views are
    the samples. Any collate_fn gets the usual list of (image, label) pairs; torch's default_collate
    (torch >= 1.13) and fdsl.torch.collate return the batch tensor itself, the one stacking the
    pairs would make, with no copy, and in worker processes hand it over in a shared slot.

        >>> loader = DataLoader(ds, batch_size=64, shuffle=True, num_workers=2)
    """

    def __init__(self, config, *, transform=None, target_transform=None, image_format="tensor", target="label",
                 resample_epochs=1, shared_slots=32, **overrides):
        _check_options(image_format, target)
        self._init_source(config, transform, target_transform, image_format, target, resample_epochs, overrides)
        self._init_batches(shared_slots)
        # Whether a batch can be rendered in one call: None until the first batch has looked at a sample.
        self._plain_images = None if (image_format == "tensor" and target == "label" and transform is None
                                      and target_transform is None) else False

    def set_epoch(self, epoch):
        """Selects the block of instances read (with resample_epochs > 1). Call it before creating the
        epoch's DataLoader iterator (workers copy the dataset when the iterator starts, unless
        persistent_workers=True)."""
        self.epoch = int(epoch)

    def __len__(self):
        return len(self.source)

    def __getitem__(self, index):
        return self._item(int(index))

    def __getitems__(self, indices):
        """The samples of one batch, as a list of (image, label) pairs. Plain image samples are
        rendered together into one (B, C, H, W) tensor (see the class notes), which
        default_collate and fdsl.torch.collate take as it is; the pairs hold views of it."""
        if self._plain_images is None:
            sample = self.generator.sample(*self.source.locate(int(indices[0]), self.epoch)) if len(indices) else None
            if sample is None:
                return []
            cameras = sample.meta.get("cameras") if isinstance(sample.meta, dict) else None
            self._plain_images = (sample.image is not None and not cameras and not sample.views
                                  and sample.mask is None)
            if self._plain_images and self._batch_shape is None:
                self._learn_batch_shape()
        if not self._plain_images or not len(indices):
            return [self._item(int(i)) for i in indices]
        images, labels = self._render_labelled(self._flat_indices(indices), 1)
        return _RenderedBatch(images, labels)

    def __repr__(self):
        return f"FractalDataset({len(self)} samples, {self.generator!r}, epoch={self.epoch})"


class FractalIterableDataset(_FractalData, IterableDataset):
    """Iterable dataset that splits the indices across distributed ranks and DataLoader workers.

    Each epoch's order (shuffled with seed + epoch when shuffle=True, else 0..N-1) is cut into
    world_size interleaved parts of equal length, like DistributedSampler: with drop_last=False
    the order wraps around to fill the last places, with drop_last=True the remainder is dropped.
    A rank's part is then dealt to its DataLoader workers in turn. Every index of the epoch is
    yielded once over all ranks and workers (plus the wrapped ones).

    Args:
        config, transform, target_transform, image_format, target, resample_epochs, **overrides:
            as for FractalDataset.
        shuffle, seed: shuffle the order each epoch with a torch.Generator seeded by seed + epoch.
        batch_size: when given, yield whole batches (images (B, C, H, W) uint8 tensor, targets)
            rendered with Generator.batch, for DataLoader(batch_size=None); transform then applies
            to the batch tensor. The last batch of a worker may be smaller.
        render_threads: threads each batch is rendered with (batches only). With
            DataLoader(num_workers=0) this renders in the training process itself, on C++ threads
            that do not hold the GIL: no worker processes, and no copy of the batch between them.
        prefetch: batches rendered ahead on a background thread while the consumer works on the
            current one (batches only; 0: render when asked).
        drop_last: see above.
        rank, world_size: override what rank_and_world_size() finds.
        shared_slots: batches (target="label") that DataLoader workers render travel to the training
            process in this many reusable shared-memory slots (fdsl.SharedSlots) instead of a new
            shared segment per batch: only a slot number is sent, and the slot is reused once the
            training process has dropped the batch. When every slot is in use (batches kept
            around), a batch is sent the ordinary way. 0: always the ordinary way. The slots are
            virtual memory; the ones used (about the batches in flight) stay resident while the
            dataset lives.
    """

    def __init__(self, config, *, shuffle=False, seed=0, batch_size=None, drop_last=False, rank=None,
                 world_size=None, transform=None, target_transform=None, image_format="tensor", target="label",
                 resample_epochs=1, render_threads=1, prefetch=0, shared_slots=32, **overrides):
        _check_options(image_format, target)
        if batch_size is not None and (int(batch_size) < 1 or image_format != "tensor"):
            raise ValueError("batch_size needs a positive size and image_format='tensor'")
        if int(render_threads) < 1 or int(prefetch) < 0:
            raise ValueError(f"render_threads must be at least 1 and prefetch at least 0, not {render_threads}, "
                             f"{prefetch}")
        if batch_size is None and (int(render_threads) != 1 or int(prefetch) != 0):
            raise ValueError("render_threads and prefetch apply to batches: give batch_size too")
        if (rank is None) != (world_size is None):
            raise ValueError("give both rank and world_size, or neither")
        if world_size is not None and not 0 <= rank < world_size:
            raise ValueError(f"rank {rank} is not in [0, world_size={world_size})")
        self._init_source(config, transform, target_transform, image_format, target, resample_epochs, overrides)
        self.shuffle = bool(shuffle)
        self.seed = int(seed)
        self.batch_size = None if batch_size is None else int(batch_size)
        self.render_threads = int(render_threads)
        self.prefetch = int(prefetch)
        self.drop_last = bool(drop_last)
        self.rank = rank
        self.world_size = world_size
        self._init_batches(shared_slots if self.batch_size else 0, self.prefetch, self.batch_size or 0)

    def set_epoch(self, epoch):
        """Selects the epoch: its shuffle order and (with resample_epochs > 1) its instances."""
        self.epoch = int(epoch)

    def _rank_world(self):
        if self.world_size is not None:
            return self.rank, self.world_size
        return rank_and_world_size()

    def _per_rank(self, world):
        n = len(self.source)
        return n // world if self.drop_last else math.ceil(n / world)

    def __len__(self):
        """Samples this rank reads per epoch (over all its workers; in batches when batch_size is set)."""
        _, world = self._rank_world()
        return self._per_rank(world)

    def rank_indices(self):
        """The flat indices this rank reads this epoch, in order (before splitting across workers)."""
        rank, world = self._rank_world()
        n = len(self.source)
        if self.shuffle:
            g = torch.Generator()
            g.manual_seed(self.seed + self.epoch)
            order = torch.randperm(n, generator=g).numpy()
        else:
            order = np.arange(n, dtype=np.int64)
        per_rank = self._per_rank(world)
        total = per_rank * world
        if total > n:
            order = np.concatenate([order, np.resize(order, total - n)])
        return order[rank:total:world]

    def worker_indices(self):
        """The part of rank_indices() the current DataLoader worker reads."""
        indices = self.rank_indices()
        info = get_worker_info()
        if info is None:
            return indices
        return indices[info.id::info.num_workers]

    def __iter__(self):
        indices = self.worker_indices()
        if self.batch_size is None:
            for i in indices:
                yield self._item(int(i))
            return
        slices = [indices[start:start + self.batch_size] for start in range(0, len(indices), self.batch_size)]
        if self.prefetch == 0:
            for part in slices:
                yield self._batch(part)
            return
        yield from _prefetched(self._batch, slices, self.prefetch)

    def _batch(self, indices):
        flat = self._flat_indices(indices)
        if self.generator.masks is not None:
            # Dense labels: each sample's image and masks (see _sample_input), stacked field by field.
            samples = [self.generator[j] for j in flat]
            items = [_sample_input(s, "tensor") for s in samples]
            images = {k: torch.stack([it[k] for it in items]) for k in items[0]}
            targets = torch.tensor([s.label for s in samples]) if self.target == "label" else torch.stack(
                [_target(s, self.target, self.num_classes) for s in samples])
        elif self.target == "label":
            images, targets = self._render_labelled(flat, self.render_threads)
        else:
            samples = [self.generator[j] for j in flat]
            images = torch.from_numpy(np.stack([s.image for s in samples]))
            images = images.unsqueeze(1) if images.ndim == 3 else images.permute(0, 3, 1, 2)
            targets = torch.stack([_target(s, self.target, self.num_classes) for s in samples])
        if self.transform is not None:
            images = self.transform(images)
        if self.target_transform is not None:
            targets = self.target_transform(targets)
        return images, targets

    def __repr__(self):
        rank, world = self._rank_world()
        return (f"FractalIterableDataset({len(self.source)} samples, rank {rank}/{world}, shuffle={self.shuffle}, "
                f"{self.generator!r}, epoch={self.epoch})")
