"""``Optimizer``: the base of every Keras optimizer (``tf.keras.optimizers.Optimizer``).

A step runs the same code eagerly and inside ``@ag.function``: state lives in Variables and
every change is a ``Variable.assign*``, so a traced train step records the updates as graph
ops. Slot variables (momentum, velocity, ...) are created once, the first time a variable is
seen, under ``init_scope`` so their initial values are concrete even while tracing;
``ag.function`` traces a function that created variables a second time, and that trace
finds the slots already there.

Subclasses implement ``build(var_list)`` (call ``super().build`` then
``add_variable_from_reference`` per slot) and ``update_step(gradient, variable,
learning_rate)``; the base does conversion, checks, clipping, weight decay, the learning-rate
schedule and the ``iterations`` counter, in that order, as Keras 3 does.
"""
from __future__ import annotations

import numbers
import warnings

from runtime import dtypes as D
from ops import array_ops, creation, elementwise as ew, reductions
from ops.tensor import Tensor, convert_to_tensor
from ops.variables import Variable, init_scope
from ops.keras.optimizers import schedules

__all__ = ["Optimizer"]


def _var_key(variable) -> int:
    # Variables overload ``==`` elementwise, so they cannot be dict keys by equality; ``id`` is
    # stable because the optimizer keeps every tracked variable alive.
    return id(variable)


