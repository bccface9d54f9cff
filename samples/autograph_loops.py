"""Plain Python control flow on tensors: AutoGraph turns it into graph loops and conditions.

Run: python samples/autograph_loops.py     (prints results, then the converted source)
"""
import autograph as tf


@tf.function
def collatz(n):
    """Steps for n to reach 1 (a tensor while loop with a tensor if inside)."""
    steps = tf.constant(0)
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


@tf.function
def gcd(a, b):
    """Euclid's algorithm."""
    while b != 0:
        a, b = b, a % b
    return a


@tf.function
def newton_sqrt(x, tolerance=1e-6):
    """Square root by Newton's method, stopping early with break."""
    guess = x / 2.0
    for _ in tf.range(100):
        better = (guess + x / guess) / 2.0
        if tf.abs(better - guess) < tolerance:
            break
        guess = better
    return guess


print("collatz(27) =", collatz(tf.constant(27)).numpy())
print("gcd(1071, 462) =", gcd(tf.constant(1071), tf.constant(462)).numpy())
print("newton_sqrt(2.0) =", newton_sqrt(tf.constant(2.0)).numpy())
print()
print(tf.autograph.to_code(collatz))
