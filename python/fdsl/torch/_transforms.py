"""Transforms for fdsl's sample dicts."""
import torch


class RandomView:
    """One view of a multi-view sample, drawn uniformly per call: the input of 3D-OFDB and
    MV-FractalDB training, where the official loader shows the network one of a category's views
    at random each time. Takes the dict FractalDataset gives for vg_fractal (its "image" a
    (V, C, H, W) tensor or (V, H, W[, 3]) array of views) and returns the drawn view's image;
    with keep_cameras=True a dict of that view's "image", "K" and "world_to_camera" instead.

    The draw uses torch's generator (torch.randint), or `generator` when given, so a seeded run
    (torch.manual_seed; DataLoader seeds each worker from it) repeats its views."""

    def __init__(self, keep_cameras=False, generator=None):
        self.keep_cameras = bool(keep_cameras)
        self.generator = generator

    def __call__(self, sample):
        if not isinstance(sample, dict) or "image" not in sample:
            raise TypeError("RandomView takes the dict of a vg_fractal sample (FractalDataset over a vg_fractal "
                            f"config), not {type(sample).__name__}")
        views = sample["image"]
        k = sample.get("K")
        # A single-view sample has a 3x3 K; several views stack them as (V, 3, 3).
        if k is None or getattr(k, "ndim", 0) != 3:
            raise ValueError("RandomView needs a sample of several views (views > 1 in the config)")
        v = int(torch.randint(int(views.shape[0]), (1,), generator=self.generator))
        if not self.keep_cameras:
            return views[v]
        return {"image": views[v], "K": k[v], "world_to_camera": sample["world_to_camera"][v]}

    def __repr__(self):
        return f"RandomView(keep_cameras={self.keep_cameras})"
