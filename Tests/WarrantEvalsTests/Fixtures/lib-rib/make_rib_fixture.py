"""Makes rib-folded.json: what rib computes for the folded-bias ("centred") LIB of a small
ReLU MLP, for LIBRibFixtureTests to compare Warrant's `--fold-bias` basis against.

It follows rib's code path step by step (ApolloResearch/rib at 7a6199f) with torch autograd
for every derivative, as rib does, and no closed forms of its own:

- rib/models/utils.py::fold_mlp_in: the bias folds into the weight, the constant input
  coordinate 1 maps to ReLU(1) = 1 on every hidden layer, and the last layer keeps no
  constant output;
- rib/interaction_algos.py::_calculate_one_interaction_rotation with basis_formula
  "jacobian", center=True, gradient integration (alpha = 1), rotate_final_node_layer=False;
- rib/linalg.py::calc_basis_jacobian, masked_eigendecompose, move_const_dir_first,
  centering_matrix, build_sorted_lambda_matrices, calc_edge_squared, module_hat;
- rib/ablations.py::_get_edge_mask (constant edges free) and
  rib/hook_fns.py::edge_ablation_forward_hook_fn for one edge ablation.

Run from this folder: python3 make_rib_fixture.py  (torch 2.x, CPU; deterministic).
"""

import json

import torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(20261202)

SIZES = [5, 8, 6, 3]
N = 256
THRESHOLD = 1e-12  # rib's truncation_threshold, absolute; the spectra here are far from it


def init_layer(d_in, d_out):
    # As rib's MLPLayer: uniform(-1/sqrt(d_in), 1/sqrt(d_in)), W stored (d_in, d_out).
    bound = 1 / d_in**0.5
    w = torch.empty(d_in, d_out).uniform_(-bound, bound)
    b = torch.empty(d_out).uniform_(-bound, bound)
    return w, b


layers = [init_layer(a, b) for a, b in zip(SIZES[:-1], SIZES[1:])]
x = torch.randn(N, SIZES[0])


def fold(w, b, last):
    """rib.models.utils.fold_mlp_in (root_one = 1 for ReLU and identity)."""
    top = torch.cat([w, b[None, :]], dim=0)
    extra = torch.cat([torch.zeros(w.shape[0], 1), torch.ones(1, 1)], dim=0)
    folded = torch.cat([top, extra], dim=1)
    return folded[..., :-1] if last else folded


folded = [fold(w, b, i == len(layers) - 1) for i, (w, b) in enumerate(layers)]


def module(i):
    last = i == len(layers) - 1

    def run(inp):
        out = inp @ folded[i]
        return out if last else torch.relu(out)

    return run


# Node layer inputs with the constant 1 appended, as rib's MLP.forward feeds them.
acts = [torch.cat([x, torch.ones(N, 1)], dim=-1)]
for i in range(len(layers) - 1):
    acts.append(module(i)(acts[-1]))


def eigendecompose(m):
    vals, vecs = torch.linalg.eigh(m)
    vals = vals.abs()
    idx = torch.argsort(vals, descending=True)
    return vals[idx], vecs[:, idx]


def masked_eigendecompose(m, n_masked):
    sub_vals, sub_vecs = eigendecompose(m[n_masked:, n_masked:])
    vecs = torch.block_diag(torch.eye(n_masked), sub_vecs)
    vals = torch.cat([m.diag()[:n_masked], sub_vals])
    return vals, vecs


def move_const_dir_first(d, u):
    is_const = (u[-1, :].abs() > 1e-6) & (d.abs() > 1e-6)
    assert is_const.sum() == 1
    k = int(is_const.nonzero()[0, 0])
    order = torch.tensor([k] + [i for i in range(d.shape[0]) if i != k])
    return d[order], u[:, order]


def centering_matrix(mean, inverse=False):
    s = torch.eye(mean.shape[0])
    shift = mean.clone() if inverse else -mean.clone()
    s[-1, :-1] = shift[:-1]
    return s


def sorted_lambda_matrices(lam, ignore_first_n):
    rest = torch.argsort(lam[ignore_first_n:], descending=True) + ignore_first_n
    idxs = torch.cat([torch.arange(ignore_first_n), rest])
    n_small = int((lam < THRESHOLD).sum())
    kept = idxs[:-n_small] if n_small > 0 else idxs
    return torch.diag(lam.sqrt())[:, kept], torch.diag(lam.sqrt().reciprocal())[kept, :]


def basis_jacobian(i, inp, c_out):
    """calc_basis_jacobian with gradient integration: in_grads[b, r, j] = d(f_out C)_r / d in_j."""
    inp = inp.clone().requires_grad_(True)
    out = module(i)(inp)
    out_hat = out @ c_out if c_out is not None else out
    grads = torch.zeros(N, out_hat.shape[1], inp.shape[1])
    for r in range(out_hat.shape[1]):
        grads[:, r] = torch.autograd.grad(out_hat[:, r].sum(), inp, retain_graph=True)[0]
    return grads


