"""compile / fit / evaluate / predict and their *_on_batch forms, for every Model.

Each method runs a compiled program (see frontend/programs.py): fit's hot loop copies a
batch into pre-bound buffers and makes one onnxruntime call; loss and metrics accumulate
on the device and are read only when shown.
"""

import itertools
import math
from collections.abc import Mapping

import numpy as np

from ...runtime import BoundProgram, Program
from .. import initializers, programs
from .. import losses as losses_module
from .. import metrics as metrics_module
from .. import optimizers as optimizers_module
from ..callbacks import CallbackList
from ..variables import generation
from .data import check_cardinality, match_target_ranks, sample_weights, split_validation, to_arrays
from .data_sources import (
    ArrayBatches,
    BatchSource,
    SourceBatches,
    check_source_arguments,
    convert,
    is_source,
    ran_out_warning,
    source_kind,
)
from .state import TrainingState


class Compiled:
    """What compile() resolved, per output: loss objects, loss weights, metric objects."""

    def __init__(self, model, loss, metrics, loss_weights, weighted_metrics=None):
        names = model.output_names
        self.losses = _per_output(loss, names, "loss", losses_module.get)
        weights = _per_output(loss_weights, names, "loss_weights", lambda w: w)
        self.loss_weights = [1.0 if w is None else float(w) for w in weights]
        self.metrics = self._resolve_metrics(model, metrics)
        self.weighted_metrics = self._resolve_metrics(model, weighted_metrics)

    def _resolve_metrics(self, model, metrics):
        """One list of Metric objects per output, from compile()'s metrics or weighted_metrics."""
        names, shapes = model.output_names, [t.shape for t in model.outputs]
        if isinstance(metrics, str) or callable(metrics):
            metrics = [metrics]
        if isinstance(metrics, dict):
            per = [metrics.get(n, []) for n in names]
        elif isinstance(metrics, (list, tuple)) and metrics and all(isinstance(m, (list, tuple)) for m in metrics):
            per = list(metrics)
        else:
            per = [list(metrics or [])] * len(names)
        per = [[m] if not isinstance(m, (list, tuple)) else list(m) for m in per]
        return [[metrics_module.get(m, loss=self.losses[i], output_shape=shapes[i]) for m in ms]
                for i, ms in enumerate(per)]

    def logged_metrics(self, model):
        """[(log name, output index, metric, weighted)] in Keras 3's order and naming: the metrics,
        then the weighted metrics (which get sample and class weights); a name already taken gets
        `_1`, `_2`..., a weighted metric's first the prefix `weighted_`."""
        multi = len(model.outputs) > 1
        taken, out = {}, []

        def unique(name):
            if name not in taken:
                taken[name] = 1
                return name
            taken[name] += 1
            return f"{name}_{taken[name] - 1}"

        for weighted, per in ((False, self.metrics), (True, self.weighted_metrics)):
            for i, (output, ms) in enumerate(zip(model.output_names, per)):
                for m in ms:
                    name = f"{output}_{m.name}" if multi else m.name
                    if weighted and name in taken:
                        name = f"{output}_weighted_{m.name}" if multi else f"weighted_{m.name}"
                    out.append((unique(name), i, m, weighted))
        return out

    def n_sums(self, model):
        """How many running sums the logs take (programs.LogPlan): two per loss, a metric's n_sums."""
        losses = 1 + (sum(loss is not None for loss in self.losses) if len(model.outputs) > 1 else 0)
        return 2 * losses + sum(m.n_sums for _, _, m, _ in self.logged_metrics(model))

    def log_names(self, model):
        names = ["loss"]
        if len(model.outputs) > 1:
            names += [f"{n}_loss" for n, loss in zip(model.output_names, self.losses) if loss is not None]
        return names + [name for name, *_ in self.logged_metrics(model)]


def _per_output(spec, names, what, resolve):
    if isinstance(spec, dict):
        unknown = set(spec) - set(names)
        if unknown:
            raise ValueError(f"compile() got {what} for unknown output(s) {sorted(unknown)}; outputs are {names}")
        return [resolve(spec[n]) if n in spec else None for n in names]
    if isinstance(spec, (list, tuple)):
        if len(spec) != len(names):
            raise ValueError(f"compile() got {len(spec)} {what} for a model with {len(names)} outputs {names}")
        return [resolve(s) for s in spec]
    return [resolve(spec) if spec is not None else None for _ in names]


