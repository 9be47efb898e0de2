"""Tracing models into op graphs, and compiling those graphs into runnable programs.

Three programs per model (DESIGN.md §5-7): predict (parameters baked in as initializers,
also what `export()` writes), evaluate (parameters read from the live device state), and
the training step (forward, loss, gradients, optimizer update, metric totals, as one
graph whose state inputs and outputs are the parameters, slots, step count and totals).
"""

import numpy as np

from ..compiler import Graph, gradients, optimize, to_onnx
from ..compiler.inplace import plan_inplace
from ..compiler.passes import DEFAULT_PASSES, DEVICE_PASSES
from ..runtime import Program
from ..runtime import providers as dev
from . import ops, tracing
from .tracing import Trace


def dynamic(shape):
    """The batch axis of a data shape becomes dynamic."""
    return (None,) + tuple(shape[1:]) if len(shape) else ()


def compile_graph(graph):
    """Optimize and emit a graph for the device programs run on; returns the ModelProto."""
    return to_onnx(optimize(graph, passes=DEVICE_PASSES[dev.device()] + DEFAULT_PASSES))


def compile_train_graph(graph, n_state):
    """compile_graph for a training step whose last n_state inputs are the state and whose
    outputs are its next values: returns (ModelProto, {state index: names of the extra
    outputs its in-place update writes before the next value}) for the states that can be
    updated in place (compiler/inplace.py)."""
    graph = optimize(graph, passes=DEVICE_PASSES[dev.device()] + DEFAULT_PASSES)
    state_inputs = graph.inputs[len(graph.inputs) - n_state:]
    plans = plan_inplace(graph, state_inputs, graph.outputs[:n_state])
    inplace = {}
    for k, (x, chain) in enumerate(zip(state_inputs, plans)):
        if chain is not None:
            inplace[k] = [f"{x.name}__link{j}" for j in range(len(chain) - 1)]
            graph.outputs = graph.outputs + chain[:-1]
            graph.output_names = graph.output_names + inplace[k]
    return to_onnx(graph), inplace


def compile_eager(layer, arrays, args, kwargs):
    """Run a layer on numpy arrays through a small cached program. A stateful layer's carried
    states (a stateful RNN's) are inputs of the program and advance with each call, as in Keras."""
    flat = tracing.flatten(arrays)
    carried = getattr(layer, "_eager_carried", {})
    key = (tuple((a.shape[1:], a.dtype.str) for a in flat), repr(args), repr(sorted(kwargs.items())),
           tuple(w.version for w in layer.weights if id(w) not in carried))
    entry = layer._eager_programs.get(key)
    if entry is None:
        entry, found = _eager_program(layer, arrays, args, kwargs, carried)
        if set(found) - set(carried):  # states to carry, now known: bind them as program inputs
            carried = layer._eager_carried = found
            entry, _ = _eager_program(layer, arrays, args, kwargs, carried)
        key = (key[:3] + (tuple(w.version for w in layer.weights if id(w) not in carried),))  # weights exist now
        layer._eager_programs = {key: entry}
    program, structure, updated = entry
    results = program(*flat, *[var.numpy() for var in carried.values()])
    if updated:
        for var, value in zip(updated, results[-len(updated):]):
            var.assign(value)
        results = results[:-len(updated)]
    return tracing.pack_like(structure, results)


def _eager_program(layer, arrays, args, kwargs, carried):
    """(program, output structure, updated variables), and the variables a non-training call
    updates (carried states)."""
    flat = tracing.flatten(arrays)
    graph = Graph(layer.name)
    inputs = [graph.input(dynamic(a.shape), a.dtype, f"input_{i}") for i, a in enumerate(flat)]
    bound = {k: graph.input(var.shape, var.dtype, f"carried_state_{i}") for i, (k, var) in enumerate(carried.items())}
    training = bool(kwargs.get("training"))
    trace = Trace(graph, training=training, variables="constants", bound=bound, carry_states=True)
    with trace.active():
        out = layer._traced_call(tracing.pack_like(arrays, inputs), args, dict(kwargs))
    graph.outputs = tracing.flatten(out)
    graph.output_names = [f"output_{i}" for i in range(len(graph.outputs))]
    # A training-mode call also makes its updates (BatchNormalization's moving statistics).
    updated = [var for var, _ in trace.updates.values()]
    graph.outputs += [value for _, value in trace.updates.values()]
    graph.output_names += [f"update_{i}" for i in range(len(updated))]
    entry = (Program(compile_graph(graph).SerializeToString()), out, updated)
    found = {} if training else {id(var): var for var in updated}
    return entry, found


def predict_graph(model, specs, carry_states=False):
    """The inference graph: inputs named after the model's inputs, parameters as constants.

    With carry_states, the states that stateful layers carry from batch to batch are inputs
    ("carried_state_i") and their new values extra outputs ("carried_state_i_next"); the
    variables they belong to are `graph.carried` (empty for a model without such state)."""
    graph, carried = _predict_trace(model, specs, carry_states, bound={})
    if carried:
        graph, _ = _predict_trace(model, specs, carry_states, bound=carried)
    return graph


