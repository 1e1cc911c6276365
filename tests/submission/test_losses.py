"""Losses against values computed by hand on fixed arrays."""

import numpy as np
import pytest
from garbage import losses

P = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]], dtype="float32")
Y = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], dtype="float32")
CE = np.array([-np.log(0.7), -np.log(0.6)])


def _np(x):
    return np.asarray(x, dtype="float64")


def test_plain_loss_is_cross_entropy():
    np.testing.assert_allclose(_np(losses.make_loss()(Y, P)), CE, rtol=1e-6)


def test_uniform_cost_table_equals_cross_entropy():
    uniform = np.ones((3, 3), dtype="float32")
    np.testing.assert_allclose(_np(losses.make_loss(uniform)(Y, P)), CE, rtol=1e-6)


def test_cost_table_discounts_cheap_mistakes():
    costs = np.ones((3, 3), dtype="float32")
    costs[0, 1] = 0.1  # predicting class 1 for class 0 is a cheap mistake
    got = _np(losses.make_loss(costs)(Y, P))
    # example 0: -log(0.7 / (0.7 + 0.1 * 0.2 + 0.1)); example 1 untouched
    np.testing.assert_allclose(got, [-np.log(0.7 / 0.82), CE[1]], rtol=1e-6)
    assert got[0] < CE[0]


def test_focal_with_gamma_zero_is_cross_entropy_and_gamma_two_by_hand():
    np.testing.assert_allclose(_np(losses.make_loss(focal_gamma=0.0)(Y, P)), CE, rtol=1e-6)
    focal = _np(losses.make_loss(focal_gamma=2.0)(Y, P))
    np.testing.assert_allclose(focal, [0.3**2 * CE[0], 0.4**2 * CE[1]], rtol=1e-5)


def test_label_smoothing_by_hand():
    got = _np(losses.make_loss(label_smoothing=0.3)(Y[:1], P[:1]))
    target = np.array([0.8, 0.1, 0.1])
    np.testing.assert_allclose(got, [-(target * np.log(P[0])).sum()], rtol=1e-6)


def test_mixup_keeps_labels_summing_to_one_and_mixes_inputs_alike():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 5)).astype("float32")
    y = np.eye(4, dtype="float32")[rng.integers(0, 4, 16)]
    xm, ym = losses.mixup(x, y, 0.4, np.random.default_rng(1))
    np.testing.assert_allclose(ym.sum(axis=1), 1.0, rtol=1e-6)
    assert not np.allclose(xm, x)
    assert (ym.max(axis=1) < 1.0).any()
    same_x, same_y = losses.mixup(x, y, 0.0, rng)
    assert same_x is x and same_y is y


def test_cost_matrix_reads_table_and_keeps_unknown_classes_uniform(tmp_path):
    table = tmp_path / "error_types.csv"
    table.write_text(
        "true,predicted,weight\n充电器,充电线,0.1\nmop,earphones,1.0\nunknown,other,0.2\n",
        encoding="utf-8",
    )
    m = losses.cost_matrix(["充电器", "充电线", "拖把"], table)
    assert m[0, 1] == pytest.approx(0.1)
    assert m[1, 0] == 1.0 and np.all(np.diag(m) == 1.0)
    assert np.all(losses.cost_matrix(["a", "b"], None) == 1.0)
