"""A custom training loop: ``tf.data`` batches, a ``@tf.function`` train step with
``GradientTape`` and ``optimizer.apply_gradients``, and Keras metrics updated by hand.

The digits of scikit-learn (bundled, nothing is downloaded); TensorFlow 2 code with only the
import changed.

Run: python samples/custom_training_loop.py
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
x = (images / 16.0).astype("float32")
x_train, x_test, y_train, y_test = train_test_split(x, labels, test_size=0.2,
                                                    random_state=0, stratify=labels)
train_ds = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(2000).batch(64)
test_ds = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(256)

model = tf.keras.Sequential([
    tf.keras.layers.Dense(256, activation="relu", input_shape=(64,)),
    tf.keras.layers.Dropout(0.1),
    tf.keras.layers.Dense(128, activation="relu"),
    tf.keras.layers.Dense(10),
])
loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
optimizer = tf.keras.optimizers.Adam(learning_rate=1e-3)
train_loss = tf.keras.metrics.Mean(name="train_loss")
train_accuracy = tf.keras.metrics.SparseCategoricalAccuracy(name="train_accuracy")
test_accuracy = tf.keras.metrics.SparseCategoricalAccuracy(name="test_accuracy")


@tf.function
def train_step(images, labels):
    with tf.GradientTape() as tape:
        predictions = model(images, training=True)
        loss = loss_fn(labels, predictions)
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    train_loss.update_state(loss)
    train_accuracy.update_state(labels, predictions)


@tf.function
def test_step(images, labels):
    test_accuracy.update_state(labels, model(images, training=False))


start = time.perf_counter()
for epoch in range(20):
    train_loss.reset_state()
    train_accuracy.reset_state()
    for images_batch, labels_batch in train_ds:
        train_step(images_batch, labels_batch)
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1}: loss {train_loss.result().numpy():.4f}, "
              f"accuracy {train_accuracy.result().numpy():.4f}")
print(f"20 epochs in {time.perf_counter() - start:.2f} s; train_step traced "
      f"{train_step.experimental_get_tracing_count()} times (full and last partial batch)")

for images_batch, labels_batch in test_ds:
    test_step(images_batch, labels_batch)
print(f"test accuracy: {test_accuracy.result().numpy():.4f}")