class _Logs(Mapping):
    """Logs read from the device totals only when someone looks at them (programs.LogPlan says
    how each comes out of the accumulated sums)."""

    def __init__(self, state, plan):
        self._state, self._names, self._plan, self._values = state, list(plan), plan, None

    def _load(self):
        if self._values is None:
            self._values = self._plan.read(self._state.read_totals())
        return self._values

    def __getitem__(self, k):
        return self._load()[k]

    def __iter__(self):
        return iter(self._load())

    def __len__(self):
        return len(self._names)


class Trainer:
    def _init_training(self):
        self.optimizer = None
        self._compiled = None
        self._compile_args = None
        self._state = None
        self._train_programs, self._eval_programs, self._predict_programs = {}, {}, {}
        self.stop_training = False
        self.history = None

    # -- compile --------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, weighted_metrics=None,
                run_eagerly=False, steps_per_execution=1, jit_compile="auto", auto_scale_loss=True, **kwargs):
        """Configure training: optimizer (name or object), loss (name, function, Loss object, or one
        per output as a list/dict), metrics (e.g. ['accuracy']), loss_weights, and weighted_metrics
        (metrics that count each sample by its sample weight or class weight, as in Keras)."""
        kwargs.pop("sample_weight_mode", None)
        kwargs.pop("target_tensors", None)
        if kwargs:
            raise TypeError(f"compile() got unexpected keyword argument(s) {sorted(kwargs)}")
        self._release_state()
        self.optimizer = optimizers_module.get(optimizer)
        for spec in (loss.values() if isinstance(loss, dict) else loss if isinstance(loss, (list, tuple)) else [loss]):
            losses_module.get(spec)  # unknown names fail here, at compile time
        self.loss = loss
        self._compile_args = (loss, metrics, loss_weights, weighted_metrics)
        self._compiled = None
        if self.built and self.outputs:
            self._resolve_compile()
        self._train_programs, self._eval_programs = {}, {}

    def _resolve_compile(self):
        if self._compiled is None:
            self._compiled = Compiled(self, *self._compile_args)
        return self._compiled

    def _assert_compiled(self, method):
        if self.optimizer is None or self._compile_args is None:
            raise RuntimeError(f"{method}() needs the model to be compiled first: call "
                               "model.compile(optimizer=..., loss=...).")

    @property
    def metrics_names(self):
        if self._compiled is None:
            return []
        return self._compiled.log_names(self)

    # -- data -----------------------------------------------------------------------------
    def _adapt(self, x, y, method, need_y=True):
        if x is None:
            raise ValueError(f"{method}() needs input data x")
        if not self.built and hasattr(self, "_build_from_data"):
            first = np.asarray(x[0] if isinstance(x, (list, tuple)) and len(x) == 1 else x)
            if first.dtype.kind not in "biuf":
                raise TypeError(f"{method}() expected numeric input x, but got an array of dtype {first.dtype}")
            self._build_from_data([(first.shape, np.float32 if first.dtype.kind == "f" else first.dtype)])
        if not self.built:
            raise ValueError(f"Model '{self.name}' is not built: give its first layer an input shape")
        xs = to_arrays(x, self.input_names, [t.dtype for t in self.inputs], "input", method)
        ys = None
        if need_y:
            if y is None:
                raise ValueError(f"{method}() needs targets y for the model's loss")
            ys = to_arrays(y, self.output_names, [np.float32] * len(self.outputs), "target", method)
            ys = match_target_ranks(ys, [t.shape for t in self.outputs])
        n = check_cardinality(xs, ys, method)
        self._check_shapes(xs)
        return xs, ys, n

    def _check_shapes(self, xs):
        for a, t, name in zip(xs, self.inputs, self.input_names):
            want = t.shape[1:]
            got = a.shape[1:]
            if len(want) != len(got) or any(w is not None and w != g for w, g in zip(want, got)):
                # Trace with the data's shape first: the first layer that cannot take it names itself.
                programs.predict_graph(self, [(programs.dynamic(x.shape), x.dtype) for x in xs])
                raise ValueError(f"Input '{name}' of model '{self.name}' expects arrays of shape "
                                 f"{t.shape}, but got an array of shape {a.shape}")

    # -- state ----------------------------------------------------------------------------
    def _release_state(self):
        if self._state is not None:
            self._state.detach()
            self._state = None
        self._train_programs, self._eval_programs = {}, {}

    def _training_state(self):
        compiled = self._resolve_compile()
        if self._state is None:
            self._state = TrainingState(self, compiled.n_sums(self))
        self._state.push_if_stale()
        return self._state

    def _train_program(self, xs, ys, sws=()):
        key = tuple((a.shape[1:], a.dtype.str) for a in xs + ys) + (_sw_key(sws, ys),)
        prog = self._train_programs.get(key)
        if prog is None:
            state = self._training_state()
            graph, plan = programs.train_graph(self, _specs(xs), _specs(ys), state, _sw_specs(sws, ys))
            state_outputs = list(graph.output_names)
            model, inplace = programs.compile_train_graph(graph, len(state.names))
            n_batch = len(xs) + len(ys) + sum(w is not None for w in sws)
            prog = BoundProgram(model.SerializeToString(), None, state.names,
                                [i.name for i in graph.inputs[:n_batch]], ["learning_rate"],
                                state_outputs=state_outputs, shared_state=state.sets, inplace=inplace)
            prog.log_plan = plan
            self._train_programs[key] = prog
        return prog

    def _eval_program(self, xs, ys, sws=()):
        state = self._training_state()
        key = tuple((a.shape[1:], a.dtype.str) for a in xs + ys) + (_sw_key(sws, ys),)
        prog = self._eval_programs.get(key)
        if prog is None:
            graph, plan = programs.eval_graph(self, _specs(xs), _specs(ys), state.variables, _sw_specs(sws, ys))
            model = programs.compile_graph(graph)
            n_batch = len(xs) + len(ys) + sum(w is not None for w in sws)
            prog = BoundProgram(model.SerializeToString(), None, [f"state_{i}" for i in range(len(state.variables))],
                                [i.name for i in graph.inputs[:n_batch]],
                                host_outputs=["metrics"], shared_state=state.sets)
            prog.log_plan = plan
            self._eval_programs[key] = prog
        return prog

    def _predict_program(self, xs):
        """The inference program for inputs like xs (cached; rebuilt when weights changed).
        It is called with the inputs and returns the outputs; states that stateful layers
        carry between batches go in and come back out around the call, on the host."""
        key = tuple((a.shape[1:], a.dtype.str) for a in xs)
        entry = self._predict_programs.get(key)
        if entry is not None and entry[0] == generation():
            return entry[2]  # no variable anywhere changed since this program was built
        carried = entry[3] if entry is not None else ()
        versions = tuple(w.version for w in self.weights if not any(w is c for c in carried))
        if entry is None or entry[1] != versions:
            graph = programs.predict_graph(self, _specs(xs), carry_states=True)
            program = Program(programs.compile_graph(graph).SerializeToString())
            carried = graph.carried
            if carried:
                program = _CarryingStates(program, carried)
            versions = tuple(w.version for w in self.weights if not any(w is c for c in carried))
        else:
            program = entry[2]
        self._predict_programs[key] = (generation(), versions, program, carried)
        return program

    # -- fit ------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None, sample_weight=None,
            initial_epoch=0, steps_per_epoch=None, validation_steps=None, validation_batch_size=None,
            validation_freq=1, **kwargs):
        """Train for `epochs` passes over the data.

        Args:
            x: input arrays (an array, a list, or a dict by input name) with targets `y`; or a
                source of batches: a generator/iterator yielding `(x, y)` or `(x, y, sample_weight)`
                tuples, or a `horn.utils.PyDataset` / `Sequence` (then `y`, `batch_size` and
                `sample_weight` come from its batches and must not be passed).
            batch_size: rows per step for arrays (default 32).
            steps_per_epoch: steps per epoch; for a generator, by default one pass until it ends;
                for a Sequence, `len(seq)`.
            shuffle: reshuffle the rows (arrays) or the batch order (a Sequence) every epoch.
            validation_data: `(x, y)` / `(x, y, sample_weight)` arrays or a source, evaluated after
                each epoch (`validation_steps` batches of a source).

        Returns a History whose `.history` maps "loss", each metric, and their "val_" forms to
        one value per epoch.

        Example: `model.fit(batches(), steps_per_epoch=100, epochs=5)`.
        """
        epochs = kwargs.pop("nb_epoch", epochs)
        for unused in ("max_queue_size", "workers", "use_multiprocessing"):
            kwargs.pop(unused, None)
        if kwargs:
            raise TypeError(f"fit() got unexpected keyword argument(s) {sorted(kwargs)}")
        self._assert_compiled("fit")
        rng = initializers.host_rng()
        val_batch_size = int(validation_batch_size or batch_size or 32)
        if is_source(x):
            check_source_arguments("fit", source_kind(x), y, sample_weight, batch_size, validation_split)
            source = BatchSource(x, "fit", steps_per_epoch, shuffle, rng=rng)
            data = SourceBatches(self, source, class_weight)
            validate = None
        else:
            data, validate = self._array_batches(x, y, batch_size, shuffle, class_weight, sample_weight,
                                                 validation_split, steps_per_epoch, rng, val_batch_size)
        if validation_data is not None:
            validate = self._validation(validation_data, validation_steps, val_batch_size)
        verbose = 1 if verbose == "auto" else verbose
        cbs = CallbackList(callbacks, add_history=True, add_progbar=bool(verbose), model=self,
                           verbose=verbose, epochs=epochs, steps=data.steps)
        return self._fit_loop(data, epochs, initial_epoch, cbs, validate, validation_freq)

    def _array_batches(self, x, y, batch_size, shuffle, class_weight, sample_weight, validation_split,
                       steps_per_epoch, rng, val_batch_size):
        """fit()'s batches from arrays, and the validation on the split-off rows (or None)."""
        xs, ys, n = self._adapt(x, y, "fit")
        sws = sample_weights(sample_weight, class_weight, ys, self.output_names, n, "fit")
        validate = None
        if validation_split:
            xs, ys, vxs, vys = split_validation(xs, ys, validation_split)
            cut = len(xs[0])
            vsws = [None if w is None else w[cut:] for w in sws]
            n, sws = cut, [None if w is None else w[:cut] for w in sws]
            validate = lambda: self._evaluate_arrays(vxs, vys, vsws, val_batch_size)  # noqa: E731
        batch_size = int(batch_size or 32)
        steps = steps_per_epoch or math.ceil(n / batch_size)
        program = self._train_program(xs, ys, sws)
        batch = xs + ys + [w for w in sws if w is not None]
        return ArrayBatches(program, batch, n, batch_size, steps, shuffle, rng), validate

    def _validation(self, validation_data, validation_steps, batch_size):
        """A function returning the validation logs for validation_data (arrays or a source)."""
        if is_source(validation_data):
            source = BatchSource(validation_data, "fit", validation_steps, what="validation_data")
            return lambda: self._evaluate_source(source)
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise ValueError("fit() expected validation_data to be a tuple (x_val, y_val) or (x_val, y_val, "
                             "val_sample_weight), or a generator or Sequence of such batches; got "
                             f"{type(validation_data).__name__}")
        vxs, vys, vn = self._adapt(validation_data[0], validation_data[1], "fit")
        vsw = validation_data[2] if len(validation_data) > 2 else None
        vsws = sample_weights(vsw, None, vys, self.output_names, vn, "fit")
        return lambda: self._evaluate_arrays(vxs, vys, vsws, batch_size)

    def _fit_loop(self, data, epochs, initial_epoch, cbs, validate, validation_freq):
        """The epochs and steps of fit(), the same for arrays and sources: `data` hands each step
        its (program, batch, rows); a source that ends early ends the epoch (data.steps None: a
        generator's epoch is one pass)."""
        state, optimizer = self._state, self.optimizer
        self.stop_training = False
        logs = {}
        cbs.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            state.push_if_stale()
            state.reset_totals()
            cbs.on_epoch_begin(epoch)
            take = data.begin_epoch()
            program, ran_out = None, False
            for step in range(data.steps) if data.steps else itertools.count():
                cbs.on_train_batch_begin(step)
                try:
                    program, batch, rows = take(step)
                except StopIteration:
                    ran_out = True
                    break
                program.set_scalar("learning_rate", optimizer.current_learning_rate(state.version))
                program.run(batch, rows)
                state.stepped()
                cbs.on_train_batch_end(step, _Logs(state, program.log_plan))
                if self.stop_training:
                    break
            data.end_epoch()
            if ran_out and (step == 0 or data.steps):
                ran_out_warning("fit", data.kind, step, data.steps, epoch)
                if step == 0:
                    break  # nothing to report: the generator had already ended
                self.stop_training = self.stop_training or data.one_shot
            logs = dict(_Logs(state, program.log_plan))
            if validate is not None and (epoch + 1) % validation_freq == 0:
                val_logs = validate()
                logs.update({f"val_{k}": v for k, v in val_logs.items()})
            cbs.on_epoch_end(epoch, logs)
            if _is_nan(logs.get("loss")):
                cbs.on_train_end(logs)
                bad = data.non_finite()
                raise FloatingPointError(
                    f"fit(): the loss became {logs['loss']} in epoch {epoch + 1} of model '{self.name}'. "
                    + (f"The {bad} contains NaN or inf values. " if bad else
                       "The data is finite, so training diverged: try a lower learning rate (the optimizer's "
                       f"is {self.optimizer.learning_rate}), gradient clipping (clipnorm=1.0), or "
                       "normalized inputs. ")
                    + "model.history holds the epochs before.")
            if self.stop_training:
                break
        self.optimizer.finalize_variable_values(self.trainable_weights)
        cbs.on_train_end(logs)
        return self.history

    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                      validation_data=None, validation_steps=None, class_weight=None, max_queue_size=10,
                      workers=1, use_multiprocessing=False, shuffle=True, initial_epoch=0, *, validation_freq=1):
        """Keras 2's fit() for a generator or Sequence (Keras 2.2.4's argument order): `fit(generator, ...)`."""
        _check_generator_method("fit_generator", generator)
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=verbose,
                        callbacks=callbacks, validation_data=validation_data, validation_steps=validation_steps,
                        class_weight=class_weight, shuffle=shuffle, initial_epoch=initial_epoch,
                        validation_freq=validation_freq)

    # -- evaluate -------------------------------------------------------------------------
    def _evaluate_arrays(self, xs, ys, sws, batch_size, callbacks=None):
        program = self._eval_program(xs, ys, sws)
        n = len(xs[0])
        totals = None
        batch = xs + ys + [w for w in sws if w is not None]
        for step, start in enumerate(range(0, n, batch_size)):
            if callbacks:
                callbacks.on_test_batch_begin(step)
            idx = np.arange(start, min(start + batch_size, n))
            sums = program.run(batch, idx)[0].astype(np.float64)  # this batch's sums (programs.LogPlan)
            totals = sums if totals is None else totals + sums
            if callbacks:
                callbacks.on_test_batch_end(step, None)
        return program.log_plan.read(totals)

    def _evaluate_source(self, source, callbacks=None):
        """The logs over one epoch of a source's batches, summed exactly as _evaluate_arrays sums."""
        totals, program, step = None, None, 0
        source.rewind()
        for step, raw in enumerate(source.epoch()):
            if callbacks:
                callbacks.on_test_batch_begin(step)
            xs, ys, sws = convert(self, raw, source.method)
            program = self._eval_program(xs, ys, sws)
            sums = program.run(xs + ys + [w for w in sws if w is not None])[0].astype(np.float64)
            totals = sums if totals is None else totals + sums
            if callbacks:
                callbacks.on_test_batch_end(step, None)
        if program is None:
            raise ValueError(f"{source.method}() got no batches from the {source.kind} given as {source.what}: "
                             "it is empty or has already ended (a generator can be read once; pass "
                             "validation_steps= / steps= so that each evaluation takes only part of it)")
        if source.steps and step + 1 < source.steps:
            ran_out_warning(source.method, source.kind, step + 1, source.steps)
        return program.log_plan.read(totals)

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, return_dict=False, **kwargs):
        """Loss and metrics over (x, y), or over `steps` batches of a generator/Sequence `x` (all of
        them by default): a scalar, a list [loss, *metrics], or a dict with return_dict=True."""
        self._assert_compiled("evaluate")
        verbose = 1 if verbose == "auto" else verbose
        if is_source(x):
            check_source_arguments("evaluate", source_kind(x), y, sample_weight, batch_size)
            source = BatchSource(x, "evaluate", steps)
            cbs = CallbackList(callbacks, add_progbar=bool(verbose), model=self, verbose=verbose, epochs=1,
                               steps=source.num_batches)
            cbs.on_test_begin()
            logs = self._evaluate_source(source, cbs)
            cbs.on_test_end(dict(logs))
            return _format(logs, return_dict)
        xs, ys, n = self._adapt(x, y, "evaluate")
        sws = sample_weights(sample_weight, None, ys, self.output_names, n, "evaluate")
        steps = math.ceil(n / int(batch_size or 32))
        cbs = CallbackList(callbacks, add_progbar=bool(verbose), model=self, verbose=verbose, epochs=1,
                           steps=steps)
        cbs.on_test_begin()
        logs = self._evaluate_arrays(xs, ys, sws, int(batch_size or 32), cbs)
        cbs.on_test_end(dict(logs))  # callbacks sort their copy; keep [loss, *metrics]
        return _format(logs, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False):
        self._assert_compiled("test_on_batch")
        xs, ys, n = self._adapt(x, y, "test_on_batch")
        sws = sample_weights(sample_weight, None, ys, self.output_names, n, "test_on_batch")
        return _format(self._evaluate_arrays(xs, ys, sws, n), return_dict)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, reset_metrics=True,
                       return_dict=False):
        """One training step on exactly this batch; returns its loss (and metrics)."""
        self._assert_compiled("train_on_batch")
        xs, ys, n = self._adapt(x, y, "train_on_batch")
        sws = sample_weights(sample_weight, class_weight, ys, self.output_names, n, "train_on_batch")
        program = self._train_program(xs, ys, sws)
        state = self._state
        state.push_if_stale()
        if reset_metrics:
            state.reset_totals()
        program.set_scalar("learning_rate", self.optimizer.current_learning_rate(state.version))
        program.run(xs + ys + [w for w in sws if w is not None])
        state.stepped()
        return _format(dict(_Logs(state, program.log_plan)), return_dict)

    # -- predict --------------------------------------------------------------------------
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None, **kwargs):
        """Outputs for x, computed in batches of `batch_size` (default 32); or for the batches of a
        generator/Sequence x (batches of inputs, or tuples whose targets are ignored), `steps` of
        them or all, concatenated along the batch axis."""
        if is_source(x):
            check_source_arguments("predict", source_kind(x), batch_size=batch_size)
            return self._predict_source(BatchSource(x, "predict", steps))
        xs, _, n = self._adapt(x, None, "predict", need_y=False)
        program = self._predict_program(xs)
        bs = int(batch_size or 32)
        if n <= bs:
            outs = program(*xs)
        else:
            chunks = [program(*[a[s:s + bs] for a in xs]) for s in range(0, n, bs)]
            outs = [np.concatenate([c[k] for c in chunks]) for k in range(len(chunks[0]))]
        return outs[0] if len(outs) == 1 else outs

    def _predict_source(self, source):
        chunks = []
        for raw in source.epoch():
            xs, _, _ = convert(self, raw, "predict", need_y=False)
            chunks.append(self._predict_program(xs)(*xs))
        if not chunks:
            raise ValueError(f"predict() got no batches from the {source.kind} given as x: it is empty or has "
                             "already ended")
        if source.steps and len(chunks) < source.steps:
            ran_out_warning("predict", source.kind, len(chunks), source.steps)
        outs = [np.concatenate([c[k] for c in chunks]) for k in range(len(chunks[0]))]
        return outs[0] if len(outs) == 1 else outs

    def evaluate_generator(self, generator, steps=None, max_queue_size=10, workers=1, use_multiprocessing=False,
                           verbose=0, callbacks=None):
        """Keras 2's evaluate() for a generator or Sequence: `evaluate(generator, steps=steps)`."""
        _check_generator_method("evaluate_generator", generator)
        return self.evaluate(generator, steps=steps, verbose=verbose, callbacks=callbacks)

    def predict_generator(self, generator, steps=None, max_queue_size=10, workers=1, use_multiprocessing=False,
                          verbose=0, callbacks=None):
        """Keras 2's predict() for a generator or Sequence: `predict(generator, steps=steps)`."""
        _check_generator_method("predict_generator", generator)
        return self.predict(generator, steps=steps, verbose=verbose, callbacks=callbacks)

    def predict_on_batch(self, x):
        xs, _, _ = self._adapt(x, None, "predict_on_batch", need_y=False)
        outs = self._predict_program(xs)(*xs)
        return outs[0] if len(outs) == 1 else outs

    def reset_metrics(self):
        if self._state is not None:
            self._state.reset_totals()

    # -- saving ---------------------------------------------------------------------------
    def save(self, filepath, overwrite=True, include_optimizer=True, **kwargs):
        """Save the whole model: '.keras' (Keras 3's zip) or '.h5' (Keras's HDF5 layout), atomically."""
        from ..saving import save_model

        save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer)

    def save_weights(self, filepath, overwrite=True, **kwargs):
        """Write the weights in Keras's HDF5 layout (one group per layer), atomically."""
        import os

        from ..saving import hdf5

        if not overwrite and os.path.exists(filepath):
            raise FileExistsError(f"{filepath!r} exists and overwrite=False")
        hdf5.save_weights(self, filepath)

    def load_weights(self, filepath, by_name=False, skip_mismatch=False, **kwargs):
        """Read weights saved by save_weights()/save() in Keras 2, Keras 3 or horn: by layer order
        (Keras's default), or by layer name with by_name=True."""
        from ..saving import hdf5

        hdf5.load_weights(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch)

    def to_json(self, **kwargs):
        import json

        from ..saving import hdf5, serialize_layer

        return json.dumps({**serialize_layer(self), "keras_version": "horn", "backend": "onnxruntime"},
                          default=hdf5._json_default, **kwargs)

    # -- export ---------------------------------------------------------------------------
    def export(self, filepath, format="onnx", input_signature=None, verbose=True, **kwargs):
        """Write the inference program as a standard ONNX file (dynamic batch axis), atomically."""
        from ..saving.export import export_onnx

        if format != "onnx":
            raise ValueError(f"horn exports format='onnx' only, got format={format!r}")
        export_onnx(self, filepath, input_signature)
        if verbose:
            print(f"Saved the inference program to {filepath}")


