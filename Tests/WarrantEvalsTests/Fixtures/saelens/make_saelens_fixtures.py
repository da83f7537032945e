#!/usr/bin/env python3
"""Makes the SAELens fixtures: SAEs written by SAELens itself (`save_model`), and what
SAELens's own `load_from_disk` + `encode`/`decode` give on fixed inputs.

    pip install sae-lens        # made with sae-lens 6.54.12, torch 2.15
    python3 make_saelens_fixtures.py

Each folder holds cfg.json and sae_weights.safetensors as SAELens wrote them (or, for
`pre6-flat`, a cfg in the flat pre-6.0 layout that SAELens still loads), and
expected.safetensors with `codes` = encode(x) and `recon` = decode(codes), computed by
SAELens after loading the folder back from disk. expected.json holds reconstruction
metrics computed from them in float64. `inputs.safetensors` holds x (64 × 8).
`no-cfg` has weights but no cfg.json: Warrant must refuse it.
"""
import json
import pathlib
import shutil

import torch
from safetensors.torch import save_file
from sae_lens import SAE
from sae_lens.saes import (GatedSAE, GatedSAEConfig, JumpReLUSAE, JumpReLUSAEConfig, StandardSAE,
                           StandardSAEConfig, TopKSAE, TopKSAEConfig)
from sae_lens.saes.sae import SAEMetadata

HERE = pathlib.Path(__file__).resolve().parent
D_IN, D_SAE = 8, 24
torch.manual_seed(0)
x = torch.randn(64, D_IN) * 2 + 0.5
save_file({"x": x.contiguous()}, str(HERE / "inputs.safetensors"))


def randomize(sae):
    """Weights with decoder rows far from unit norm, so that re-normalising them shows."""
    with torch.no_grad():
        for name, p in sae.named_parameters():
            if name == "W_dec":
                p.copy_(torch.randn_like(p) * torch.rand(p.shape[0], 1) * 3)
            elif name == "threshold":
                p.copy_(torch.rand_like(p) * 0.5)
            elif name == "r_mag":
                p.copy_(torch.randn_like(p) * 0.3)
            else:
                p.copy_(torch.randn_like(p) * 0.5)
    return sae


def metrics(x, recon, codes):
    x, recon = x.double(), recon.double()
    sse = ((x - recon) ** 2).sum().item()
    sst = ((x - x.mean(0)) ** 2).sum().item()
    return {"mse": sse / x.numel(), "explained_variance": 1 - sse / sst,
            "l0": (codes > 0).sum().item() / x.shape[0]}


def write(name, sae):
    folder = HERE / name
    shutil.rmtree(folder, ignore_errors=True)
    sae.save_model(str(folder))
    finish(name)


def finish(name):
    folder = HERE / name
    loaded = SAE.load_from_disk(str(folder))
    with torch.no_grad():
        codes = loaded.encode(x)
        recon = loaded.decode(codes)
    save_file({"codes": codes.contiguous(), "recon": recon.contiguous()}, str(folder / "expected.safetensors"))
    (folder / "expected.json").write_text(json.dumps(metrics(x, recon, codes), indent=2, sort_keys=True) + "\n")


meta = lambda hook: SAEMetadata(hook_name=hook)  # noqa: E731
write("standard", randomize(StandardSAE(StandardSAEConfig(d_in=D_IN, d_sae=D_SAE, metadata=meta("hidden.0")))))
write("standard-no-bias-input", randomize(StandardSAE(StandardSAEConfig(
    d_in=D_IN, d_sae=D_SAE, apply_b_dec_to_input=False, metadata=meta("hidden.0")))))
write("topk", randomize(TopKSAE(TopKSAEConfig(d_in=D_IN, d_sae=D_SAE, k=5, metadata=meta("hidden.0")))))
write("topk-rescaled", randomize(TopKSAE(TopKSAEConfig(
    d_in=D_IN, d_sae=D_SAE, k=3, rescale_acts_by_decoder_norm=True, metadata=meta("hidden.0")))))
write("jumprelu", randomize(JumpReLUSAE(JumpReLUSAEConfig(d_in=D_IN, d_sae=D_SAE, metadata=meta("hidden.0")))))
write("gated", randomize(GatedSAE(GatedSAEConfig(d_in=D_IN, d_sae=D_SAE, metadata=meta("hidden.0")))))
write("layer-norm", randomize(StandardSAE(StandardSAEConfig(
    d_in=D_IN, d_sae=D_SAE, normalize_activations="layer_norm", metadata=meta("hidden.0")))))
write("constant-norm-rescale", randomize(StandardSAE(StandardSAEConfig(
    d_in=D_IN, d_sae=D_SAE, normalize_activations="constant_norm_rescale", metadata=meta("hidden.0")))))
write("other-hook", randomize(StandardSAE(StandardSAEConfig(d_in=D_IN, d_sae=D_SAE, metadata=meta("hidden.1")))))

# The flat pre-6.0 layout: no sae_lens_version, `hook_point`, no apply_b_dec_to_input
# (SAELens defaults it to true), a topk activation given the old way.
write("pre6-flat", randomize(TopKSAE(TopKSAEConfig(d_in=D_IN, d_sae=D_SAE, k=4, metadata=meta("hidden.0")))))
flat = {"d_in": D_IN, "d_sae": D_SAE, "dtype": "float32", "device": "cpu", "hook_point": "hidden.0",
        "activation_fn_str": "topk", "activation_fn_kwargs": {"k": 4}, "normalize_activations": False,
        "model_name": "modadd"}
(HERE / "pre6-flat" / "cfg.json").write_text(json.dumps(flat, indent=2) + "\n")
finish("pre6-flat")

# Weights without cfg.json.
shutil.rmtree(HERE / "no-cfg", ignore_errors=True)
shutil.copytree(HERE / "standard", HERE / "no-cfg")
for f in ["cfg.json", "expected.safetensors", "expected.json"]:
    (HERE / "no-cfg" / f).unlink()
print("fixtures written to", HERE)
