"""Load the kit's front door, ``kit.py`` (a script beside the package, not part of it), as a module."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

KIT = Path(__file__).resolve().parent.parent


def load_kit() -> ModuleType:
    if "kit_front_door" not in sys.modules:
        spec = importlib.util.spec_from_file_location("kit_front_door", KIT / "kit.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while building the class
        spec.loader.exec_module(module)
    return sys.modules["kit_front_door"]