class _CarryingStates:
    """Runs a predict program whose stateful layers carry states from one batch to the next,
    as Keras's predict() does: the states are fed in and the new ones kept (small host arrays)."""

    def __init__(self, program, variables):
        self.program, self.variables = program, variables

    def __call__(self, *xs):
        outs = self.program(*xs, *[v.numpy() for v in self.variables])
        n = len(self.variables)
        for var, value in zip(self.variables, outs[-n:]):
            var._set_from_device(value)  # the layer's state, not a weight change: no recompiling
        return outs[:-n]


def _sw_specs(sws, ys):
    if not any(w is not None for w in sws):
        return None
    return [None if w is None else ((None,) + w.shape[1:], w.dtype) for w in sws]


def _sw_key(sws, ys):
    return tuple(None if w is None else w.shape[1:] for w in sws)


def _specs(arrays):
    return [(programs.dynamic(a.shape), a.dtype) for a in arrays]


def _format(logs, return_dict):
    if return_dict:
        return logs
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


def _check_generator_method(method, data):
    if not is_source(data):
        plain = method.replace("_generator", "")
        raise TypeError(f"{method}() expected a generator, an iterator or a Sequence/PyDataset of batches, but "
                        f"got {type(data).__name__}. For arrays call {plain}(x, y, ...) instead.")


def _is_nan(v):
    return v is not None and not math.isfinite(v)