def _predict_trace(model, specs, carry_states, bound):
    graph = Graph(model.name)
    xs = [graph.input(shape, dtype, name) for (shape, dtype), name in zip(specs, model.input_names)]
    inputs = {id(v): graph.input(v.shape, v.dtype, f"carried_state_{i}") for i, v in enumerate(bound.values())}
    trace = Trace(graph, training=False, variables="constants", bound=inputs, carry_states=carry_states)
    with trace.active():
        outs = tracing.flatten(model(xs if len(xs) > 1 else xs[0], training=False))
    graph.outputs, graph.output_names = outs, list(model.output_names)
    graph.carried = list(bound.values())
    if bound:
        graph.outputs += [trace.updates[id(v)][1] for v in bound.values()]
        graph.output_names += [f"carried_state_{i}_next" for i in range(len(bound))]
    return graph, {id(var): var for var, _ in trace.updates.values()}


class LogPlan:
    """A program's logs and how each is read from its accumulated sums.

    Most logs accumulate two sums over every batch, sum(values * weights) and sum(weights); their
    value is finalize(ratio), 0 where nothing was counted (as Keras's divide_no_nan). A mean over
    samples has the batch size as weight; Precision has the predicted positives;
    RootMeanSquaredError's finalize is sqrt. A metric with its own `batch_sums` (AUC: confusion
    counts at every threshold) accumulates those and reads its value with `from_sums`."""

    def __init__(self, names, readers, sizes):
        self.names, self.readers, self.sizes = list(names), list(readers), list(sizes)

    def __iter__(self):
        return iter(self.names)

    def __len__(self):
        return len(self.names)

    def read(self, sums):
        """{name: value} from the accumulated sums."""
        sums, out, at = np.asarray(sums, np.float64), {}, 0
        for name, read, size in zip(self.names, self.readers, self.sizes):
            out[name] = float(read(sums[at:at + size]))
            at += size
        return out


def _ratio_reader(finalize):
    return lambda s: finalize(s[0] / s[1] if s[1] else 0.0)


def _plan(logs):
    readers, sizes = [_ratio_reader(float)], [2]
    for _, v, w, fin in logs:
        if w is _OWN_SUMS:
            readers.append(fin)
            sizes.append(int(v.shape[0]))
        else:
            readers.append(_ratio_reader(fin))
            sizes.append(2)
    return LogPlan(["loss"] + [name for name, *_ in logs], readers, sizes)


_OWN_SUMS = object()  # marks a log whose metric gives its batch sums itself (see LogPlan)


class StepSpec:
    """What a training or evaluation graph computes and in which order its outputs come."""

    def __init__(self, metric_names, state_names):
        self.metric_names = metric_names  # "loss", then per-output losses and metrics
        self.state_names = state_names


def _loss_and_metrics(model, preds, ys, sws):
    """Total loss (scalar) and, for the logs, [(name, values, weights, finalize)]: per-sample
    values (or a batch scalar) with weights None, or values and weights of the same shape."""
    compiled = model._compiled
    total, logs = None, []
    multi = len(preds) > 1
    for i, (pred, y, sw) in enumerate(zip(preds, ys, sws)):
        loss_obj, weight = compiled.losses[i], compiled.loss_weights[i]
        if loss_obj is None:
            continue
        mask = tracing.mask_of(pred)
        if mask is not None:  # masked timesteps don't count; the mean is over the valid ones
            mask = ops.cast(mask, pred.dtype)
            sw = ops.divide(mask, ops.mean(mask)) if sw is None else ops.multiply(sw, mask)
        value = loss_obj(y, pred, sample_weight=sw)
        if multi:
            logs.append((f"{model.output_names[i]}_loss", value, None, float))
        term = value if weight == 1.0 else ops.multiply(value, float(weight))
        total = term if total is None else ops.add(total, term)
    if total is None:
        raise ValueError(f"Model '{model.name}' has no loss to train on: compile() it with loss=...")
    for name, i, metric, weighted in compiled.logged_metrics(model):
        if metric.n_sums != 2:
            sums = metric.batch_sums(ys[i], preds[i], sws[i] if weighted else None)
            logs.append((name, sums, _OWN_SUMS, metric.from_sums))
            continue
        values, weights = metric.statistics(ys[i], preds[i])
        if weighted and sws[i] is not None:
            weights = _times_sample_weight(values if weights is None else weights, sws[i], weights is None)
        logs.append((name, values, weights, metric.finalize))
    return total, logs


def _times_sample_weight(like, sample_weight, ones):
    """A weighted metric's weights: its own (or one per value when `ones`) times the sample
    weights, broadcast over a sample's trailing axes (a sequence's timesteps)."""
    sw = ops.cast(sample_weight, like.dtype)
    while len(sw.shape) > len(like.shape):
        sw = ops.squeeze(sw, axis=-1)
    while len(sw.shape) < len(like.shape):
        sw = ops.expand_dims(sw, -1)
    return ops.multiply(ops.ones_like(like), sw) if ones else ops.multiply(like, sw)


