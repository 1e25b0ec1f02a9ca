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


class PixMix:
    """PixMix (Hendrycks et al., CVPR 2022) with an fdsl family as the mixing set: MoireDB's use of
    moire images, or fractals, rendered on the fly instead of read from a folder.

    Takes a float image tensor (C, H, W) in [0, 1] (torchvision's ToTensor output) and returns the
    mixed image, also in [0, 1] (normalize afterwards). As in the paper's code: the start is the
    image or, with p = 0.5, an augmented copy; then k' ~ U{0..k} times the start is mixed with the
    next picture (with p = 0.5 an augmented copy of the image, else a mixing picture) by adding or
    multiplying, chosen evenly, with weights from Beta(beta, 1) / Beta(1, beta), clipped to [0, 1].

    Args:
        mixing: what the mixing pictures come from: a config path or dict (e.g.
            "configs/moiredb.yaml" or {"generator": "moire", "size": 224}) or an fdsl.Generator;
            each draw takes a uniformly drawn sample of it, resized to the image when sizes differ.
        k: most mixing rounds (the paper: 4). beta: the mixing weights' Beta parameter (3).
        augment: a callable on a float (C, H, W) tensor for the augmented copies (the paper uses
            AugMix's operations); None uses the image itself.
        generator: a torch.Generator for the draws (default: torch's global generator, which a
            DataLoader seeds per worker).
    """

    def __init__(self, mixing, k=4, beta=3.0, augment=None, generator=None):
        if int(k) < 0:
            raise ValueError(f"k must be at least 0, not {k}")
        if not float(beta) > 0:
            raise ValueError(f"beta must be positive, not {beta}")
        self.mixing, self.k, self.beta = mixing, int(k), float(beta)
        self.augment, self.generator = augment, generator
        self._gen = None

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_gen"] = None  # workers rebuild the mixing generator from its config
        if not isinstance(self.mixing, (str, dict)):
            state["mixing"] = self.mixing.config
        return state

    def _mixing_generator(self):
        if self._gen is None:
            import fdsl
            m = self.mixing
            self._gen = m if hasattr(m, "sample") else fdsl.Generator.from_config(m, threads=1)
        return self._gen

    def _rand(self):
        return float(torch.rand((), generator=self.generator))

    def _beta_a1(self):
        """Beta(beta, 1) by inversion: u^(1/beta)."""
        return self._rand() ** (1.0 / self.beta)

    def _beta_1b(self):
        """Beta(1, beta) by inversion: 1 - (1 - u)^(1/beta)."""
        return 1.0 - (1.0 - self._rand()) ** (1.0 / self.beta)

    def _weights(self):
        if self._rand() < 0.5:
            return self._beta_a1(), self._beta_1b()
        return 1.0 + self._beta_1b(), -self._beta_1b()

    def _picture(self, like):
        g = self._mixing_generator()
        n = g.num_classes * g.instances_per_class
        j = int(torch.randint(n, (1,), generator=self.generator))
        img = g.sample(j // g.instances_per_class, j % g.instances_per_class).image
        t = torch.from_numpy(img).float().div_(255.0)
        t = t.unsqueeze(0) if t.ndim == 2 else t.permute(2, 0, 1)
        if t.shape[0] != like.shape[0]:
            t = t.mean(0, keepdim=True).expand(like.shape[0], -1, -1) if like.shape[0] != 1 else t.mean(0, keepdim=True)
        if t.shape[1:] != like.shape[1:]:
            t = torch.nn.functional.interpolate(t[None], size=tuple(like.shape[1:]), mode="bilinear",
                                                align_corners=False)[0]
        return t.to(like.dtype)

    def _aug(self, image):
        return self.augment(image) if self.augment is not None else image

    def __call__(self, image):
        if not torch.is_tensor(image) or not image.is_floating_point() or image.ndim != 3:
            raise TypeError("PixMix takes a float (C, H, W) tensor in [0, 1] (e.g. after transforms.ToTensor())")
        mixed = self._aug(image) if self._rand() < 0.5 else image
        for _ in range(int(torch.randint(self.k + 1, (1,), generator=self.generator))):
            other = self._aug(image) if self._rand() < 0.5 else self._picture(image)
            a, b = self._weights()
            if self._rand() < 0.5:  # add, in [-1, 1]
                mixed = ((a * (mixed * 2 - 1) + b * (other * 2 - 1)) + 1) / 2
            else:  # multiply, in [0, 2]
                mixed = ((mixed * 2) ** a) * ((other * 2).clamp(min=1e-37) ** b) / 2
            mixed = mixed.clamp(0, 1)
        return mixed

    def __repr__(self):
        return f"PixMix(mixing={self.mixing!r}, k={self.k}, beta={self.beta})"
