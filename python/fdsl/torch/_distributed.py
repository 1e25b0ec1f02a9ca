"""Which rank of a distributed run this process is."""
import os

import torch

def rank_and_world_size():
    """This process's (rank, world size): torch.distributed when initialized, else RANK and
    WORLD_SIZE from the environment (torchrun sets them), else (0, 1)."""
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_rank(), torch.distributed.get_world_size()
    rank = int(os.environ.get("RANK", 0))
    world = int(os.environ.get("WORLD_SIZE", 1))
    if world < 1 or not 0 <= rank < world:
        raise ValueError(f"RANK={rank} and WORLD_SIZE={world} do not describe a process of the job")
    return rank, world


