"""Where a dataset's samples come from: a config built into a Generator on first use, the
epoch-to-instance maths, and how a sample becomes a model's input and target."""
import os

import numpy as np
import torch

from .._fdsl import Generator

_IMAGE_FORMATS = ("tensor", "numpy", "pil")
_TARGETS = ("label", "multi_hot")


class _Source:
    """A config and keyword overrides; the Generator is built on first use, with threads=1.

    Pickles as the config only. A path is kept absolute so a worker started elsewhere finds it.
    resample_epochs > 1 builds the generator with resample_epochs times the config's instances
    per class, one block of fresh instances per epoch.
    """

    def __init__(self, config, overrides, resample_epochs):
        if int(resample_epochs) < 1:
            raise ValueError(f"resample_epochs must be at least 1, not {resample_epochs}")
        self.resample_epochs = int(resample_epochs)
        self.overrides = dict(overrides)
        self._gen = None
        if isinstance(config, Generator):
            # Reused as it is when nothing changes: make() never touches the pool it was built with.
            if not self.overrides and self.resample_epochs == 1:
                self._gen = config
            self.config = config.config
        elif isinstance(config, dict):
            self.config = dict(config)
        elif isinstance(config, (str, os.PathLike)):
            self.config = os.path.abspath(os.fspath(config))
        else:
            raise TypeError(f"expected a config path, a dict or an fdsl.Generator, not {type(config).__name__}")
        self._per_epoch = None

    @property
    def generator(self):
        if self._gen is None:
            gen = Generator.from_config(self.config, threads=1, **self.overrides)
            self._per_epoch = gen.instances_per_class
            if self.resample_epochs > 1:
                try:
                    gen = Generator.from_config(self.config, threads=1,
                                                **{**self.overrides,
                                                   "instances": self._per_epoch * self.resample_epochs})
                except ValueError as e:
                    raise ValueError(f"resample_epochs={self.resample_epochs} needs {self._per_epoch} x "
                                     f"{self.resample_epochs} instances per class, which family "
                                     f"'{gen.family}' refuses: {e}") from e
            self._gen = gen
        return self._gen

    @property
    def instances_per_epoch(self):
        gen = self.generator
        return self._per_epoch if self._per_epoch is not None else gen.instances_per_class

    def __len__(self):
        return self.generator.num_classes * self.instances_per_epoch

    def locate(self, index, epoch):
        """(category, instance) of flat index `index` in epoch `epoch`."""
        n = len(self)
        i = index + n if index < 0 else index
        if not 0 <= i < n:
            raise IndexError(f"index {index} is out of range for a dataset of {n} samples")
        k = self.instances_per_epoch
        category, instance = divmod(i, k)
        return category, instance + (epoch % self.resample_epochs) * k

    def __getstate__(self):
        return {"config": self.config, "overrides": self.overrides, "resample_epochs": self.resample_epochs}

    def __setstate__(self, state):
        self.config = state["config"]
        self.overrides = state["overrides"]
        self.resample_epochs = state["resample_epochs"]
        self._gen = None
        self._per_epoch = None


def _convert_image(array, image_format):
    if image_format == "numpy":
        return array
    if image_format == "pil":
        from PIL import Image
        return Image.fromarray(array)
    tensor = torch.from_numpy(array)  # shares the buffer: still no copy
    return tensor.unsqueeze(0) if tensor.ndim == 2 else tensor.permute(2, 0, 1)


def _sample_input(sample, image_format):
    """What a sample gives a model: its image; its cloud (N, 3) float32 for point-cloud families;
    for aligned samples (vg_fractal) a dict of "image" (CxHxW, or VxCxHxW for several views),
    "cloud" (when written), and the cameras' "K" (3x3, or Vx3x3) and "world_to_camera" (4x4, or
    Vx4x4) as float64 tensors, so the default collate stacks every field; with masks a dict of
    "image", "mask" and "instances" (HxW int64)."""
    cameras = sample.meta.get("cameras") if isinstance(sample.meta, dict) else None
    numpy = image_format == "numpy"
    as_output = (lambda a: a) if numpy else torch.from_numpy  # arrays stay NumPy, else tensors (no copy)
    if getattr(sample, "mask", None) is not None:
        # Dense labels (masks: true): the image with its class and instance masks, HxW int64 as
        # segmentation losses take them (torch has no uint16), PIL images with image_format="pil".
        if image_format == "pil":
            from PIL import Image
            return {"image": _convert_image(sample.image, "pil"), "mask": Image.fromarray(sample.mask),
                    "instances": Image.fromarray(sample.instances)}
        return {"image": _convert_image(sample.image, image_format),
                "mask": as_output(sample.mask.astype(np.int64)),
                "instances": as_output(sample.instances.astype(np.int64))}
    if not cameras:
        if sample.image is None and sample.cloud is not None:
            return as_output(sample.cloud)
        return _convert_image(sample.image, image_format)
    if image_format == "pil":
        raise ValueError("image_format='pil' gives single images; samples with cameras need 'tensor' or 'numpy'")
    single = sample.image is not None
    images = [_convert_image(p, image_format) for p in ([sample.image] if single else sample.views)]
    out = {"image": images[0] if single else (np.stack if numpy else torch.stack)(images)}
    if sample.cloud is not None:
        out["cloud"] = as_output(sample.cloud)
    for key in ("K", "world_to_camera"):
        mats = np.array([c[key] for c in cameras], dtype=np.float64)
        out[key] = as_output(mats[0] if single else mats)
    return out


def _target(sample, target, num_classes):
    if target == "label":
        return sample.label
    hot = torch.zeros(num_classes, dtype=torch.float32)
    hot[list(sample.labels) or [sample.label]] = 1.0
    return hot


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, not {value!r}")


def _check_options(image_format, target):
    _check_choice("image_format", image_format, _IMAGE_FORMATS)
    _check_choice("target", target, _TARGETS)


