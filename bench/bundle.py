"""What the Lambda bundle weighs, and what weighs in it: `python -m bench.bundle ZIP`."""

from __future__ import annotations

import sys
import zipfile
from collections import Counter
from pathlib import Path

from infra.package import bundle_size


def main() -> None:
    bundle = Path(sys.argv[1] if len(sys.argv) > 1 else "build/deployment.zip")
    zipped, unzipped, files = bundle_size(bundle)
    print(f"Lambda bundle {bundle}")
    print(f"  {zipped / 1e6:6.1f} MB zipped (limit for a direct upload: 50 MB)")
    print(f"  {unzipped / 1e6:6.1f} MB unzipped (Lambda's limit: 250 MB), {files} files")
    heaviest: Counter[str] = Counter()
    with zipfile.ZipFile(bundle) as archive:
        for entry in archive.infolist():
            top = entry.filename.split("/")[0]
            if not top.endswith((".dist-info", ".data")):
                heaviest[top] += entry.compress_size
    print("  heaviest, zipped:")
    for name, size in heaviest.most_common(8):
        print(f"    {size / 1e6:6.2f} MB  {name}")


if __name__ == "__main__":
    main()
