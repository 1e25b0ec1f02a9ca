"""Every use of torch's (and multiprocessing's) private APIs in one place, each behind a guard
that falls back to public behaviour where a torch version lacks it. Tested against Debian's torch
(1.13) and the newest release on PyPI."""
import math
from multiprocessing import context as _mp_context

import torch

TORCH_VERSION = tuple(int(p) for p in torch.__version__.split("+")[0].split(".")[:2] if p.isdigit())

# Tensor subclasses whose operations give plain tensors: the switch torch's own subclasses use.
DISABLED_TORCH_FUNCTION = getattr(torch._C, "_disabled_torch_function_impl", None)


def new_shared_uint8(shape):
    """An uninitialized uint8 tensor in shared memory, allocated there directly as default_collate
    does (share_memory_() on a fresh tensor would fault in its pages, then copy them)."""
    numel = math.prod(shape)
    try:
        if TORCH_VERSION >= (2, 0):  # typed storages are deprecated there: an untyped one
            storage = torch.UntypedStorage._new_shared(numel)
            return torch.empty(0, dtype=torch.uint8).set_(storage).resize_(shape)
        proto = torch.empty(0, dtype=torch.uint8)
        return proto.new(proto.storage()._new_shared(numel)).resize_(shape)
    except (AttributeError, TypeError, RuntimeError):  # a torch without the private helper
        return torch.empty(shape, dtype=torch.uint8).share_memory_()


def spawning():
    """True while multiprocessing pickles a process's arguments to spawn it."""
    return _mp_context.get_spawning_popen() is not None


def register_collate(cls, fn):
    """Registers fn for batches of `cls` with default_collate (its documented extension point,
    torch >= 1.13); returns torch's collate(batch, collate_fn_map=...) or None where it is missing."""
    try:
        from torch.utils.data._utils.collate import collate as torch_collate
        from torch.utils.data._utils.collate import default_collate_fn_map
    except ImportError:  # older torch: default_collate stacks the pairs as usual
        return None
    default_collate_fn_map[cls] = fn
    return torch_collate
