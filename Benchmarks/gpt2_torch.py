#!/usr/bin/env python3
"""The PyTorch side of Benchmarks/gpt2-vs-torch.sh: writes a GPT-2-small-shaped model with
random weights (12 layers, width 768, 12 heads, MLP 3072, vocabulary 50257) with
save_pretrained, and random token ids (SEQUENCES x 128), then times transformers' own
forward pass on them (eval mode, no_grad, logits out), best of RUNS after a warm-up.

    python3 gpt2_torch.py --make DIR      # write DIR/model and DIR/tokens.npy
    python3 gpt2_torch.py --time DIR --threads 2
"""
import argparse
import os
import time

import numpy as np
import torch
from transformers import GPT2Config, GPT2LMHeadModel

CONTEXT = 128


def make(folder, sequences):
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(n_positions=1024)).eval()
    model.save_pretrained(os.path.join(folder, "model"), safe_serialization=True)
    ids = torch.randint(0, model.config.vocab_size, (sequences, CONTEXT), dtype=torch.int32)
    np.save(os.path.join(folder, "tokens.npy"), ids.numpy())


def time_forward(folder, threads, runs):
    torch.set_num_threads(threads)
    model = GPT2LMHeadModel.from_pretrained(os.path.join(folder, "model")).eval()
    ids = torch.from_numpy(np.load(os.path.join(folder, "tokens.npy")).astype(np.int64))
    with torch.no_grad():
        model(ids[:1])
        best = float("inf")
        for _ in range(runs):
            t0 = time.perf_counter()
            model(ids).logits
            best = min(best, time.perf_counter() - t0)
    tokens = ids.numel()
    print(f"torch {torch.__version__} gpt2 forward: {ids.shape[0]} x {ids.shape[1]} tokens, {threads} threads: "
          f"{best:.3f} s, {tokens / best:.0f} tokens/s")


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--make")
    p.add_argument("--time")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--sequences", type=int, default=8)
    a = p.parse_args()
    if a.make:
        make(a.make, a.sequences)
    if a.time:
        time_forward(a.time, a.threads, a.runs)
