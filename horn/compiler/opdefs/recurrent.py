"""The fused recurrent ops LSTM, GRU and RNN (inference only), and ReverseSequence.

horn lowers Keras's recurrent layers two ways (DESIGN.md §2): unrolled into primitive ops
with gradients for training, and into these fused ops for predict/export, where onnxruntime
runs one optimized kernel per layer. The fused ops have no gradient rule (ONNX Runtime has
none either outside ORT-training's contrib ops), so they never appear in a training graph.

Layouts are ONNX's with layout=0 (onnxruntime's CPU kernels support no other, and only
float32): X (T, B, input), W (dirs, gates*H, input), R (dirs, gates*H, H), B (dirs,
2*gates*H) = [Wb; Rb], sequence_lens (B,) int32, initial states (dirs, B, H); outputs
Y (T, dirs, B, H) and Y_h (and LSTM's Y_c) (dirs, B, H). Gate orders: LSTM [i, o, f, c],
GRU [z, r, h]. The numpy references follow the ONNX spec, including sequence_lens (steps at
and after a sequence's length leave its state alone and output zeros; the reverse direction
starts at length - 1; an empty sequence ends in zero states, as onnxruntime has it),
activations with their alpha/beta lists, clip, LSTM peepholes and input_forget.
"""

import numpy as np

from ..opdef import defop, same_as

# -- activations (ONNX names, as the recurrent ops' `activations` attribute spells them) --------

_ACTIVATIONS = {
    "Relu": lambda x, a, b: np.maximum(x, 0),
    "Tanh": lambda x, a, b: np.tanh(x),
    "Sigmoid": lambda x, a, b: 1 / (1 + np.exp(-x)),
    "Affine": lambda x, a, b: a * x + b,
    "LeakyRelu": lambda x, a, b: np.where(x >= 0, x, a * x),
    "ThresholdedRelu": lambda x, a, b: np.where(x > a, x, 0),
    "ScaledTanh": lambda x, a, b: a * np.tanh(b * x),
    "HardSigmoid": lambda x, a, b: np.clip(a * x + b, 0, 1),
    "Elu": lambda x, a, b: np.where(x >= 0, x, a * (np.exp(x) - 1)),
    "Softsign": lambda x, a, b: x / (1 + np.abs(x)),
    "Softplus": lambda x, a, b: np.logaddexp(0, x),
}
# (alpha, beta) defaults of the activations that take them; the others consume neither list.
_ALPHA = {"Affine": 1.0, "LeakyRelu": 0.01, "ThresholdedRelu": 1.0, "ScaledTanh": 1.0,
          "HardSigmoid": 0.2, "Elu": 1.0}
_BETA = {"Affine": 0.0, "ScaledTanh": 1.0, "HardSigmoid": 0.5}
SUPPORTED_ACTIVATIONS = frozenset(_ACTIVATIONS)


def _activation_fns(names, alphas, betas):
    """One numpy function per name; alpha/beta values are consumed in order by the
    activations that take them (onnxruntime's reading of the spec)."""
    alphas, betas = list(alphas or []), list(betas or [])
    fns = []
    for name in names:
        canon = next((k for k in _ACTIVATIONS if k.lower() == name.lower()), None)
        if canon is None:
            raise ValueError(f"unknown recurrent activation {name!r}; ONNX has {sorted(_ACTIVATIONS)}")
        a = (alphas.pop(0) if alphas else _ALPHA[canon]) if canon in _ALPHA else 0.0
        b = (betas.pop(0) if betas else _BETA[canon]) if canon in _BETA else 0.0
        a, b = float(np.float32(a)), float(np.float32(b))  # float attributes are stored as float32
        fns.append(lambda x, f=_ACTIVATIONS[canon], a=a, b=b: f(x, a, b))
    return fns


# -- shared machinery ---------------------------------------------------------------------------


def _dirs(attrs):
    return 2 if attrs.get("direction", "forward") == "bidirectional" else 1


def _rule(n_gates, n_outputs):
    def rule(ins, attrs):
        x, w, r = ins[:3]
        if attrs.get("layout", 0) != 0:
            raise ValueError("horn emits recurrent ops with layout=0 only (onnxruntime supports no other)")
        if x.ndim != 3 or w.ndim != 3 or r.ndim != 3:
            raise ValueError(f"recurrent op needs X (T, B, input), W and R of rank 3, got shapes "
                             f"{x.shape}, {w.shape}, {r.shape}")
        hidden = attrs["hidden_size"]
        if w.shape[1] not in (None, n_gates * hidden) or r.shape[1:] not in ((n_gates * hidden, hidden),):
            raise ValueError(f"recurrent op with hidden_size={hidden} needs W (dirs, {n_gates * hidden}, "
                             f"input) and R (dirs, {n_gates * hidden}, {hidden}), got {w.shape}, {r.shape}")
        dirs = _dirs(attrs)
        t, b = x.shape[0], x.shape[1]
        return [((t, dirs, b, hidden), x.dtype)] + [((dirs, b, hidden), x.dtype)] * (n_outputs - 1)
    return rule


