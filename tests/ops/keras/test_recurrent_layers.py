"""SimpleRNN, LSTM and GRU against NumPy time loops: sequences and states, initial states,
reversed time, masks, unknown time length (graph loop), stacked and stateful RNNs, dropout,
and finite-difference gradients through time."""
import numpy as np
import pytest

import autograph as ag
from ops.keras import layers
from tests.ops.keras.layer_support import check_layer_grad

RNG = np.random.default_rng(0)


def normal(*shape, dtype=np.float32):
    return RNG.normal(size=shape).astype(dtype)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def simple_rnn_step(x, states, kernel, recurrent, bias):
    h = np.tanh(x @ kernel + states[0] @ recurrent + bias)
    return h, [h]


def lstm_step(x, states, kernel, recurrent, bias):
    h, c = states
    i, f, g, o = np.split(x @ kernel + h @ recurrent + bias, 4, axis=-1)
    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    h = sigmoid(o) * np.tanh(c)
    return h, [h, c]


def gru_step(x, states, kernel, recurrent, bias):
    h = states[0]
    xz, xr, xh = np.split(x @ kernel + bias[0], 3, axis=-1)
    hz, hr, hh = np.split(h @ recurrent + bias[1], 3, axis=-1)
    z, r = sigmoid(xz + hz), sigmoid(xr + hr)
    h = z * h + (1 - z) * np.tanh(xh + r * hh)
    return h, [h]


def gru_reset_before_step(x, states, kernel, recurrent, bias):
    h = states[0]
    xz, xr, xh = np.split(x @ kernel + bias, 3, axis=-1)
    uz, ur, uh = np.split(recurrent, 3, axis=-1)
    z, r = sigmoid(xz + h @ uz), sigmoid(xr + h @ ur)
    h = z * h + (1 - z) * np.tanh(xh + (r * h) @ uh)
    return h, [h]


STEPS = {layers.SimpleRNN: simple_rnn_step, layers.LSTM: lstm_step, layers.GRU: gru_step}


def run_np(step, x, states, weights, backwards=False, mask=None):
    """(last output, outputs stacked over time in processing order, final states)."""
    order = range(x.shape[1] - 1, -1, -1) if backwards else range(x.shape[1])
    outputs, out = [], np.zeros_like(states[0])
    for t in order:
        new_out, new_states = step(x[:, t], states, *weights)
        if mask is not None:
            keep = mask[:, t:t + 1]
            new_out = np.where(keep, new_out, out)
            new_states = [np.where(keep, n, s) for n, s in zip(new_states, states)]
        out, states = new_out, new_states
        outputs.append(out)
    return out, np.stack(outputs, 1), states


def random_weights(layer):
    layer.set_weights([normal(*w.shape) * 0.5 for w in layer.weights])
    return layer.get_weights()


@pytest.mark.parametrize("cls", list(STEPS))
def test_rnn_matches_numpy_loop(cls):
    layer = cls(4, return_sequences=True, return_state=True)
    x = normal(3, 5, 2)
    layer(x)
    weights = random_weights(layer)
    out, *states = layer(x)
    n_states = 2 if cls is layers.LSTM else 1
    _, expected, expected_states = run_np(STEPS[cls], x, [np.zeros((3, 4))] * n_states, weights)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-4, atol=1e-5)
    assert len(states) == n_states
    for got, want in zip(states, expected_states):
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-4, atol=1e-5)
    last = cls(4)
    last(x)
    last.set_weights(weights)
    np.testing.assert_allclose(last(x).numpy(), expected[:, -1], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("cls", list(STEPS))
def test_initial_state_backwards_and_mask(cls):
    n_states = 2 if cls is layers.LSTM else 1
    layer = cls(3, return_sequences=True, go_backwards=True)
    x = normal(2, 4, 3)
    layer(x)
    weights = random_weights(layer)
    initial = [normal(2, 3) for _ in range(n_states)]
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1]], bool)
    got = layer(x, initial_state=[ag.constant(s) for s in initial], mask=ag.constant(mask))
    _, expected, _ = run_np(STEPS[cls], x, initial, weights, backwards=True, mask=mask)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-4, atol=1e-5)


def test_gru_reset_before_and_weight_shapes():
    gru = layers.GRU(3, reset_after=False, return_sequences=True)
    x = normal(2, 3, 2)
    gru(x)
    weights = random_weights(gru)
    assert [w.shape for w in weights] == [(2, 9), (3, 9), (9,)]
    _, expected, _ = run_np(gru_reset_before_step, x, [np.zeros((2, 3))], weights)
    np.testing.assert_allclose(gru(x).numpy(), expected, rtol=1e-4, atol=1e-5)
    assert layers.GRU(3, input_shape=(None, 2)).cell.bias.shape == (2, 9)


def test_lstm_weights_follow_keras():
    lstm = layers.LSTM(2, input_shape=(None, 3), name="lstm")
    assert [w.name for w in lstm.weights] == ["lstm/lstm_cell/kernel:0",
                                              "lstm/lstm_cell/recurrent_kernel:0",
                                              "lstm/lstm_cell/bias:0"]
    assert [w.shape for w in lstm.weights] == [(3, 8), (2, 8), (8,)]
    np.testing.assert_array_equal(lstm.cell.bias.numpy(), [0, 0, 1, 1, 0, 0, 0, 0])
    recurrent = lstm.cell.recurrent_kernel.numpy()           # orthogonal
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(2), atol=1e-5)


