"""``Embedding``: integer ids -> rows of a trainable ``(input_dim, output_dim)`` table."""
from __future__ import annotations

from runtime.shapes import TensorShape
from runtime import dtypes as D
from ops import indexing
from ops import elementwise as math_ops
from ops.keras import constraints, initializers, regularizers
from ops.keras.layers.base import Layer, get_constraint, get_initializer, get_regularizer

__all__ = ["Embedding"]


class Embedding(Layer):
    """Look ids up in an embedding table: ``(batch, ...) ints -> (batch, ..., output_dim)``.

    ``Embedding(input_dim, output_dim, embeddings_initializer="uniform",
    embeddings_regularizer=None, activity_regularizer=None, embeddings_constraint=None,
    mask_zero=False, input_length=None)``. Ids must lie in ``[0, input_dim)``; with
    ``mask_zero=True`` id 0 is padding and ``compute_mask`` marks it (so ``input_dim``
    should count it).
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, activity_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, input_length=None, **kwargs):
        self._default_input_shape = "input_shape" not in kwargs and \
            "batch_input_shape" not in kwargs
        if self._default_input_shape:
            # The table does not depend on the input, so the layer builds right away.
            kwargs["input_shape"] = (input_length,) if input_length else (None,)
        for what, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"Embedding: {what} must be a positive integer, got {value!r}")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.input_dim, self.output_dim = input_dim, output_dim
        self.embeddings_initializer = get_initializer(embeddings_initializer,
                                                      "embeddings_initializer")
        self.embeddings_regularizer = get_regularizer(embeddings_regularizer,
                                                      "embeddings_regularizer")
        self.embeddings_constraint = get_constraint(embeddings_constraint,
                                                    "embeddings_constraint")
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.input_length = input_length

    def build(self, input_shape):
        self.embeddings = self.add_weight("embeddings", (self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        self.built = True

    def call(self, inputs):
        if inputs.dtype not in (D.int32, D.int64):
            inputs = math_ops.cast(inputs, D.int32)
        return indexing.gather(self._read(self.embeddings), inputs)

    def compute_mask(self, inputs, mask=None):
        """``inputs != 0`` when ``mask_zero``, else ``None``."""
        if not self.mask_zero:
            return None
        return math_ops.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape) + (self.output_dim,)

    def get_config(self):
        config = super().get_config()
        if self._default_input_shape:
            config.pop("batch_input_shape", None)
        config.update({
            "input_dim": self.input_dim, "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero, "input_length": self.input_length,
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
        })
        return config
