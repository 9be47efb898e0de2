"""PyTorch's imdb_lstm training step with and without its embedding table's gradient, to set
beside `lstm_step.py --variants` (which times horn's the same way).

The bench's PyTorch model (Embedding 20000x128 -> LSTM 128 -> last h -> Linear 1, Adam with
eps=1e-7, BCE with logits, batch 32, length 80, 2 threads), timed as a full step and with the
table frozen (requires_grad False: no table gradient, no Adam on it); best of 5 rounds of 20
steps, the two models interleaved. Runs in the peers' torch venv (horn does not depend on
torch):

    $PY_TORCH benchmarks/torch_lstm_table.py      # eval "$(bash ../shared/bench/setup_peers.sh)"
"""

import time

import torch
from torch import nn

torch.set_num_threads(2)


class LastHidden(nn.Module):
    def forward(self, x):
        _, (h, _) = x
        return h[-1]


def build(frozen):
    model = nn.Sequential(nn.Embedding(20000, 128), nn.LSTM(128, 128, batch_first=True), LastHidden(),
                          nn.Linear(128, 1))
    if frozen:
        model[0].weight.requires_grad_(False)
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3, eps=1e-7)
    return model, opt


def main():
    x, y = torch.randint(0, 20000, (32, 80)), torch.rand(32, 1)
    loss_fn = nn.BCEWithLogitsLoss()
    models = {"full": build(False), "table frozen": build(True)}
    best = dict.fromkeys(models, float("inf"))
    for _ in range(5):
        for name, (model, opt) in models.items():
            for i in range(23):
                if i == 3:
                    start = time.perf_counter()
                opt.zero_grad()
                loss_fn(model(x), y).backward()
                opt.step()
            best[name] = min(best[name], (time.perf_counter() - start) / 20)
    for name, seconds in best.items():
        print(f"{name}: {seconds * 1e3:.2f} ms/step")


if __name__ == "__main__":
    main()
