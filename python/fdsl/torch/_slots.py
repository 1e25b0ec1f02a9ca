"""Batches from DataLoader workers in shared-memory slots (fdsl.SharedSlots): only a slot
number travels through torch's queue, and the slot's pages stay mapped from batch to batch."""
import weakref

import torch

from .._fdsl import SharedSlots
from . import _compat

def _shared_uint8(shape):
    return _compat.new_shared_uint8(shape)


# Shared slots by identity, so a batch token arriving in the training process finds its slots.
_SLOT_FILES = weakref.WeakValueDictionary()


class _BatchSlots:
    """The shared-memory slots a dataset's DataLoader workers render batches into (fdsl.SharedSlots).

    Made in the training process with the dataset, before any worker starts: fork-started workers
    inherit them, spawn-started ones receive the file descriptor while they are spawned. Any other
    copy (pickle, deepcopy) gets slots of its own.
    """

    def __init__(self, count, shared=None):
        self.shared = SharedSlots(count) if shared is None else shared
        _SLOT_FILES[self.shared.id] = self

    def __reduce__(self):
        from multiprocessing import reduction
        if _compat.spawning():
            return _adopt_slots, (reduction.DupFd(self.shared.fd),)
        return _BatchSlots, (self.shared.slots,)


def _adopt_slots(dup_fd):
    return _BatchSlots(0, SharedSlots.adopt(dup_fd.detach()))


class _SlotTensor(torch.Tensor):
    """A batch a DataLoader worker rendered into a shared slot. Pickled on its way to the training
    process, it travels as (slot, ticket) and is read there in place (_take_slot); the slot is free
    again once the trainer drops the batch. Operations on it give plain tensors."""

    __torch_function__ = _compat.DISABLED_TORCH_FUNCTION

    def __reduce_ex__(self, protocol):
        slots, slot, ticket, nbytes = self._fdsl_slot
        if slots.shared.send(slot, ticket):
            return _take_slot, (slots.shared.id, slot, ticket, nbytes, tuple(self.size()), tuple(self.stride()),
                                self.storage_offset())
        # Sent once already (pickled twice): this copy travels the ordinary way.
        return _same, (self.as_subclass(torch.Tensor),)


class _InlineTensor(torch.Tensor):
    """A small tensor (a batch's labels) pickled by value: cheaper to send to the training process
    than a shared-memory segment of its own. Operations on it give plain tensors."""

    __torch_function__ = _compat.DISABLED_TORCH_FUNCTION

    def __reduce_ex__(self, protocol):
        return torch.from_numpy, (self.as_subclass(torch.Tensor).numpy(),)


def _same(x):
    return x


def _take_slot(slots_id, slot, ticket, nbytes, size, stride, offset):
    slots = _SLOT_FILES.get(slots_id)
    if slots is None:
        raise RuntimeError("fdsl: a batch arrived in shared slots this process does not hold (was the dataset "
                           "copied after its DataLoader started?); FractalIterableDataset(shared_slots=0) sends "
                           "batches the ordinary way")
    base = torch.from_numpy(slots.shared.take(slot, ticket, (nbytes,)))
    return base.as_strided(size, stride, offset)