class Optimizer:
    """Base optimizer: ``apply_gradients``, ``apply``, ``minimize``, ``iterations``,
    ``learning_rate`` (float, Variable-backed, or a ``LearningRateSchedule``), ``variables``,
    clipping (``clipnorm``, ``clipvalue``, ``global_clipnorm``) and decoupled ``weight_decay``.
    """

    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if "lr" in kwargs:  # TF 1 / early TF 2 spelling, still common in tutorials
            warnings.warn("`lr` is deprecated in Keras optimizers, use `learning_rate`",
                          DeprecationWarning, stacklevel=3)
            learning_rate = kwargs.pop("lr")
        for legacy in ("decay", "gradient_aggregator", "gradient_transformers"):
            if legacy in kwargs:
                raise ValueError(f"{type(self).__name__}: argument `{legacy}` is no longer "
                                 "supported; use `learning_rate=` with a LearningRateSchedule "
                                 "for decay")
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected keyword argument(s) "
                            f"{sorted(kwargs)}")
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be "
                             f"set. Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                             f"global_clipnorm={global_clipnorm}")
        if gradient_accumulation_steps is not None and (
                not isinstance(gradient_accumulation_steps, int) or
                gradient_accumulation_steps < 1):
            raise ValueError(f"{type(self).__name__}: gradient_accumulation_steps must be a "
                             f"positive int, got {gradient_accumulation_steps!r}")
        if use_ema and not 0 <= ema_momentum <= 1:
            raise ValueError(f"{type(self).__name__}: ema_momentum must be in [0, 1], got "
                             f"{ema_momentum}")
        self.name = name or type(self).__name__.lower()
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self._variables: list[Variable] = []
        self._tracked: dict[int, Variable] = {}          # var key -> variable being optimized
        self._trainable_variables: list[Variable] = []
        self._slots: dict[int, dict[str, Variable]] = {}  # var key -> slot name -> variable
        self._exclude_ids: set[int] = set()
        self._exclude_names: tuple = ()
        with init_scope():
            self._iterations = Variable(0, dtype=D.int64, trainable=False, name="iteration")
            self._variables.append(self._iterations)
            self._learning_rate = self._build_learning_rate(learning_rate)

    # ---- learning rate -----------------------------------------------------------------------
    def _build_learning_rate(self, learning_rate):
        if isinstance(learning_rate, schedules.LearningRateSchedule):
            return learning_rate
        if callable(learning_rate) and not isinstance(learning_rate, (Variable, Tensor)):
            return learning_rate
        value = _as_float(learning_rate, "learning_rate", type(self).__name__)
        lr = Variable(value, dtype=D.float32, trainable=False, name="learning_rate")
        self._variables.append(lr)
        return lr

    @property
    def learning_rate(self):
        """The rate for the next step: the Variable (settable), or the schedule evaluated at
        ``iterations``."""
        return self._get_current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(value, schedules.LearningRateSchedule) or (
                callable(value) and not isinstance(value, (Variable, Tensor))):
            self._learning_rate = value
            return
        if not isinstance(self._learning_rate, Variable):
            raise TypeError(
                f"{type(self).__name__}: this optimizer was created with a LearningRateSchedule "
                "(or callable) learning_rate, so its learning rate is not settable; create it "
                "with a float learning_rate to change the rate during training")
        # Assigning (not replacing) keeps traced train steps, which captured the Variable,
        # seeing the new rate.
        self._learning_rate.assign(_as_float(value, "learning_rate", type(self).__name__))

    lr = learning_rate  # TF 2 Keras name (``optimizer.lr``)

    def _get_current_learning_rate(self):
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            return lr(self._iterations)
        if callable(lr) and not isinstance(lr, Variable):
            return lr()
        return lr

    @property
    def iterations(self) -> Variable:
        """Steps applied so far (int64 Variable)."""
        return self._iterations

    @property
    def variables(self) -> list:
        """``iterations``, the learning-rate Variable (unless scheduled), then the slots in
        creation order."""
        return list(self._variables)

    # ---- state -------------------------------------------------------------------------------
    def build(self, var_list) -> None:
        """Start tracking ``var_list`` (with the base's own slots: gradient accumulators and
        moving averages when asked for); subclasses then create their slots for it."""
        var_list = [v for v in var_list if _var_key(v) not in self._tracked]
        for variable in var_list:
            key = _var_key(variable)
            self._tracked[key] = variable
            self._trainable_variables.append(variable)
            self._slots[key] = {}
        if self.gradient_accumulation_steps:
            for v in var_list:
                self.add_variable_from_reference(v, "gradient_accumulator")
        if self.use_ema:
            for v in var_list:
                self.add_variable_from_reference(v, "average")
        self.built = True

    def add_variable(self, shape, initializer="zeros", dtype=None, name=None) -> Variable:
        """A new optimizer-state Variable (non-trainable) of ``shape`` filled by ``initializer``
        (``"zeros"``, ``"ones"``, a number, or ``callable(shape, dtype)``)."""
        dtype = D.as_dtype(dtype or D.float32)
        with init_scope():
            variable = Variable(_initial_value(initializer, shape, dtype), dtype=dtype,
                                trainable=False, name=name or "Variable")
        self._variables.append(variable)
        return variable

    def add_variable_from_reference(self, reference_variable, name, initializer="zeros"):
        """A slot shaped and typed like ``reference_variable``, found later with
        ``get_slot(reference_variable, name)``."""
        base = reference_variable._name.replace("/", "_") if hasattr(
            reference_variable, "_name") else "variable"
        slot = self.add_variable(tuple(reference_variable.shape), initializer,
                                 reference_variable.dtype, f"{base}_{name}")
        self._slots.setdefault(_var_key(reference_variable), {})[name] = slot
        return slot

    def get_slot(self, variable, name) -> Variable:
        try:
            return self._slots[_var_key(variable)][name]
        except KeyError:
            raise KeyError(f"{type(self).__name__}: no slot {name!r} for variable "
                           f"{getattr(variable, 'name', variable)!r}") from None

    def get_slot_names(self) -> list:
        names = []
        for slots in self._slots.values():
            names.extend(n for n in slots if n not in names)
        return names

    def _ensure_built(self, variables) -> None:
        new = [v for v in variables if _var_key(v) not in self._tracked]
        if new:
            with init_scope():
                self.build(new)

    # ---- applying gradients --------------------------------------------------------------
    def apply_gradients(self, grads_and_vars, name=None, skip_gradients_aggregation=False,
                        **kwargs):
        """Apply ``(gradient, variable)`` pairs; pairs whose gradient is None are skipped.
        Returns ``iterations``."""
        pairs = list(grads_and_vars)
        if pairs and not all(isinstance(p, (tuple, list)) and len(p) == 2 for p in pairs):
            raise TypeError(f"{type(self).__name__}.apply_gradients expects (gradient, "
                            "variable) pairs, e.g. zip(grads, model.trainable_variables)")
        grads = [g for g, _ in pairs]
        variables = [v for _, v in pairs]
        return self.apply(grads, variables)

    def apply(self, grads, trainable_variables=None):
        """Update ``trainable_variables`` (default: those seen by ``build``) with ``grads``."""
        grads = list(grads)
        if trainable_variables is None:
            if not self.built:
                raise ValueError(f"{type(self).__name__}.apply: pass trainable_variables (or "
                                 "call build(var_list) first)")
            trainable_variables = self._trainable_variables
        variables = list(trainable_variables)
        if len(grads) != len(variables):
            raise ValueError(f"{type(self).__name__}.apply: got {len(grads)} gradients for "
                             f"{len(variables)} variables")
        grads, variables = self._filter_empty_gradients(grads, variables)
        for v in variables:
            if not isinstance(v, Variable):
                raise TypeError(f"{type(self).__name__}: can only update Variables, got "
                                f"{type(v).__name__}; pass model.trainable_variables")
        grads = [self._check_gradient(g, v) for g, v in zip(grads, variables)]
        self._ensure_built(variables)
        if self.loss_scale_factor is not None:
            grads = [g / self.loss_scale_factor for g in grads]
        if self.gradient_accumulation_steps:
            self._accumulate_or_step(grads, variables)
        else:
            self._step(grads, variables)
        if self.use_ema:
            self._update_moving_averages(variables)
        self._iterations.assign_add(1)
        return self._iterations

    def _step(self, grads, variables) -> None:
        """One update: clip, decay weights, then each variable's ``update_step``."""
        grads = self._clip_gradients(grads)
        learning_rate = self._get_current_learning_rate()
        if isinstance(learning_rate, Variable):
            learning_rate = learning_rate.read_value()    # one read for every variable
        self._apply_weight_decay(variables, learning_rate)
        # t = iterations + 1, read once for all variables (a graph cannot merge variable reads)
        self._update_count = self._iterations + 1
        try:
            for g, v in zip(grads, variables):
                self.update_step(g, v, learning_rate)
        finally:
            self._update_count = None

    def _step_count(self):
        """The number of the update in progress (``iterations + 1``), as an integer tensor."""
        count = getattr(self, "_update_count", None)
        return count if count is not None else self._iterations + 1

    def _accumulate_or_step(self, grads, variables) -> None:
        # As Keras 3: every ``steps``-th call updates with the mean of the accumulated
        # gradients; the others only accumulate. ``iterations`` counts every call.
        steps = self.gradient_accumulation_steps
        accumulators = [self.get_slot(v, "gradient_accumulator") for v in variables]

        def update():
            self._step([(g + a) / steps for g, a in zip(grads, accumulators)], variables)
            for a in accumulators:
                a.assign(ew.zeros_like(a))
            return convert_to_tensor(True)

        def accumulate():
            for g, a in zip(grads, accumulators):
                a.assign_add(g)
            return convert_to_tensor(False)

        from ops.control_flow import cond
        cond(ew.equal((self._iterations + 1) % steps, 0), update, accumulate)

    def _update_moving_averages(self, variables) -> None:
        # The first step starts the average at the variable itself (momentum 0).
        first = ew.equal(self._iterations, 0)
        overwrite = None
        if self.ema_overwrite_frequency:
            overwrite = ew.equal((self._iterations + 1) % self.ema_overwrite_frequency, 0)
        for v in variables:
            average = self.get_slot(v, "average")
            momentum = ew.cast(ew.logical_not(first), v.dtype) * self.ema_momentum
            average.assign(momentum * average + (1 - momentum) * v)
            if overwrite is not None:
                v.assign(array_ops.where(overwrite, average.read_value(), v.read_value()))

    def finalize_variable_values(self, var_list) -> None:
        """With ``use_ema``, set each variable to its moving average (``fit`` calls this at
        the end of training)."""
        if self.use_ema:
            for v in var_list:
                v.assign(self.get_slot(v, "average"))

    def scale_loss(self, loss):
        """``loss * loss_scale_factor`` (the loss unchanged without one); ``apply`` divides
        the gradients by the factor again."""
        return loss * self.loss_scale_factor if self.loss_scale_factor is not None else loss

    def minimize(self, loss, var_list, tape=None):
        """Compute gradients of ``loss`` (a tensor recorded on ``tape``, or a zero-argument
        callable) with respect to ``var_list`` (a list or a callable giving one) and apply
        them."""
        from ops.tape import GradientTape
        if callable(loss):
            with GradientTape() as tape:
                if callable(var_list):
                    var_list = var_list()
                tape.watch(var_list)
                loss = loss()
        elif tape is None:
            raise ValueError(f"{type(self).__name__}.minimize: `tape` is required when a "
                             "Tensor loss is passed (or pass the loss as a callable)")
        if callable(var_list):
            var_list = var_list()
        var_list = list(var_list)
        grads = tape.gradient(loss, var_list)
        return self.apply_gradients(zip(grads, var_list))

    def update_step(self, gradient, variable, learning_rate):
        raise NotImplementedError(f"{type(self).__name__} must implement update_step")

    # ---- the parts of a step -----------------------------------------------------------------
    def _filter_empty_gradients(self, grads, variables):
        kept = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not kept:
            if variables:
                names = [getattr(v, "name", repr(v)) for v in variables]
                raise ValueError(f"{type(self).__name__}: no gradients provided for any "
                                 f"variable: {names}")
            return [], []
        if len(kept) < len(variables):
            missing = [getattr(v, "name", repr(v)) for g, v in zip(grads, variables) if g is None]
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the "
                          "loss. If using `model.compile()`, did you forget to provide a "
                          "`loss` argument?", stacklevel=3)
        return [g for g, _ in kept], [v for _, v in kept]

    def _check_gradient(self, grad, variable) -> Tensor:
        grad = convert_to_tensor(grad)
        if grad.dtype is not variable.dtype:
            if not (grad.dtype.is_floating and variable.dtype.is_floating):
                raise TypeError(f"{type(self).__name__}: gradient for variable "
                                f"'{variable.name}' has dtype {grad.dtype.name} but the "
                                f"variable has dtype {variable.dtype.name}")
            grad = ew.cast(grad, variable.dtype)
        if not variable.shape.is_compatible_with(grad.shape):
            raise ValueError(f"{type(self).__name__}: gradient for variable '{variable.name}' "
                             f"has shape {tuple(grad.shape)} but the variable has shape "
                             f"{tuple(variable.shape)}")
        return grad

    def _clip_gradients(self, grads):
        if self.clipnorm is not None and self.clipnorm > 0:
            return [reductions.clip_by_norm(g, self.clipnorm) for g in grads]
        if self.global_clipnorm is not None and self.global_clipnorm > 0:
            return reductions.clip_by_global_norm(grads, self.global_clipnorm)[0]
        if self.clipvalue is not None and self.clipvalue > 0:
            return [reductions.clip_by_value(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Variables (or names containing one of ``var_names``) that weight decay skips."""
        self._exclude_ids.update(_var_key(v) for v in var_list or ())
        self._exclude_names = self._exclude_names + tuple(var_names or ())

    def _use_weight_decay(self, variable) -> bool:
        if _var_key(variable) in self._exclude_ids:
            return False
        name = getattr(variable, "name", "")
        return not any(fragment in name for fragment in self._exclude_names)

    def _apply_weight_decay(self, variables, learning_rate) -> None:
        # Decoupled decay (Loshchilov & Hutter): v -= v * wd * lr, before the gradient update.
        if not self.weight_decay:
            return
        for v in variables:
            if self._use_weight_decay(v):
                lr = ew.cast(learning_rate, v.dtype)
                v.assign_sub(v * ew.cast(self.weight_decay, v.dtype) * lr)

    # ---- configs and state ---------------------------------------------------------------------
    def get_config(self) -> dict:
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            lr = schedules.serialize(lr)
        elif isinstance(lr, Variable):
            lr = float(str(lr.numpy()))  # shortest float32 text: 0.001, not 0.0010000000474
        return {
            "name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue, "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"],
                                                            custom_objects=custom_objects)
        return cls(**config)

    def save_own_variables(self, store: dict) -> None:
        """Write every optimizer variable into ``store`` as ``"0"``, ``"1"``, ... (NumPy)."""
        for i, v in enumerate(self._variables):
            store[str(i)] = v.numpy()

    def load_own_variables(self, store: dict) -> None:
        """Restore what ``save_own_variables`` wrote; the optimizer must be built for the same
        variables (``optimizer.build(model.trainable_variables)``)."""
        if len(store) != len(self._variables):
            raise ValueError(f"{type(self).__name__}: the saved state has {len(store)} "
                             f"variables but this optimizer has {len(self._variables)}; build "
                             "it for the model's trainable variables before loading")
        for i, v in enumerate(self._variables):
            v.assign(convert_to_tensor(store[str(i)], dtype=v.dtype))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


def _as_float(value, what: str, owner: str) -> float:
    if isinstance(value, (Variable, Tensor)):
        value = value.numpy()
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{owner}: `{what}` must be a float, a LearningRateSchedule or a "
                        f"callable, got {type(value).__name__} {value!r}") from None


def _initial_value(initializer, shape, dtype):
    if initializer == "zeros":
        return creation.zeros(shape, dtype)
    if initializer == "ones":
        return creation.ones(shape, dtype)
    if isinstance(initializer, numbers.Number):
        return creation.fill(shape, ew.cast(initializer, dtype)) if shape else ew.cast(
            initializer, dtype)
    if callable(initializer):
        return initializer(shape, dtype)
    raise ValueError(f"optimizer slot initializer must be 'zeros', 'ones', a number or a "
                     f"callable, got {initializer!r}")
