"""Makes the GPT-2 fixtures of GPT2Tests with Hugging Face `transformers` itself.

Each case is a small random GPT-2 saved with `save_pretrained` (safetensors), the token
ids it runs on (tokens.json) and what transformers computes from them (expected.safetensors):
the logits and every hook under its TransformerLens name, read off the HF modules with
forward hooks; and torch autograd's gradient at every hook (gradients.safetensors) of
the loss sum(logits * grad_logits) + sum(blocks.1.hook_resid_post * inject), both
random, and the same loss's gradient for every weight (weight-gradients.safetensors, Hugging
Face names). Run from this folder:

    pip install torch transformers safetensors
    python3 make_gpt2_fixture.py

transformers 5.24.0 and torch 2.15.0 (CPU, float32) made the committed files; the weight
gradients came from PyPI's torch 2.15.0 build, whose kernels give gradients.safetensors
within 1e-7 relative of the committed file (that file is kept as first made).
"""
import json
import os
import shutil

import torch
from safetensors.torch import save_file
from transformers import GPT2Config, GPT2LMHeadModel

CASES = {
    # GPT-2's own settings, tied unembedding, one file.
    "tied-gelu-new": dict(vocab_size=97, n_positions=16, n_embd=32, n_layer=2, n_head=4,
                          activation_function="gelu_new"),
    # Other activation, MLP width, untied head, scaled by the inverse layer index, sharded.
    "untied-relu-sharded": dict(vocab_size=61, n_positions=12, n_embd=24, n_layer=3, n_head=3, n_inner=40,
                                activation_function="relu", tie_word_embeddings=False,
                                scale_attn_by_inverse_layer_idx=True, layer_norm_epsilon=1e-4),
}


def register(model, seen, with_pos_embed=True):
    """Forward hooks on the HF modules that call seen(name, tensor) with each activation
    under its TransformerLens name; returns the handles."""
    t, handles = model.transformer, []

    def output(name, index=None):
        def f(_module, _inputs, value):
            # Blocks return a tensor in transformers 5, a tuple before; attention a tuple.
            if index is not None and isinstance(value, tuple):
                value = value[index]
            seen(name, value)
        return f

    def first_input(name):
        def f(_module, inputs):
            seen(name, inputs[0])
        return f

    handles.append(t.wte.register_forward_hook(output("hook_embed")))
    if with_pos_embed:
        handles.append(t.wpe.register_forward_hook(output("hook_pos_embed")))
    for l, block in enumerate(t.h):
        p = f"blocks.{l}."
        handles.append(block.register_forward_pre_hook(first_input(p + "hook_resid_pre")))
        handles.append(block.ln_1.register_forward_hook(output(p + "ln1.hook_normalized")))
        handles.append(block.attn.register_forward_hook(output(p + "hook_attn_out", 0)))
        handles.append(block.ln_2.register_forward_pre_hook(first_input(p + "hook_resid_mid")))
        handles.append(block.ln_2.register_forward_hook(output(p + "ln2.hook_normalized")))
        handles.append(block.mlp.c_fc.register_forward_hook(output(p + "mlp.hook_pre")))
        handles.append(block.mlp.act.register_forward_hook(output(p + "mlp.hook_post")))
        handles.append(block.mlp.register_forward_hook(output(p + "hook_mlp_out")))
        handles.append(block.register_forward_hook(output(p + "hook_resid_post", 0)))
    handles.append(t.ln_f.register_forward_hook(output("ln_final.hook_normalized")))
    return handles


def hooks(model, ids):
    """Every TransformerLens hook of one forward pass, from the HF modules."""
    out = {}
    handles = register(model, lambda name, value: out.__setitem__(name, value.detach().clone()))
    with torch.no_grad():
        out["logits"] = model(ids).logits.detach().clone()
    for h in handles:
        h.remove()
    # pos_embed has no batch dimension in HF; TransformerLens broadcasts it to every sequence.
    out["hook_pos_embed"] = out["hook_pos_embed"].expand(ids.shape[0], -1, -1)
    return {k: v.reshape(-1, v.shape[-1]).contiguous().float() for k, v in out.items()}


def gradients(model, ids):
    """d loss / d activation at every hook (but hook_pos_embed, which HF broadcasts over
    the batch), by autograd, with the random weights of the loss."""
    kept = {}

    def keep(name, value):
        value.retain_grad()
        kept[name] = value

    handles = register(model, keep, with_pos_embed=False)
    logits = model(ids).logits
    for h in handles:
        h.remove()
    grad_logits = torch.randn_like(logits)
    inject = torch.randn_like(kept["blocks.1.hook_resid_post"])
    loss = (logits * grad_logits).sum() + (kept["blocks.1.hook_resid_post"] * inject).sum()
    loss.backward()
    out = {k: v.grad for k, v in kept.items()}
    out["grad_logits"] = grad_logits
    out["inject.blocks.1.hook_resid_post"] = inject
    # The same loss's gradient for every weight, under its Hugging Face name (a tied
    # unembedding's share is in transformer.wte.weight).
    weights = {n: p.grad.detach().float().clone().contiguous() for n, p in model.named_parameters() if p.grad is not None}
    return {k: v.detach().reshape(-1, v.shape[-1]).float().clone() for k, v in out.items()}, weights


def main():
    for i, (name, settings) in enumerate(CASES.items()):
        torch.manual_seed(100 + i)
        config = GPT2Config(**settings)
        model = GPT2LMHeadModel(config).eval()
        # Random LayerNorm weights and biases too (they start at 1 and 0), so that none is a no-op.
        with torch.no_grad():
            for n, p in model.named_parameters():
                if "ln_" in n:
                    p.copy_(torch.randn_like(p) * 0.2 + (1.0 if n.endswith("weight") else 0.0))
        folder = os.path.join(name, "model")
        shutil.rmtree(name, ignore_errors=True)
        shard = "12KB" if "sharded" in name else "50GB"
        model.save_pretrained(folder, safe_serialization=True, max_shard_size=shard)
        sequences, context = 3, config.n_positions if i == 0 else 7
        ids = torch.randint(0, config.vocab_size, (sequences, context))
        with open(os.path.join(name, "tokens.json"), "w") as f:
            json.dump({"sequences": sequences, "context": context, "tokens": ids.flatten().tolist()}, f)
            f.write("\n")
        save_file(hooks(model, ids), os.path.join(name, "expected.safetensors"))
        at_hooks, weights = gradients(model, ids)
        save_file(at_hooks, os.path.join(name, "gradients.safetensors"))
        save_file(weights, os.path.join(name, "weight-gradients.safetensors"))
        print(name, sorted(os.listdir(folder)))


if __name__ == "__main__":
    main()
