#!/usr/bin/env python3
"""Makes the e2e SAE gradient fixtures at GPT-2 hooks: torch autograd's gradient of
Warrant's e2e and e2e+ds SAE losses with respect to the SAE's parameters, on the tied
GPT-2 fixture (../../../WarrantNumericsTests/Fixtures/gpt2/tied-gelu-new) run by
`transformers` itself, the SAE's reconstruction spliced in with a forward hook.

    pip install torch transformers safetensors   # made with torch 2.15, transformers 5.24
    python3 make_gpt2_sae_fixture.py

The loss, over all N positions of the fixture's 3 sequences (x: the activation at the hook,
rows of width d; n features):
    codes = relu(x W_e^T + b_e), D = W_d rows scaled to unit norm, x_hat = codes D + b_d
    sparsity = lambda / d * sum(codes) / N
    kl = mean over positions of KL(softmax(clean logits) || softmax(spliced logits))
    e2e:    kl + sparsity
    e2e+ds: 0.5 kl + sparsity + beta / K * sum_k mean((spliced_k - clean_k)^2)
            over the K residual-stream hooks after the SAE's (blocks.L.hook_resid_post).
Each case's file holds the parameters (we, be, wd_rows, bd), their gradients (grad.*), and
the loss (`loss`, one element); cases.json gives each case's hook, loss and coefficients.
"""
import json
import pathlib

import torch
from safetensors.torch import save_file
from transformers import GPT2LMHeadModel

HERE = pathlib.Path(__file__).resolve().parent
GPT2 = HERE.parents[2] / "WarrantNumericsTests" / "Fixtures" / "gpt2" / "tied-gelu-new"
CASES = {
    # name: (hook, loss, lambda, beta)
    "resid-post-e2e-ds": ("blocks.0.hook_resid_post", "e2e+ds", 0.3, 2.5),
    "mlp-post-e2e": ("blocks.1.mlp.hook_post", "e2e", 0.1, 0.0),
}
N_FEATURES = 24


def module_and_pick(model, hook):
    """The HF module whose output is the hook's activation, and how to take it from the output."""
    layer, name = int(hook.split(".")[1]), hook.split(".", 2)[2]
    block = model.transformer.h[layer]
    if name == "hook_resid_post":
        return block, lambda out: out[0] if isinstance(out, tuple) else out, \
            lambda out, new: (new,) + tuple(out[1:]) if isinstance(out, tuple) else new
    if name == "mlp.hook_post":
        return block.mlp.act, lambda out: out, lambda out, new: new
    raise ValueError(hook)


def run(model, ids, hook, replace=None, keep=()):
    """Logits, the activation at `hook` (rows), and the residual stream after each block in `keep`."""
    found = {}
    module, pick, put = module_and_pick(model, hook)
    handles = []

    def at_hook(_m, _args, out):
        x = pick(out)
        found[hook] = x.reshape(-1, x.shape[-1])
        if replace is not None:
            return put(out, replace(found[hook]).reshape(x.shape))
        return None

    handles.append(module.register_forward_hook(at_hook))
    for name in keep:
        layer = int(name.split(".")[1])

        def after(_m, _args, out, name=name):
            x = out[0] if isinstance(out, tuple) else out
            found[name] = x.reshape(-1, x.shape[-1])

        handles.append(model.transformer.h[layer].register_forward_hook(after))
    logits = model(ids).logits
    for h in handles:
        h.remove()
    return logits.reshape(-1, logits.shape[-1]), found


def main():
    model = GPT2LMHeadModel.from_pretrained(str(GPT2 / "model")).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    tokens = json.loads((GPT2 / "tokens.json").read_text())
    ids = torch.tensor(tokens["tokens"]).reshape(tokens["sequences"], tokens["context"])
    layers = model.config.n_layer
    written = {}
    for i, (name, (hook, loss, lam, beta)) in enumerate(CASES.items()):
        torch.manual_seed(300 + i)
        layer, hook_name = int(hook.split(".")[1]), hook.split(".", 2)[2]
        first = layer + 1 if hook_name == "hook_resid_post" else layer
        downstream = [f"blocks.{k}.hook_resid_post" for k in range(first, layers)] if loss == "e2e+ds" else []
        with torch.no_grad():
            clean_logits, clean = run(model, ids, hook, keep=downstream)
        x = clean[hook].detach()
        d = x.shape[1]
        we = (torch.randn(N_FEATURES, d) / d ** 0.5).requires_grad_()
        be = (torch.randn(N_FEATURES) * 0.1).requires_grad_()
        wd = (torch.randn(N_FEATURES, d) * (0.5 + torch.rand(N_FEATURES, 1))).requires_grad_()
        bd = (x.mean(0) + torch.randn(d) * 0.05).requires_grad_()
        params = {"we": we, "be": be, "wd_rows": wd, "bd": bd}
        saved = {k: v.detach().clone() for k, v in params.items()}
        codes_holder = {}

        def sae(a):
            codes = torch.relu(a @ we.T + be)
            codes_holder["codes"] = codes
            return codes @ (wd / wd.norm(dim=1, keepdim=True)) + bd

        logits, spliced = run(model, ids, hook, replace=sae, keep=downstream)
        codes = codes_holder["codes"]
        n_pos = x.shape[0]
        sparsity = lam / d * codes.sum() / n_pos
        logp, logq = torch.log_softmax(clean_logits.double(), -1), torch.log_softmax(logits.double(), -1)
        kl = (logp.exp() * (logp - logq)).sum(-1).mean()
        if loss == "e2e":
            total = kl + sparsity
        else:
            terms = [((spliced[k] - clean[k]) ** 2).mean() for k in downstream]
            total = 0.5 * kl + sparsity + beta / len(terms) * sum(terms)
        total.backward()
        out = {k: v.contiguous() for k, v in saved.items()}
        out.update({"grad." + k: v.grad.detach().clone().contiguous() for k, v in params.items()})
        out["loss"] = total.detach().float().reshape(1)
        save_file(out, str(HERE / f"{name}.safetensors"))
        written[name] = {"hook": hook, "loss": loss, "lambda": lam, "beta": beta, "downstream": downstream}
        print(name, hook, loss, f"loss {total.item():.6f}", "downstream", downstream)
    # The settings beside the tensors (safetensors metadata is written in no fixed order).
    (HERE / "cases.json").write_text(json.dumps(written, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
