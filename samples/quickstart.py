"""A first tour: tensors, operators, variables and gradients, written as in TensorFlow 2.

Run: python samples/quickstart.py
"""
import autograph as tf

# Tensors follow TensorFlow's dtype rules: Python floats become float32.
x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
print("x =", x)
print("x @ x =", x @ x)
print("mean of x:", tf.reduce_mean(x).numpy())

# Variables hold state that training updates.
w = tf.Variable([[0.5], [-0.5]], name="w")
b = tf.Variable(0.0, name="b")

# GradientTape records operations on trainable variables and differentiates them.
target = tf.constant([[1.0], [2.0]])
for step in range(50):
    with tf.GradientTape() as tape:
        prediction = x @ w + b
        loss = tf.reduce_mean(tf.square(prediction - target))
    dw, db = tape.gradient(loss, [w, b])
    w.assign_sub(0.05 * dw)
    b.assign_sub(0.05 * db)
print(f"loss after 50 steps: {loss.numpy():.5f}")
print("w =", w.numpy().ravel(), "b =", b.numpy())

# Second derivatives come from nested tapes.
t = tf.constant(3.0)
with tf.GradientTape() as outer:
    outer.watch(t)
    with tf.GradientTape() as inner:
        inner.watch(t)
        y = t ** 3
    dy = inner.gradient(y, t)
print("d/dt t^3 at 3 =", dy.numpy(), "; d2/dt2 =", outer.gradient(dy, t).numpy())
