#!/usr/bin/env python3
"""Makes the SAELens-at-a-GPT-2-hook fixtures: SAEs saved by SAELens itself at
TransformerLens hooks of the tied GPT-2 fixture
(../../../WarrantNumericsTests/Fixtures/gpt2/tied-gelu-new), and the metrics SAELens's own
evaluation functions (`sae_lens.evals.get_recons_loss`, `get_sparsity_and_variance_metrics`)
give for them on the held-out sequences, run on a TransformerLens HookedTransformer built
from the same Hugging Face weights.

    pip install sae-lens        # made with sae-lens 6.54.12, transformer-lens, torch 2.15
    python3 make_saelens_gpt2_fixture.py

tokens.npy holds 10 random sequences of 16 ids (int64); Warrant holds out the last 2
(its first-80% split), and those are what SAELens evaluates here, in one batch, with no
ignored tokens. Each SAE folder holds cfg.json and sae_weights.safetensors as SAELens wrote
them, and expected.json with SAELens's metrics under their SAELens names.
"""
import json
import pathlib
import shutil

import numpy as np
import torch
from sae_lens.evals import get_recons_loss, get_sparsity_and_variance_metrics
from sae_lens.saes import StandardSAE, StandardSAEConfig, TopKSAE, TopKSAEConfig
from sae_lens.saes.sae import SAEMetadata
from sae_lens.training.activation_scaler import ActivationScaler
from transformer_lens import HookedTransformer, HookedTransformerConfig
from transformer_lens.pretrained.weight_conversions import convert_gpt2_weights
from transformers import GPT2LMHeadModel

HERE = pathlib.Path(__file__).resolve().parent
GPT2 = HERE.parents[2] / "WarrantNumericsTests" / "Fixtures" / "gpt2" / "tied-gelu-new"


def hooked_transformer():
    hf = GPT2LMHeadModel.from_pretrained(str(GPT2 / "model")).eval()
    c = hf.config
    cfg = HookedTransformerConfig(n_layers=c.n_layer, d_model=c.n_embd, d_head=c.n_embd // c.n_head, n_heads=c.n_head,
                                  d_mlp=c.n_inner or 4 * c.n_embd, d_vocab=c.vocab_size, n_ctx=c.n_positions,
                                  act_fn=c.activation_function, normalization_type="LN", eps=c.layer_norm_epsilon,
                                  positional_embedding_type="standard", original_architecture="GPT2LMHeadModel",
                                  default_prepend_bos=False)
    model = HookedTransformer(cfg)
    model.load_and_process_state_dict(convert_gpt2_weights(hf, cfg), fold_ln=False, center_writing_weights=False,
                                      center_unembed=False, fold_value_biases=False, refactor_factored_attn_matrices=False)
    return model.eval(), hf


class HeldOut:
    """What SAELens's evaluation asks of an activation store: the batch of tokens."""

    def __init__(self, tokens):
        self.tokens = tokens

    def get_batch_tokens(self, _n):
        return self.tokens


def main():
    torch.manual_seed(7)
    model, hf = hooked_transformer()
    tokens = torch.randint(0, hf.config.vocab_size, (10, hf.config.n_positions))
    np.save(HERE / "tokens.npy", tokens.numpy().astype(np.int64))
    with torch.no_grad():
        diff = (model(tokens) - hf(tokens).logits).abs().max().item()
    assert diff < 1e-4, f"TransformerLens and transformers disagree by {diff}"
    held_out = tokens[8:]
    cases = {
        "standard-resid-pre": StandardSAE(StandardSAEConfig(
            d_in=32, d_sae=48, metadata=SAEMetadata(hook_name="blocks.1.hook_resid_pre"))),
        "topk-mlp-post": TopKSAE(TopKSAEConfig(
            d_in=128, d_sae=64, k=8, metadata=SAEMetadata(hook_name="blocks.0.mlp.hook_post"))),
    }
    for name, sae in cases.items():
        hook = sae.cfg.metadata.hook_name
        with torch.no_grad():
            _, cache = model.run_with_cache(tokens[:8], names_filter=[hook])
            acts = cache[hook].reshape(-1, sae.cfg.d_in)
            # Weights that reconstruct somewhat: decoder rows from activations, encoder their transpose.
            rows = acts[torch.randperm(acts.shape[0])[: sae.cfg.d_sae]] - acts.mean(0)
            sae.W_dec.copy_(rows / rows.norm(dim=1, keepdim=True) * (0.5 + torch.rand(sae.cfg.d_sae, 1)))
            sae.W_enc.copy_(rows.T / rows.norm(dim=1) ** 2)
            sae.b_enc.copy_(torch.randn(sae.cfg.d_sae) * 0.05 - 0.1)
            sae.b_dec.copy_(acts.mean(0))
        folder = HERE / name
        shutil.rmtree(folder, ignore_errors=True)
        sae.save_model(str(folder))
        scaler = ActivationScaler()
        recons = get_recons_loss(sae, model, scaler, held_out, compute_kl=True, compute_ce_loss=True)
        metrics = {k: v.mean().item() for k, v in recons.items()}
        metrics["kl_div_score"] = (metrics["kl_div_with_ablation"] - metrics["kl_div_with_sae"]) / metrics["kl_div_with_ablation"]
        metrics["ce_loss_score"] = (metrics["ce_loss_with_ablation"] - metrics["ce_loss_with_sae"]) / (
            metrics["ce_loss_with_ablation"] - metrics["ce_loss_without_sae"])
        sparsity, _ = get_sparsity_and_variance_metrics(
            sae, model, HeldOut(held_out), scaler, n_batches=1, compute_l2_norms=True, compute_sparsity_metrics=True,
            compute_variance_metrics=True, compute_featurewise_density_statistics=False, eval_batch_size_prompts=2,
            model_kwargs={})
        metrics.update(sparsity)
        (folder / "expected.json").write_text(json.dumps(metrics, indent=1, sort_keys=True) + "\n")
        print(name, hook, {k: round(v, 5) for k, v in sorted(metrics.items())})


if __name__ == "__main__":
    main()