def _run(step, n_states, n_gates, x, w, r, bias, lens, inits, attrs, n_acts, default_acts):
    """Run `step` over time for each direction; returns Y and the final states."""
    hidden = attrs["hidden_size"]
    dirs = _dirs(attrs)
    t_len, batch = x.shape[0], x.shape[1]
    names = attrs.get("activations") or default_acts * dirs
    fns = _activation_fns(names, attrs.get("activation_alpha"), attrs.get("activation_beta"))
    clip = attrs.get("clip")
    lens = np.full(batch, t_len, np.int64) if lens is None else np.asarray(lens).astype(np.int64)
    y = np.zeros((t_len, dirs, batch, hidden), x.dtype)
    finals = []
    for d in range(dirs):
        reverse = attrs.get("direction", "forward") == "reverse" or d == 1
        wb, rb = ((np.zeros(n_gates * hidden, x.dtype),) * 2 if bias is None else np.split(bias[d], 2))
        states = [np.zeros((batch, hidden), x.dtype) if s is None else s[d].copy() for s in inits]
        states += [np.zeros((batch, hidden), x.dtype)] * (n_states - len(states))
        acts = fns[d * n_acts:(d + 1) * n_acts]
        for t in (range(t_len - 1, -1, -1) if reverse else range(t_len)):
            active = (t < lens)[:, None]  # a sequence's steps past its length change nothing
            new = step(x[t] @ w[d].T + wb, states, r[d], rb, acts, clip, d)
            states = [np.where(active, n, s) for n, s in zip(new, states)]
            y[t, d] = np.where(active, new[0], 0)
        # onnxruntime reports zeros as the final state of an empty sequence (length 0).
        finals.append([np.where((lens > 0)[:, None], s, 0).astype(x.dtype) for s in states])
    return (y,) + tuple(np.stack([f[k] for f in finals]) for k in range(n_states))


def _clip(z, clip):
    return z if clip is None else np.clip(z, -clip, clip)


# -- LSTM ---------------------------------------------------------------------------------------


def _lstm_step_fn(attrs, peepholes):
    def step(xw, st, r, rb, acts, clip, d):
        f_act, g_act, h_act = acts
        h, c = st
        z = xw + h @ r.T + rb
        zi, zo, zf, zc = np.split(z, 4, axis=-1)
        p = peepholes[d] if peepholes is not None else np.zeros(3 * h.shape[-1], h.dtype)
        pi, po, pf = np.split(p, 3)
        i = f_act(_clip(zi + pi * c, clip))
        f = 1 - i if attrs.get("input_forget") else f_act(_clip(zf + pf * c, clip))
        c_new = f * c + i * g_act(_clip(zc, clip))
        o = f_act(_clip(zo + po * c_new, clip))
        return [(o * h_act(c_new)).astype(h.dtype), c_new.astype(h.dtype)]
    return step


def _lstm_ref(x, w, r, b=None, sequence_lens=None, initial_h=None, initial_c=None, p=None, **attrs):
    return _run(_lstm_step_fn(attrs, p), 2, 4, x, w, r, b, sequence_lens, [initial_h, initial_c],
                attrs, 3, ["Sigmoid", "Tanh", "Tanh"])


_RNN_DEFAULTS = dict(direction="forward", layout=0)
defop("LSTM", _rule(4, 3), _lstm_ref, None, defaults=dict(_RNN_DEFAULTS, input_forget=0))


# -- GRU ----------------------------------------------------------------------------------------


def _gru_step_fn(attrs):
    def step(xw, st, r, rb, acts, clip, d):
        f_act, g_act = acts
        (h,) = st
        xz, xr, xh = np.split(xw, 3, axis=-1)
        rz, rr, rh = np.split(r, 3, axis=0)
        bz, br, bh = np.split(rb, 3)
        z = f_act(_clip(xz + h @ rz.T + bz, clip))
        rt = f_act(_clip(xr + h @ rr.T + br, clip))
        if attrs.get("linear_before_reset"):
            hh = g_act(_clip(xh + rt * (h @ rh.T + bh), clip))
        else:
            hh = g_act(_clip(xh + (rt * h) @ rh.T + bh, clip))
        return [((1 - z) * hh + z * h).astype(h.dtype)]
    return step


def _gru_ref(x, w, r, b=None, sequence_lens=None, initial_h=None, **attrs):
    return _run(_gru_step_fn(attrs), 1, 3, x, w, r, b, sequence_lens, [initial_h], attrs, 2,
                ["Sigmoid", "Tanh"])


defop("GRU", _rule(3, 2), _gru_ref, None, defaults=dict(_RNN_DEFAULTS, linear_before_reset=0))


# -- RNN ----------------------------------------------------------------------------------------


def _rnn_step(xw, st, r, rb, acts, clip, d):
    (h,) = st
    return [acts[0](_clip(xw + h @ r.T + rb, clip)).astype(h.dtype)]


def _rnn_ref(x, w, r, b=None, sequence_lens=None, initial_h=None, **attrs):
    return _run(_rnn_step, 1, 1, x, w, r, b, sequence_lens, [initial_h], attrs, 1, ["Tanh"])


defop("RNN", _rule(1, 2), _rnn_ref, None, defaults=dict(_RNN_DEFAULTS))


# -- ReverseSequence ----------------------------------------------------------------------------


def _reverse_sequence_ref(x, sequence_lens, batch_axis=1, time_axis=0):
    out = x.copy()
    for b, n in enumerate(np.asarray(sequence_lens).reshape(-1)):
        src = [slice(None)] * x.ndim
        src[batch_axis], src[time_axis] = b, slice(0, int(n))
        dst = list(src)
        dst[time_axis] = slice(int(n) - 1, None, -1) if n > 0 else slice(0, 0)
        out[tuple(src)] = x[tuple(dst)]
    return out


def _reverse_sequence_grad(n, g):
    """Reversing is its own inverse: the gradient is reversed back the same way."""
    from ..opdef import op

    return [op.ReverseSequence(g[0], n.inputs[1], **n.attrs), None]


defop("ReverseSequence", same_as(0), _reverse_sequence_ref, _reverse_sequence_grad,
      defaults=dict(batch_axis=1, time_axis=0))
