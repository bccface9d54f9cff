"""``tf.Module`` with a traced method, saved with ``tf.saved_model`` and loaded back without
the Python class, then a Keras model saved and loaded the same way.

Run: python samples/module_saved_model.py
"""
import os
import tempfile

import numpy as np

import autograph as tf


class DemoModule(tf.Module):
    def __init__(self, init_value=tf.constant(0.0), name=None):
        super(DemoModule, self).__init__(name=name)
        with self.name_scope:
            self.x = tf.Variable(init_value, dtype=tf.float32, trainable=True)

    @tf.function(input_signature=[tf.TensorSpec(shape=[], dtype=tf.float32)])
    def add_print(self, a):
        with self.name_scope:
            self.x.assign_add(a)
            tf.print(self.x)
            return self.x


demo = DemoModule(init_value=tf.constant(1.0))
result = demo.add_print(tf.constant(5.0))           # prints 6
print(demo.variables)
print(demo.trainable_variables)
print(demo.submodules)

export_dir = os.path.join(tempfile.mkdtemp(), "demo", "1")
tf.saved_model.save(demo, export_dir, signatures={"serving_default": demo.add_print})

# The loaded object has the traced function and the variable, not the DemoModule class.
demo2 = tf.saved_model.load(export_dir)
demo2.add_print(tf.constant(5.0))                   # prints 11
print("serving_default:", demo2.signatures["serving_default"](a=tf.constant(1.0)))

# Keras models are modules too: a Sequential model saved whole and loaded as a Keras model.
model = tf.keras.Sequential([
    tf.keras.layers.Dense(4, input_shape=(10,)),
    tf.keras.layers.Dense(2),
    tf.keras.layers.Dense(1),
])
model.compile(optimizer="adam", loss="mse")
x = np.random.default_rng(0).standard_normal((32, 10)).astype("float32")
model.fit(x, x[:, :1], epochs=2, verbose=0)
model_dir = os.path.join(tempfile.mkdtemp(), "keras_model")
model.save(model_dir)
restored = tf.keras.models.load_model(model_dir)
same = np.allclose(model.predict(x, verbose=0), restored.predict(x, verbose=0))
print(f"loaded {type(restored).__name__} {restored.name!r}; same predictions: {same}")
print("loss after loading:", restored.evaluate(x, x[:, :1], verbose=0))
