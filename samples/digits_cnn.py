"""Handwritten digits with a small convolutional network (Conv2D, MaxPooling2D).

The 8x8 digits of scikit-learn (bundled, nothing is downloaded) as 8x8x1 images; a
validation split and early stopping as in a TensorFlow 2 tutorial, with only the import
changed.

Run: python samples/digits_cnn.py
"""
import os

# These models are tiny: one BLAS thread beats several competing for a small machine's cores
# (by 10x or more when the machine is busy). Remove this line for large matrices.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import time

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import autograph as tf

tf.random.set_seed(0)

images, labels = load_digits(return_X_y=True)
x = (images / 16.0).astype("float32").reshape(-1, 8, 8, 1)   # NHWC, one channel
x_train, x_test, y_train, y_test = train_test_split(x, labels, test_size=0.2,
                                                    random_state=0, stratify=labels)

model = tf.keras.Sequential([
    tf.keras.layers.Conv2D(32, 3, padding="same", activation="relu", input_shape=(8, 8, 1)),
    tf.keras.layers.MaxPooling2D(2),                      # -> 4x4x32
    tf.keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
    tf.keras.layers.MaxPooling2D(2),                      # -> 2x2x64
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(128, activation="relu"),
    tf.keras.layers.Dropout(0.2),
    tf.keras.layers.Dense(10),
])
model.summary()

model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=2e-3),
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])

callbacks = [
    # Halve the learning rate when the validation loss stalls; stop when it no longer
    # improves, keeping the best weights seen.
    tf.keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2),
    tf.keras.callbacks.EarlyStopping(monitor="val_loss", patience=6,
                                     restore_best_weights=True),
]
start = time.perf_counter()
history = model.fit(x_train, y_train, batch_size=32, epochs=40, validation_split=0.1,
                    callbacks=callbacks, verbose=2)
print(f"trained {len(history.epoch)} epochs in {time.perf_counter() - start:.1f} s")

loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy: {accuracy:.4f}")
