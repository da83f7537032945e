"""Makes the edited-log fixtures from `sabotage-success.json` with inspect_ai's own editing API.

Run in a venv with `pip install inspect_ai` (0.3.285 made the committed files):

    python make_edited_logs.py

- `sabotage-edited.json`: the score of sample rs-01 changed from I to C after the run by
  `inspect_ai.log.edit_score` (with provenance), metrics recomputed: accuracy 0.1, and the
  sample's `Score.history` holds the original and the edit.
- `sabotage-invalidated.json`: sample rs-02 invalidated by `inspect_ai.log.invalidate_samples`;
  the log carries `invalidated: true`.

Both are written with `write_eval_log(..., format="json")`; nothing is edited by hand.
"""

from datetime import datetime, timezone
from pathlib import Path

from inspect_ai.log import edit_score, invalidate_samples, read_eval_log, write_eval_log
from inspect_ai.log._edit import ProvenanceData
from inspect_ai.scorer import ScoreEdit

here = Path(__file__).parent
when = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)

log = read_eval_log(str(here / "sabotage-success.json"))
edit_score(log, "rs-01", "includes",
           ScoreEdit(value="C", explanation="regraded by hand",
                     provenance=ProvenanceData(timestamp=when, author="reviewer", reason="grader missed the answer")))
write_eval_log(log, str(here / "sabotage-edited.json"), format="json")

log = read_eval_log(str(here / "sabotage-success.json"))
uuid = next(s.uuid for s in log.samples if s.id == "rs-02")
log = invalidate_samples(log, [uuid], ProvenanceData(timestamp=when, author="reviewer", reason="sample leaked"))
write_eval_log(log, str(here / "sabotage-invalidated.json"), format="json")
