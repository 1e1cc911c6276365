"""The phase protocols: how the harness drives a submission's train and predict programs.

They talk to a Runner only, so the same rules hold under every runner.
"""

from harness.phases.predict import Answer, PredictLimits, PredictRequest, run_predict
from harness.phases.train import run_train

__all__ = ["Answer", "PredictLimits", "PredictRequest", "run_predict", "run_train"]
