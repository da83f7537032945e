"""Makes the deflated `.eval` fixtures from `sabotage-success.eval` (zstd, written by
inspect_ai 0.3.285), as inspect_ai before 0.3.206 wrote them:

- `sabotage-success-deflate.eval`: every entry decompressed with zstandard and stored
  again with deflate, names and order unchanged: the same run in the older compression.
- `sabotage-in-progress.eval`: only the `_journal/` entries, deflated: what a run that
  has not finished (or was killed) leaves; inspect_ai writes header.json at the end.

    pip install zstandard
    python make_deflate_evals.py
"""
import zipfile
from pathlib import Path

import zstandard

here = Path(__file__).parent
source = here / "sabotage-success.eval"
decoder = zstandard.ZstdDecompressor()


def entries():
    with zipfile.ZipFile(source) as z:
        with open(source, "rb") as raw:
            for info in z.infolist():
                # zipfile cannot decompress method 93: read the local record's data by hand.
                raw.seek(info.header_offset + 26)
                name_len = int.from_bytes(raw.read(2), "little")
                extra_len = int.from_bytes(raw.read(2), "little")
                raw.seek(info.header_offset + 30 + name_len + extra_len)
                data = raw.read(info.compress_size)
                yield info.filename, decoder.decompressobj().decompress(data) if info.compress_type == 93 else data


items = list(entries())
with zipfile.ZipFile(here / "sabotage-success-deflate.eval", "w", zipfile.ZIP_DEFLATED) as out:
    for name, data in items:
        out.writestr(zipfile.ZipInfo(name, date_time=(2026, 11, 27, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
with zipfile.ZipFile(here / "sabotage-in-progress.eval", "w", zipfile.ZIP_DEFLATED) as out:
    for name, data in items:
        if name.startswith("_journal/"):
            out.writestr(zipfile.ZipInfo(name, date_time=(2026, 11, 27, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
