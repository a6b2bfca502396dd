"""(e) One or more epochs of the seed CNN on MNIST: training images/second and test accuracy.

The model and settings of `rlrun fit cnn mnist` (the seed preset): conv(1->32,k3,p1) ReLU maxpool2
conv(32->64,k3,p1) ReLU maxpool2 flatten linear(64*7*7->10); cross-entropy; SGD with momentum;
batches of --batch-size shuffled each epoch; pixels normalized as torchvision's
ToTensor + Normalize(0.1307, 0.3081).  The IDX files are read from --data (the GoMNIST Go module's
data directory, which ships them), decoded up front (not timed).  Training time covers the
training batches and the test-set evaluation at the end of each epoch (batches of 250), as
rlrun fit's train_seconds does; the accuracy is that of the last epoch's evaluation.
Usage: python3 bench_mnist.py --data DIR --threads N [--epochs 1] [--train-size 0] [--test-size 0]
"""
import threads  # noqa: F401  (must precede torch import)
import argparse
import gzip
import json
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=None)
p.add_argument("--blas-threads", type=int, default=None)
p.add_argument("--omp-wait", default=None)
p.add_argument("--data", required=True)
p.add_argument("--epochs", type=int, default=1)
p.add_argument("--batch-size", type=int, default=64)
p.add_argument("--lr", type=float, default=0.01)
p.add_argument("--momentum", type=float, default=0.9)
p.add_argument("--train-size", type=int, default=0)
p.add_argument("--test-size", type=int, default=0)
p.add_argument("--seed", type=int, default=1)
args = p.parse_args()
tinfo = threads.apply()
torch.manual_seed(args.seed)


def idx(name):
    """Reads an IDX file (gzip-compressed or not) into a uint8 array."""
    path = os.path.join(args.data, name)
    opener = gzip.open if not os.path.exists(path[:-3]) else open
    if opener is open:
        path = path[:-3]
    with opener(path, "rb") as f:
        zero, dtype, ndim = struct.unpack(">HBB", f.read(4))
        if zero != 0 or dtype != 0x08:
            raise ValueError(f"{path}: not an IDX file of unsigned bytes")
        shape = struct.unpack(">" + "I" * ndim, f.read(4 * ndim))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(shape)


def load(prefix, limit):
    x = idx(prefix + "-images-idx3-ubyte.gz")
    y = idx(prefix + "-labels-idx1-ubyte.gz")
    if limit > 0:
        x, y = x[:limit], y[:limit]
    x = torch.from_numpy((x.astype(np.float32) / 255.0 - 0.1307) / 0.3081).unsqueeze(1)
    return x.contiguous(), torch.from_numpy(y.astype(np.int64))


xtr, ytr = load("train", args.train_size)
xte, yte = load("t10k", args.test_size)

model = nn.Sequential(
    nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(64 * 7 * 7, 10),
)
opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
loss_fn = nn.CrossEntropyLoss()
g = torch.Generator().manual_seed(args.seed)


def evaluate():
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(xte), 250):
            correct += (model(xte[i:i + 250]).argmax(1) == yte[i:i + 250]).sum().item()
    return correct / len(xte)


train_seconds = 0.0
images = 0
accuracy = 0.0
for epoch in range(args.epochs):
    perm = torch.randperm(len(xtr), generator=g)
    xs, ys = xtr[perm], ytr[perm]  # shuffled copies, made before the clock starts
    model.train()
    t0 = time.perf_counter()
    for i in range(0, len(xs), args.batch_size):
        opt.zero_grad()
        loss = loss_fn(model(xs[i:i + args.batch_size]), ys[i:i + args.batch_size])
        loss.backward()
        opt.step()
    accuracy = evaluate()
    train_seconds += time.perf_counter() - t0
    images += len(xs)

res = {
    "bench": "mnist", "threads": tinfo, "versions": threads.versions(),
    "epochs": args.epochs, "train_images": images, "train_seconds": train_seconds,
    "images_per_s": images / train_seconds, "test_accuracy": accuracy,
}
print(json.dumps(res))
