"""Lesson 04's sections (see reportkit.sections)."""

from __future__ import annotations
