"""Collating batches that were rendered whole: torch's default_collate (through its documented
extension point, torch >= 1.13) and fdsl.torch.collate pass the rendered tensor on uncopied."""
import torch
from torch.utils.data import default_collate

from . import _compat

class _RenderedPair(tuple):
    """(image, label) of a batch FractalDataset rendered as a whole: a plain pair to any
    collate_fn; torch's default_collate hands a whole batch of them to _collate_rendered."""


class _RenderedBatch(list):
    """A batch of samples rendered together (FractalDataset.__getitems__): the list of (image,
    label) pairs that any collate_fn expects, the images being views of one C-contiguous
    (B, C, H, W) tensor, which fdsl.torch.collate and torch's default_collate return as it is
    instead of stacking the views into a copy."""

    def __init__(self, images, labels):
        plain = images.as_subclass(torch.Tensor)
        super().__init__(_RenderedPair(p) for p in zip(plain.unbind(0), labels.tolist()))
        self.images = images
        self.labels = labels
        self._pairs = tuple(self)

    def intact(self):
        """Whether the list still holds exactly the rendered pairs, in order."""
        return len(self) == len(self._pairs) and all(a is b for a, b in zip(self, self._pairs))

    def __reduce__(self):
        # Pickled (a collate_fn that returns the samples themselves): a plain list of the pairs.
        return list, (list(self),)


def collate(batch):
    """A DataLoader collate_fn for fdsl datasets: a batch that FractalDataset rendered as a whole
    comes back as its (images, labels) tensors, with no copy (from worker processes, in a shared
    slot when one is free); any other batch goes to torch's default_collate. (default_collate
    itself does the same for rendered batches where torch has default_collate_fn_map, 1.13 and
    later; this function also covers older versions.)"""
    if isinstance(batch, _RenderedBatch) and batch.intact():
        return batch.images, batch.labels
    return default_collate(batch)


def _collate_rendered(batch, *, collate_fn_map=None):
    """default_collate for a batch of _RenderedPair: [images, labels], what stacking the pairs
    would give (a C-contiguous (B, C, H, W) uint8 tensor and int64 labels), without the copy;
    pairs regrouped into other lists are collated as plain pairs."""
    if isinstance(batch, _RenderedBatch) and batch.intact():
        return [batch.images, batch.labels]
    return _torch_collate([tuple(p) for p in batch], collate_fn_map=collate_fn_map)


_torch_collate = _compat.register_collate(_RenderedPair, _collate_rendered)
