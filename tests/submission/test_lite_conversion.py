"""The converted EfficientNet-Lite weights reproduce the PyTorch ImageNet model."""

import numpy as np
import pytest
import torch
from efficientnet_lite_pytorch import EfficientNet
from garbage import convert_lite
from garbage.efficientnet_lite import VARIANTS, LiteLayers, block_configs


@pytest.mark.parametrize("variant", ["lite0", "lite2"])
def test_keras_lite_matches_pytorch(variant, tmp_path):
    size = VARIANTS[variant][2]
    sd = convert_lite.read_torch_state_dict(variant)
    out = convert_lite.convert(variant, tmp_path / "w.weights.h5")

    net = LiteLayers(variant)
    model = net.full(size)
    model.load_weights(out)

    torch_net = EfficientNet.from_name(f"efficientnet-{variant}")
    torch_net.load_state_dict(torch.load(convert_lite.source_file(variant), weights_only=True))
    torch_net.eval()

    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (2, size, size, 3)).astype("float32")
    with torch.no_grad():
        fmap = torch_net.extract_features(torch.from_numpy(x.transpose(0, 3, 1, 2)))
        expected = fmap.mean(dim=(2, 3)).numpy()
        expected_logits = torch_net(torch.from_numpy(x.transpose(0, 3, 1, 2))).numpy()
    got = np.asarray(model.predict(x, verbose=0))
    assert got.shape == (2, 1280)
    rel = np.linalg.norm(got - expected) / np.linalg.norm(expected)
    assert rel < 1e-4, rel
    logits = got @ sd["_fc.weight"].T + sd["_fc.bias"]
    rel_logits = np.linalg.norm(logits - expected_logits) / np.linalg.norm(expected_logits)
    assert rel_logits < 1e-4, rel_logits


def test_block_counts_follow_depth_multiplier():
    assert len(block_configs("lite0")) == 16
    assert len(block_configs("lite2")) == 1 + 3 + 3 + 4 + 4 + 5 + 1
