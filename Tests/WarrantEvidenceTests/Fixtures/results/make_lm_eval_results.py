"""Makes `lm-eval-results.json` with lm-evaluation-harness itself, offline: its `dummy`
model (random log-likelihoods) on a small local multiple-choice task whose data is a
local JSON Lines file, so nothing is fetched from the Hugging Face Hub.

    pip install lm-eval      # made with the version the file's `lm_eval_version` names
    python make_lm_eval_results.py

The file is what `simple_evaluate` returns, as the harness writes `results_*.json`
(its `json.dumps(..., default=handle_non_serializable)`), without the per-sample log.
"""
import json
import pathlib
import random
import tempfile

import lm_eval
from lm_eval import simple_evaluate
from lm_eval.tasks import TaskManager
from lm_eval.utils import handle_non_serializable

here = pathlib.Path(__file__).resolve().parent
random.seed(0)
with tempfile.TemporaryDirectory() as d:
    data = pathlib.Path(d) / "toy.jsonl"
    with open(data, "w") as f:
        for i in range(40):
            f.write(json.dumps({"question": f"Which letter is number {i % 4}?", "choices": ["a", "b", "c", "d"], "answer": i % 4}) + "\n")
    (pathlib.Path(d) / "toy.yaml").write_text(f"""
task: warrant_toy_mc
dataset_path: json
dataset_kwargs:
  data_files:
    test: {data}
test_split: test
output_type: multiple_choice
doc_to_text: "{{{{question}}}}"
doc_to_choice: "{{{{choices}}}}"
doc_to_target: "{{{{answer}}}}"
metric_list:
  - metric: acc
    aggregation: mean
    higher_is_better: true
metadata:
  version: 1.0
""")
    results = simple_evaluate(model="dummy", tasks=["warrant_toy_mc"], task_manager=TaskManager(include_path=d),
                              random_seed=0, numpy_random_seed=0, torch_random_seed=0, fewshot_random_seed=0,
                              bootstrap_iters=200, log_samples=False)
results.pop("samples", None)
results.setdefault("lm_eval_version", lm_eval.__version__)
text = json.dumps(results, indent=2, default=handle_non_serializable, sort_keys=True)
(here / "lm-eval-results.json").write_text(text.replace(str(data), "toy.jsonl") + "\n")
print("wrote", here / "lm-eval-results.json")
