"""Handwritten digits with a Keras MLP: Sequential, compile, fit, evaluate, predict.

scikit-learn's 8x8 digits (1797 images, bundled with scikit-learn: nothing is downloaded)
stand in for MNIST; the code is TensorFlow 2's, with only the import changed.

Run: python samples/digits_mlp.py
"""
import os

# These models are tiny: one BLAS thread beats several competing for a small machine's cores
# (by 10x or more when the machine is busy). Remove this line for large matrices.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import autograph as tf

tf.random.set_seed(0)

# 8x8 images with pixel values 0..16 -> 64 features in [0, 1]; labels 0..9.
images, labels = load_digits(return_X_y=True)
x = (images / 16.0).astype("float32")
x_train, x_test, y_train, y_test = train_test_split(x, labels, test_size=0.2,
                                                    random_state=0, stratify=labels)

model = tf.keras.Sequential([
    tf.keras.layers.Dense(256, activation="relu", input_shape=(64,)),
    tf.keras.layers.Dense(128, activation="relu"),
    tf.keras.layers.Dense(10),
])
model.summary()

model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=1e-3),
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])

start = time.perf_counter()
history = model.fit(x_train, y_train, batch_size=64, epochs=30, verbose=0)
seconds = time.perf_counter() - start
print(f"trained 30 epochs in {seconds:.2f} s ({1000 * seconds / 30:.1f} ms per epoch); "
      f"final training loss {history.history['loss'][-1]:.4f}")

loss, accuracy = model.evaluate(x_test, y_test, verbose=2)
print(f"test accuracy: {accuracy:.4f}")

# predict returns logits; softmax turns them into probabilities.
probabilities = tf.nn.softmax(model.predict(x_test[:5], verbose=0)).numpy()
print("predicted:", np.argmax(probabilities, axis=1), "true:", y_test[:5])
