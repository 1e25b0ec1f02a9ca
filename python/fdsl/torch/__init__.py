"""PyTorch datasets over fdsl generators: the samples are made inside the DataLoader workers, in
memory, with no files in between.

    >>> from torch.utils.data import DataLoader
    >>> from fdsl.torch import FractalDataset
    >>> ds = FractalDataset("configs/ifs-sigma.yaml", size=128)      # 1000 classes x 100 instances
    >>> loader = DataLoader(ds, batch_size=64, shuffle=True, num_workers=2)
    >>> images, labels = next(iter(loader))    # (64, 3, 128, 128) uint8, (64,) int64

(FractalDataset renders a batch into one contiguous (B, C, H, W) tensor, which torch's
default_collate passes on as it is, with torch 1.13 and later; on older versions pass
collate_fn=fdsl.torch.collate for the same.)

FractalDataset is map-style: index i is always the same image (the one `fdsl generate` writes),
so shuffling, samplers and any number of workers work as with files. FractalIterableDataset
splits the indices itself across distributed ranks (RANK / WORLD_SIZE, or torch.distributed)
and DataLoader workers, every rank getting the same number of samples.

Both build their generator lazily with threads=1, so no thread pool exists when DataLoader
forks its workers, and both pickle as their config (spawn-started workers rebuild the generator
on first use). Parallelism comes from the workers.
"""
from ._collate import collate
from ._datasets import FractalDataset, FractalIterableDataset
from ._distributed import rank_and_world_size
from ._transforms import PixMix, RandomView

__all__ = ["FractalDataset", "FractalIterableDataset", "PixMix", "RandomView", "collate", "rank_and_world_size"]