@pytest.mark.parametrize("cls", list(STEPS))
def test_unknown_time_length_runs_a_graph_loop_with_the_same_results(cls):
    layer = cls(3, return_sequences=True, return_state=True)
    x = normal(2, 5, 2)
    eager = layer(x)
    run = ag.function(layer, input_signature=[ag.TensorSpec([None, None, 2])])
    traced = run(x)
    assert "While" in str(run.get_concrete_function().graph)
    for a, b in zip(traced, eager):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)
    mask = ag.constant(np.array([[1, 1, 1, 0, 0], [1, 0, 0, 0, 0]], bool))
    masked = ag.function(lambda x, m: layer(x, mask=m),
                         input_signature=[ag.TensorSpec([None, None, 2]),
                                          ag.TensorSpec([None, None], ag.bool)])
    for a, b in zip(masked(x, mask), layer(x, mask=mask)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls", list(STEPS))
def test_gradients_through_time(cls):
    layer = cls(2, return_sequences=True, dtype="float64")
    check_layer_grad(layer, normal(2, 3, 2, dtype=np.float64), rtol=1e-4, atol=1e-6)


def test_gradients_through_the_graph_loop_match_the_python_loop():
    lstm = layers.LSTM(3, dtype="float64")
    x = ag.constant(normal(2, 4, 2, dtype=np.float64))
    with ag.GradientTape() as tape:
        loss = ag.reduce_sum(lstm(x) ** 2)
    eager = tape.gradient(loss, lstm.trainable_weights)

    @ag.function(input_signature=[ag.TensorSpec([None, None, 2], ag.float64)])
    def grads(x):
        with ag.GradientTape() as tape:
            loss = ag.reduce_sum(lstm(x) ** 2)
        return tape.gradient(loss, lstm.trainable_weights)

    for a, b in zip(grads(x), eager):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-8)


def test_stacked_cells():
    rnn = layers.RNN([layers.LSTMCell(3), layers.GRUCell(2)], return_state=True)
    x = normal(2, 4, 3)
    out, h1, c1, h2 = rnn(x)
    assert tuple(out.shape) == (2, 2) and tuple(c1.shape) == (2, 3)
    lstm_w = rnn.cell.cells[0].get_weights()
    gru_w = rnn.cell.cells[1].get_weights()

    def step(x_t, states, *unused):
        o1, s1 = lstm_step(x_t, states[:2], *lstm_w)
        o2, s2 = gru_step(o1, states[2:], *gru_w)
        return o2, s1 + s2

    last, _, states = run_np(step, x, [np.zeros((2, 3))] * 2 + [np.zeros((2, 2))], [])
    np.testing.assert_allclose(out.numpy(), last, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(c1.numpy(), states[1], rtol=1e-4, atol=1e-5)
    assert len(rnn.trainable_weights) == 6


def test_stateful_rnn_carries_states_between_calls():
    rnn = layers.SimpleRNN(3, stateful=True, batch_input_shape=(2, None, 2))
    x = normal(2, 6, 2)
    whole = layers.SimpleRNN(3)
    whole(x)
    whole.set_weights(rnn.get_weights())          # states are not weights
    assert len(rnn.states) == 1 and len(rnn.weights) == 3
    rnn(x[:, :3])
    np.testing.assert_allclose(rnn(x[:, 3:]).numpy(), whole(x).numpy(), rtol=1e-5, atol=1e-6)
    rnn.reset_states()
    np.testing.assert_allclose(rnn(x[:, :3]).numpy(), whole(x[:, :3]).numpy(), rtol=1e-5)
    with pytest.raises(ValueError, match="stateful RNN needs a fixed batch size"):
        layers.LSTM(2, stateful=True, input_shape=(None, 2))


def test_dropout_only_in_training():
    lstm = layers.LSTM(4, dropout=0.5, recurrent_dropout=0.5, return_sequences=True)
    x = normal(3, 5, 2)
    inference = lstm(x).numpy()
    np.testing.assert_array_equal(lstm(x, training=False).numpy(), inference)
    trained = lstm(x, training=True).numpy()
    assert trained.shape == inference.shape and not np.allclose(trained, inference)
    assert lstm.cell._dropout_masks is None


def test_rnn_errors():
    with pytest.raises(ValueError, match='layer "lstm_x".*expected ndim=3, found ndim=2'):
        layers.LSTM(2, name="lstm_x")(normal(2, 3))
    gru = layers.GRU(2, name="g")
    gru(normal(1, 2, 3))
    with pytest.raises(ValueError, match=r'layer "g".*value 3.*\(1, 2, 4\)'):
        gru(normal(1, 2, 4))
    with pytest.raises(ValueError, match="expects 2 initial state"):
        layers.LSTM(2)(normal(1, 2, 3), initial_state=[ag.zeros([1, 2])])


def test_compute_output_shape():
    assert layers.LSTM(5).compute_output_shape((None, 7, 3)) == (None, 5)
    assert layers.GRU(5, return_sequences=True).compute_output_shape((None, 7, 3)) == \
        (None, 7, 5)
    assert layers.LSTM(5, return_state=True).compute_output_shape((2, 7, 3)) == \
        [(2, 5), (2, 5), (2, 5)]