def _regularization(trace, params):
    terms = list(trace.losses)
    for var, value in params:
        if var.regularizer is not None:
            terms.append(var.regularizer(value))
    total = None
    for t in terms:
        if isinstance(t, float) and t == 0.0:
            continue
        total = t if total is None else ops.add(total, t)
    return total


def _log_sums(total_loss, logs, batch_like):
    """One batch's sums for the LogPlan, [loss * n, n, then per log: sum(values * weights),
    sum(weights)], n the batch size. Without weights each sample weighs 1, and a sample's
    several values (a sequence's) are averaged first."""
    per_sample = float(np.prod(batch_like.shape[1:]))
    n = ops.divide(ops.cast(ops.size(batch_like), "float32"), per_sample)
    parts = [ops.multiply(total_loss, n), n]
    for _, v, w, _ in logs:
        if w is _OWN_SUMS:
            parts.append(v)
        elif w is not None:
            parts += [ops.sum(ops.multiply(v, w)), ops.sum(w)]
        else:
            parts += [ops.multiply(v if len(v.shape) == 0 else ops.mean(v), n), n]
    return ops.concatenate([ops.reshape(ops.cast(p, "float32"), (-1,)) for p in parts], axis=0)


def _forward_and_loss(model, graph, xs, ys, sws, params, param_values, training):
    """Trace the model on xs with params bound to param_values; the total loss (with
    regularization penalties and add_loss terms) and the logged values."""
    trace = Trace(graph, training=training, variables="inputs",
                  bound={id(v): val for v, val in zip(params, param_values)})
    with trace.active():
        preds = tracing.flatten(model(xs if len(xs) > 1 else xs[0], training=training))
        total, logs = _loss_and_metrics(model, preds, ys, sws or [None] * len(preds))
        reg = _regularization(trace, list(zip(params, param_values)))
        if reg is not None:
            total = ops.add(total, reg)
    return trace, total, logs


def _batch_inputs(graph, model, x_specs, y_specs, sw_specs):
    """Graph inputs for a batch: the inputs, the targets, and sample weights where given."""
    xs = [graph.input(s, d, n) for (s, d), n in zip(x_specs, model.input_names)]
    ys = [graph.input(s, d, f"target_{n}") for (s, d), n in zip(y_specs, model.output_names)]
    sws = [None if spec is None else graph.input(spec[0], spec[1], f"sample_weight_{n}")
           for spec, n in zip(sw_specs or [None] * len(ys), model.output_names)]
    return xs, ys, sws


def train_graph(model, x_specs, y_specs, state, sw_specs=None):
    """One training step: returns (graph, LogPlan); outputs are the new state (the log sums
    among them: state.totals_index accumulates _log_sums)."""
    graph = Graph(f"{model.name}_train")
    xs, ys, sws = _batch_inputs(graph, model, x_specs, y_specs, sw_specs)
    lr = graph.input((), np.float32, "learning_rate")
    state_in = [graph.input(a.shape, a.dtype, name) for a, name in zip(state.arrays, state.names)]
    params = state.variables
    trace, total, logs = _forward_and_loss(model, graph, xs, ys, sws, params, state_in, training=True)
    with trace.active():
        trainable = [i for i, v in enumerate(params) if v.trainable and state.is_trainable[i]]
        grads = gradients(graph, total, [state_in[i] for i in trainable])
        slots = state.slot_values(state_in)
        iterations = state_in[state.iterations_index]
        new_p, new_s = model.optimizer.apply([state_in[i] for i in trainable], grads,
                                             [slots[i] for i in trainable], lr, iterations,
                                             variables=[params[i] for i in trainable])
        new_state = list(state_in)
        for i, p, s in zip(trainable, new_p, new_s):
            var = params[i]
            new_state[i] = var.constraint(p) if var.constraint is not None else p
            for k, sv in zip(state.slot_indices[i], s):
                new_state[k] = sv
        for i, var in enumerate(params):
            if id(var) in trace.updates:
                new_state[i] = trace.updates[id(var)][1]
        new_state[state.iterations_index] = ops.add(iterations, np.int64(1))
        new_state[state.totals_index] = ops.add(state_in[state.totals_index], _log_sums(total, logs, xs[0]))
    graph.outputs = new_state
    graph.output_names = [f"{n}__next" for n in state.names]
    return graph, _plan(logs)


def eval_graph(model, x_specs, y_specs, params, sw_specs=None):
    """The log sums of one batch (see LogPlan), reading the parameters as inputs (the live device
    state): returns (graph, LogPlan)."""
    graph = Graph(f"{model.name}_eval")
    xs, ys, sws = _batch_inputs(graph, model, x_specs, y_specs, sw_specs)
    p_in = [graph.input(v.shape, v.dtype, f"state_{i}") for i, v in enumerate(params)]
    trace, total, logs = _forward_and_loss(model, graph, xs, ys, sws, params, p_in, training=False)
    with trace.active():
        out = _log_sums(total, logs, xs[0])  # the host adds these up over the batches
    graph.outputs, graph.output_names = [out], ["metrics"]
    return graph, _plan(logs)
