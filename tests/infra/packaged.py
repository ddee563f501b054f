"""The deployable artefacts, built once per test session exactly as `make package` does."""

from __future__ import annotations

import copy
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from infra.package import package


@dataclass(frozen=True)
class Packaged:
    template_path: Path
    bundle_path: Path
    template: dict[str, Any]

    @property
    def resources(self) -> dict[str, Any]:
        return self.template["Resources"]

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {name: r for name, r in self.resources.items() if r["Type"] == kind}

    @property
    def functions(self) -> dict[str, dict[str, Any]]:
        return self.of_type("AWS::Serverless::Function")

    def environment(self, function: str) -> dict[str, Any]:
        """What the function's environment holds once SAM merges in the Globals."""
        shared = self.template.get("Globals", {}).get("Function", {})
        variables = dict(shared.get("Environment", {}).get("Variables", {}))
        own = self.functions[function]["Properties"].get("Environment", {})
        variables.update(own.get("Variables", {}))
        return variables


@cache
def packaged() -> Packaged:
    out = Path(tempfile.mkdtemp(prefix="hub-package-")) / "build"
    template_path = package(out)
    # Chalice writes intrinsic functions in their long form ({"Ref": ...}): plain YAML.
    template = yaml.safe_load(template_path.read_text())
    return Packaged(template_path, out / "deployment.zip", template)


def translated_by_sam(monkeypatch: Any) -> dict[str, Any]:
    """The packaged template as SAM translates it at deployment, offline: the bundle's
    CodeUri as if uploaded, and no AWS managed policy looked up."""
    from samtranslator.translator.transform import transform

    class NoManagedPolicies:
        def load(self) -> dict[str, str]:
            return {}

    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    template = copy.deepcopy(packaged().template)
    for function in template["Resources"].values():
        if function["Type"] == "AWS::Serverless::Function":
            function["Properties"]["CodeUri"] = "s3://bucket/deployment.zip"  # not uploaded
    return transform(template, {}, NoManagedPolicies())