# From the output backwards; the output node layer is not rotated (C = None, the identity).
Cs = [None] * len(SIZES)
Cinv = [None] * len(SIZES)
Lambdas = [None] * len(SIZES)
for l in range(len(layers) - 1, -1, -1):
    f = acts[l]
    mean = f.mean(dim=0)
    shift = -mean.clone()
    shift[-1] = 0.0
    g = (f + shift).T @ (f + shift) / N
    d_dash, u_dash = eigendecompose(g)
    d_dash, u_dash = move_const_dir_first(d_dash, u_dash)
    mask = d_dash > THRESHOLD
    D = d_dash[mask].diag()
    U = u_dash[:, mask]
    Y, Y_inv = centering_matrix(mean), centering_matrix(mean, inverse=True)
    W = Y @ U
    W_pinv = U.T @ Y_inv
    R = W @ torch.diag(D.diag().sqrt().reciprocal())
    R_pinv = D.sqrt() @ W_pinv
    grads = basis_jacobian(l, f, Cs[l + 1])
    M_dash = torch.einsum("bij,biJ->jJ", grads, grads) / N
    M = R_pinv @ M_dash @ R_pinv.T
    lam, V = masked_eigendecompose(M, 1)
    L, L_inv = sorted_lambda_matrices(lam, ignore_first_n=1)
    Cs[l] = R @ V @ L
    Cinv[l] = L_inv @ V.T @ R_pinv
    Lambdas[l] = lam[torch.cat([torch.tensor([0]), torch.argsort(lam[1:], descending=True) + 1])]


def module_hat(l):
    def run(f_hat):
        out = module(l)(f_hat @ Cinv[l])
        return out @ Cs[l + 1] if Cs[l + 1] is not None else out

    return run


def edges(l):
    """calc_edge_squared, gradient integration: E_ij = mean_x (d f_hat_out_i / d f_hat_in_j * f_hat_in_j)^2."""
    f_hat = (acts[l] @ Cs[l]).detach().requires_grad_(True)
    out = module_hat(l)(f_hat)
    e = torch.zeros(out.shape[1], f_hat.shape[1])
    for i in range(out.shape[1]):
        grad = torch.autograd.grad(out[:, i].sum(), f_hat, retain_graph=True)[0]
        e[i] = ((-grad * f_hat) ** 2).sum(dim=0) / N
    return e


def edge_mask(weights, kept):
    """rib.ablations._get_edge_mask with keep_const_edges=True."""
    sub = weights[:, 1:]
    if kept > sub.numel():
        return torch.ones_like(weights, dtype=torch.bool)
    sub_mask = torch.zeros_like(sub, dtype=torch.bool) if kept == 0 else sub >= torch.topk(sub.flatten(), k=kept).values[-1]
    full = torch.ones_like(weights, dtype=torch.bool)
    full[:, 1:] = sub_mask
    return full


def edge_ablated_output(l, mask):
    """edge_ablation_forward_hook_fn on section l, then the rest of the network."""
    with torch.no_grad():
        in_rib = acts[l] @ Cs[l]
        out_c = Cs[l + 1] if Cs[l + 1] is not None else torch.eye(SIZES[l + 1])
        out_c_inv = Cinv[l + 1] if Cinv[l + 1] is not None else torch.eye(SIZES[l + 1])
        new_out_rib = torch.zeros(N, out_c.shape[1])
        unique, inverse = mask.unique(dim=0, return_inverse=True)
        for k, in_mask in enumerate(unique):
            out_mask = inverse == k
            ablated_in = torch.where(in_mask, in_rib, 0.0) @ Cinv[l]
            new_out_rib[:, out_mask] = module(l)(ablated_in) @ out_c[:, out_mask]
        h = new_out_rib @ out_c_inv
        for i in range(l + 1, len(layers)):
            h = module(i)(h)
        return h


fixture = {
    "generator": "make_rib_fixture.py (rib-faithful, torch %s autograd)" % torch.__version__,
    "sizes": SIZES,
    # Warrant's layout: weight l is d_out x d_in.
    "weights": [w.T.tolist() for w, _ in layers],
    "biases": [b.tolist() for _, b in layers],
    "inputs": x.tolist(),
    "node_layers": [],
    "transitions": [],
}
for l in range(len(layers)):
    fixture["node_layers"].append({"index": l, "lambda": Lambdas[l].tolist(), "dims": Cs[l].shape[1]})
for l in range(1, len(layers)):
    e = edges(l).detach()
    kept = max(1, (e.shape[1] - 1) * e.shape[0] // 3)
    fixture["transitions"].append({
        "from": l,
        "edges": e.tolist(),
        "ablation": {"kept_non_constant_edges": kept,
                     "mask": edge_mask(e, kept).tolist(),
                     "output": edge_ablated_output(l, edge_mask(e, kept)).tolist()},
    })

with open("rib-folded.json", "w") as out:
    json.dump(fixture, out)
    out.write("\n")
print("node layers:", [(n["index"], n["dims"], round(n["lambda"][0], 4)) for n in fixture["node_layers"]])
