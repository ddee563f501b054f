"""What the Lambda bundle weighs, and what weighs in it: `python -m bench.bundle ZIP`."""

from __future__ import annotations

import sys
import zipfile
from collections import Counter
from pathlib import Path

from infra.package import bundle_size

# What a cold start downloads and unpacks: the bundle's aim, zipped (docs/operations.md,
# "The Lambda bundle").
TARGET = 8_000_000


def main() -> None:
    bundle = Path(sys.argv[1] if len(sys.argv) > 1 else "build/deployment.zip")
    zipped, unzipped, files = bundle_size(bundle)
    verdict = "met" if zipped <= TARGET else f"missed by {(zipped - TARGET) / 1e6:.1f} MB"
    print(f"Lambda bundle {bundle}")
    print(f"  {zipped / 1e6:6.1f} MB zipped (target ≤ {TARGET / 1e6:.0f} MB: {verdict})")
    print(f"  {unzipped / 1e6:6.1f} MB unzipped (Lambda's limit: 250 MB), {files} files")
    heaviest: Counter[str] = Counter()
    services: set[str] = set()
    bytecode = extensions = 0
    with zipfile.ZipFile(bundle) as archive:
        for entry in archive.infolist():
            parts = entry.filename.split("/")
            if "__pycache__" in parts:
                bytecode += entry.compress_size
            elif entry.filename.endswith(".so"):
                extensions += entry.compress_size
            if not parts[0].endswith((".dist-info", ".data")):
                heaviest[parts[0]] += entry.compress_size
            if parts[:2] == ["botocore", "data"] and len(parts) > 3:
                services.add(parts[2])
    print(
        f"  of which {bytecode / 1e6:.1f} MB of bytecode (a cold start compiles nothing: "
        f"bench.coldstart) and {extensions / 1e6:.1f} MB of compiled extensions "
        "(cryptography, pydantic-core, cffi)"
    )
    print("  heaviest, zipped:")
    for name, size in heaviest.most_common(8):
        print(f"    {size / 1e6:6.2f} MB  {name}")
    named = ", ".join(sorted(services)) if len(services) <= 10 else "all of them"
    print(f"  botocore's data: {len(services)} services ({named})")


if __name__ == "__main__":
    main()
