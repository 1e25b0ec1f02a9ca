#!/usr/bin/env python3
"""Pre-train a small torchvision network on fractals made on the fly, then fine-tune it on another
task: no dataset on disk, nothing downloaded.

1. Pre-training: sigma-factor fractals (configs/ifs-sigma.yaml: color, plasma backgrounds, flips,
   blur) rendered inside the DataLoader workers by fdsl.torch.FractalDataset, fresh instances every
   epoch (resample_epochs). The recipe's random windows and map jitter are switched off here: with
   them a few hundred steps stay at chance (they pay off over the paper's long schedules).
2. Fine-tuning: a held-out task, the official FractalDB categories (configs/quickstart.yaml, 20
   classes), instances 0-79 of each class for training and 80-99 for testing, once from the
   pre-trained weights and once from scratch with the same steps, so the two test accuracies
   show what the pre-training bought.

    PYTHONPATH=build/python /usr/bin/python3 examples/pretrain_on_the_fly.py          # ~3 min, 2 cores
    PYTHONPATH=build/python /usr/bin/python3 examples/pretrain_on_the_fly.py --quick  # ~15 s smoke run

Exits with status 1 if the pre-training or fine-tuning loss did not go down.
"""
import argparse
import os
import time

import torch
import torchvision
from torch.utils.data import DataLoader, Subset
from torchvision import transforms

from fdsl.torch import FractalDataset

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def batches(loader, dataset):
    """Endless batches: a new epoch (with fresh instances where the dataset resamples) after each pass."""
    epoch = 0
    while True:
        if hasattr(dataset, "set_epoch"):
            dataset.set_epoch(epoch)
        yield from loader
        epoch += 1


def train(model, loader, dataset, steps, lr, label, log_every):
    """AdamW with a one-cycle schedule; returns (mean loss of the first, of the last log window)."""
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.05)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.15)
    model.train()
    window, first, last = [], None, None
    t0 = time.perf_counter()
    seen = 0
    for step, (x, y) in enumerate(batches(loader, dataset), start=1):
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        window.append(loss.item())
        seen += x.shape[0]
        if step % log_every == 0 or step == steps:
            mean = sum(window) / len(window)
            first = mean if first is None else first
            last = mean
            print(f"  {label} step {step:4d}/{steps}  loss {mean:.3f}  "
                  f"({seen / (time.perf_counter() - t0):.0f} images/s)", flush=True)
            window = []
        if step == steps:
            return first, last


@torch.no_grad()
def accuracy(model, loader):
    model.eval()
    right = total = 0
    for x, y in loader:
        right += (model(x).argmax(1) == y).sum().item()
        total += y.numel()
    return right / total


def make_model(name, classes):
    return getattr(torchvision.models, name)(weights=None, num_classes=classes)


def replace_head(model, classes):
    """A fresh classifier for the new task (ResNet and ShuffleNet keep it in .fc)."""
    model.fc = torch.nn.Linear(model.fc.in_features, classes)
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a short smoke run (tests)")
    ap.add_argument("--model", default="resnet18", help="a torchvision model with an .fc head")
    ap.add_argument("--size", type=int, default=32, help="image side in pixels")
    ap.add_argument("--pretrain-classes", type=int, default=50)
    ap.add_argument("--pretrain-steps", type=int, default=300)
    ap.add_argument("--finetune-steps", type=int, default=150)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-baseline", action="store_true", help="skip the from-scratch comparison")
    args = ap.parse_args()
    if args.quick:
        args.size, args.pretrain_classes, args.pretrain_steps, args.finetune_steps = 32, 10, 60, 30
        args.batch_size, args.no_baseline = 32, True

    torch.manual_seed(0)
    # Images arrive as uint8 CxHxW tensors; the transform runs in the workers.
    to_input = transforms.Compose([transforms.ConvertImageDtype(torch.float32),
                                   transforms.Normalize([0.5] * 3, [0.25] * 3)])
    gray_to_input = transforms.Compose([transforms.Lambda(lambda x: x.expand(3, -1, -1)), to_input])

    # 1. Pre-training on sigma-factor fractals, rendered on the fly.
    points = max(2000, 10 * args.size * args.size)  # enough ink for the size; the recipe's 100k is for 224 px
    pre = FractalDataset(os.path.join(ROOT, "configs", "ifs-sigma.yaml"), classes=args.pretrain_classes,
                         instances=args.batch_size * 2, size=args.size, points=points, resample_epochs=1000,
                         random_window=False, jitter=False, transform=to_input)
    print(f"pre-training {args.model} on {pre.generator!r} at {args.size} px, {args.pretrain_steps} steps of "
          f"{args.batch_size}, {args.workers} workers")
    loader = DataLoader(pre, batch_size=args.batch_size, shuffle=True, num_workers=args.workers, drop_last=True)
    model = make_model(args.model, args.pretrain_classes)
    pre_first, pre_last = train(model, loader, pre, args.pretrain_steps, 2e-3, "pre-train",
                                max(1, args.pretrain_steps // 10))

    # 2. Fine-tuning on the held-out task: official FractalDB categories, split by instance.
    task = FractalDataset(os.path.join(ROOT, "configs", "quickstart.yaml"), size=args.size, points=points,
                          transform=gray_to_input)
    k = task.generator.instances_per_class
    train_idx = [c * k + i for c in range(task.num_classes) for i in range(int(0.8 * k))]
    test_idx = [c * k + i for c in range(task.num_classes) for i in range(int(0.8 * k), k)]
    train_loader = DataLoader(Subset(task, train_idx), batch_size=args.batch_size, shuffle=True,
                              num_workers=args.workers, drop_last=True, persistent_workers=args.workers > 0)
    test_loader = DataLoader(Subset(task, test_idx), batch_size=128, num_workers=args.workers)
    print(f"fine-tuning on {task.generator!r}: {len(train_idx)} training and {len(test_idx)} test images")

    results = {}
    runs = [("fine-tune", replace_head(model, task.num_classes))]
    if not args.no_baseline:
        runs.append(("scratch", make_model(args.model, task.num_classes)))
    for label, net in runs:
        torch.manual_seed(1)
        first, last = train(net, train_loader, None, args.finetune_steps, 1e-3, label,
                            max(1, args.finetune_steps // 5))
        results[label] = (first, last, accuracy(net, test_loader))

    print("\nsummary")
    print(f"  pre-training loss     {pre_first:.3f} -> {pre_last:.3f}")
    for label, (first, last, acc) in results.items():
        print(f"  {label:9s} loss {first:.3f} -> {last:.3f}, held-out accuracy {100 * acc:.1f}% "
              f"(chance {100 / task.num_classes:.0f}%)")
    ok = pre_last < pre_first and results["fine-tune"][1] < results["fine-tune"][0]
    if not ok:
        print("loss did not go down")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
