"""Gradient-boosted trees exported from LightGBM, predicted with numpy alone.

The learned parts train with LightGBM (the `train` extra) but ship and predict without it: `trim` turns
`Booster.dump_model()` into a small JSON document holding only what prediction needs, and `Forest`
walks every tree for every row at once, so a page's lines cost a few array operations per tree level.
The decision rules (missing values, default directions, categorical splits) follow LightGBM's
`Tree::NumericalDecision` / `CategoricalDecision` so the scores match `Booster.predict` exactly.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

FORMAT = "cleaner-forest/1"
_ZERO = 1e-35  # LightGBM's kZeroThreshold: |x| at most this counts as zero for missing_type Zero
_MISSING = {"None": 0, "Zero": 1, "NaN": 2}
CHUNK_ROWS = 2048  # rows walked at once: bounds the working arrays to rows x trees of this many


class ForestError(ValueError):
    """A model file that is not a forest this module can predict with."""


def _sigmoid(raw: np.ndarray, scale: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-scale * raw))


def _softmax(raw: np.ndarray, _scale: float) -> np.ndarray:
    shifted = np.exp(raw - raw.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


# LightGBM objective name -> the transform its Booster.predict applies to the raw score.
_TRANSFORMS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "binary": _sigmoid,
    "multiclassova": _sigmoid,
    "cross_entropy": lambda raw, _s: _sigmoid(raw, 1.0),
    "cross_entropy_lambda": lambda raw, _s: np.log1p(np.exp(raw)),
    "multiclass": _softmax,
    "poisson": lambda raw, _s: np.exp(raw),
    "gamma": lambda raw, _s: np.exp(raw),
    "tweedie": lambda raw, _s: np.exp(raw),
}
_IDENTITY = {"regression", "regression_l1", "huber", "fair", "quantile", "mape", "lambdarank", "rank_xendcg", "custom"}


def _objective(text: str) -> tuple[str, float]:
    """('binary', 1.0) from LightGBM's objective string 'binary sigmoid:1'."""
    name, *params = (text or "regression").split()
    scale = 1.0
    for param in params:
        key, _, value = param.partition(":")
        if key == "sigmoid":
            scale = float(value)
    aliases = {"xentropy": "cross_entropy", "xentlambda": "cross_entropy_lambda"}
    name = aliases.get(name, name)
    if name not in _TRANSFORMS and name not in _IDENTITY:
        raise ForestError(f"objective {name!r} is not supported; use one of {sorted(_TRANSFORMS) + sorted(_IDENTITY)}")
    return name, scale


def _trim_tree(structure: Mapping[str, Any]) -> dict[str, list]:
    """One tree as LightGBM's flat arrays: children >= 0 are split nodes, ~i is leaf i."""
    tree: dict[str, list] = {k: [] for k in ("feature", "threshold", "decision", "default_left", "missing", "left", "right", "leaf_value")}
    if "leaf_value" in structure and "split_feature" not in structure:  # a tree of one leaf
        tree["leaf_value"].append(float(structure["leaf_value"]))
        return tree

    def visit(node: Mapping[str, Any]) -> int:
        if "split_feature" not in node:
            tree["leaf_value"].append(float(node["leaf_value"]))
            return ~(len(tree["leaf_value"]) - 1)
        index = len(tree["feature"])
        tree["feature"].append(int(node["split_feature"]))
        categorical = node["decision_type"] == "=="
        if categorical:
            tree["threshold"].append([int(c) for c in str(node["threshold"]).split("||")])
        elif node["decision_type"] == "<=":
            tree["threshold"].append(float(node["threshold"]))
        else:
            raise ForestError(f"decision type {node['decision_type']!r} is not supported")
        tree["decision"].append("==" if categorical else "<=")
        tree["default_left"].append(bool(node.get("default_left", True)))
        tree["missing"].append(str(node.get("missing_type", "None")))
        tree["left"].append(0)
        tree["right"].append(0)
        tree["left"][index] = visit(node["left_child"])
        tree["right"][index] = visit(node["right_child"])
        return index

    visit(structure)
    return tree


def trim(dump: Mapping[str, Any]) -> dict[str, Any]:
    """The prediction-only document of a `Booster.dump_model()` result (what `Forest` loads)."""
    if dump.get("format") == FORMAT:
        return dict(dump)
    trees = dump.get("tree_info")
    if trees is None:
        raise ForestError("not a LightGBM dump_model() result: no 'tree_info'")
    if any(_has_linear(t["tree_structure"]) for t in trees):
        raise ForestError("linear trees are not supported; train with linear_tree=false")
    name, scale = _objective(str(dump.get("objective", "regression")))
    return {
        "format": FORMAT,
        "objective": name,
        "sigmoid": scale,
        "num_class": int(dump.get("num_class", 1)),
        "num_tree_per_iteration": int(dump.get("num_tree_per_iteration", 1)),
        "average_output": bool(dump.get("average_output", False)),
        "feature_names": list(dump.get("feature_names", [])),
        "trees": [_trim_tree(t["tree_structure"]) for t in trees],
    }


def _has_linear(node: Mapping[str, Any]) -> bool:
    if "leaf_coeff" in node:
        return True
    return any(_has_linear(node[side]) for side in ("left_child", "right_child") if side in node)


def save(dump: Mapping[str, Any], path: str | Path, **meta: Any) -> Path:
    """Write the trimmed forest of `dump` (plus `meta`, e.g. feature version) as compact JSON."""
    document = trim(dump)
    document["meta"] = {**document.get("meta", {}), **meta}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")
    return path



class _Nodes:
    """The trees' nodes laid out in flat columns, split nodes first then leaves, tree after tree."""

    def __init__(self) -> None:
        self.feature: list[int] = []
        self.threshold: list[float] = []
        self.default_left: list[bool] = []
        self.missing: list[int] = []
        self.left: list[int] = []
        self.right: list[int] = []
        self.value: list[float] = []
        self.category: list[int] = []
        self.category_sets: list[list[int]] = []
        self.roots: list[int] = []
        self.leaf_nodes: list[int] = []
        self.depth = 1

    def add(self, tree: Mapping[str, Any]) -> None:
        base, splits = len(self.feature), len(tree["feature"])
        self.roots.append(base)  # node 0 of a tree, or its only leaf

        def node_of(child: int) -> int:
            return base + child if child >= 0 else base + splits + ~child

        for i in range(splits):
            categorical = tree["decision"][i] == "=="
            self.category.append(len(self.category_sets) if categorical else -1)
            if categorical:
                self.category_sets.append(tree["threshold"][i])
            self._node(tree["feature"][i], math.inf if categorical else tree["threshold"][i], tree["default_left"][i],
                       _MISSING[tree["missing"][i]], node_of(tree["left"][i]), node_of(tree["right"][i]), 0.0)
        for j, leaf_value in enumerate(tree["leaf_value"]):
            node = base + splits + j
            self.leaf_nodes.append(node)
            self.category.append(-1)
            self._node(0, math.inf, True, 0, node, node, leaf_value)
        self.depth = max(self.depth, _depth(tree))

    def _node(self, feature: int, threshold: float, default_left: bool, missing: int, left: int, right: int,
              value: float) -> None:
        self.feature.append(feature)
        self.threshold.append(threshold)
        self.default_left.append(default_left)
        self.missing.append(missing)
        self.left.append(left)
        self.right.append(right)
        self.value.append(value)

    def category_table(self) -> np.ndarray:
        """Row r: which category values send split r's rows left."""
        width = max((max(s) for s in self.category_sets if s), default=-1) + 1
        table = np.zeros((len(self.category_sets), max(width, 1)), dtype=bool)
        for row, members in enumerate(self.category_sets):
            table[row, members] = True
        return table

@dataclass(frozen=True)
class Forest:
    """All trees packed into flat node arrays (split nodes and leaves of each tree side by side)."""

    objective: str
    sigmoid: float
    num_class: int
    per_iteration: int
    average_output: bool
    feature_names: tuple[str, ...]
    meta: Mapping[str, Any]
    roots: np.ndarray  # (trees,) node index of each tree's root
    tree_class: np.ndarray  # (trees,) which output column a tree adds to
    feature: np.ndarray  # (nodes,) feature a node tests (0 on leaves)
    threshold: np.ndarray  # (nodes,) numerical threshold (+inf on leaves: they go 'left', to themselves)
    default_left: np.ndarray  # (nodes,) where a missing value goes
    missing: np.ndarray  # (nodes,) 0 None, 1 Zero, 2 NaN
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray  # (nodes,) leaf value (0 on split nodes)
    category: np.ndarray  # (nodes,) row of `categories` for a categorical split, -1 otherwise
    categories: np.ndarray  # (categorical splits, width) bool: category goes left
    depth: int
    is_leaf: np.ndarray  # (nodes,)
    nan_left: np.ndarray  # (nodes,) where a NaN goes: default side (missing NaN or Zero), else as 0 compares
    has_zero_missing: bool

    @property
    def num_features(self) -> int:
        return len(self.feature_names) if self.feature_names else int(self.feature.max(initial=-1)) + 1

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> "Forest":
        """A forest from a trimmed document or straight from a `dump_model()` result."""
        document = trim(document)
        trees = document["trees"]
        if not trees:
            raise ForestError("the model has no trees")
        nodes = _Nodes()
        for tree in trees:
            nodes.add(tree)
        feature, threshold, default_left, missing = nodes.feature, nodes.threshold, nodes.default_left, nodes.missing
        left, right, value, category = nodes.left, nodes.right, nodes.value, nodes.category
        roots, depth, leaf_nodes, table = nodes.roots, nodes.depth, nodes.leaf_nodes, nodes.category_table()
        per_iteration = int(document["num_tree_per_iteration"])
        missing_codes = np.asarray(missing, dtype=np.int8)
        threshold_array = np.asarray(threshold, dtype=np.float64)
        default_array = np.asarray(default_left, dtype=bool)
        is_leaf = np.zeros(len(feature), dtype=bool)
        is_leaf[leaf_nodes] = True
        return cls(
            objective=document["objective"],
            sigmoid=float(document["sigmoid"]),
            num_class=int(document["num_class"]),
            per_iteration=per_iteration,
            average_output=bool(document["average_output"]),
            feature_names=tuple(document.get("feature_names", ())),
            meta=dict(document.get("meta", {})),
            roots=np.asarray(roots, dtype=np.intp),
            tree_class=np.arange(len(trees), dtype=np.intp) % per_iteration,
            feature=np.asarray(feature, dtype=np.intp),
            threshold=np.asarray(threshold, dtype=np.float64),
            default_left=np.asarray(default_left, dtype=bool),
            missing=np.asarray(missing, dtype=np.int8),
            left=np.asarray(left, dtype=np.intp),
            right=np.asarray(right, dtype=np.intp),
            value=np.asarray(value, dtype=np.float64),
            category=np.asarray(category, dtype=np.intp),
            categories=table,
            depth=depth,
            is_leaf=is_leaf,
            nan_left=np.where(missing_codes == 0, 0.0 <= threshold_array, default_array),
            has_zero_missing=bool((missing_codes == 1).any()),
        )

    @classmethod
    def load(cls, path: str | Path) -> "Forest":
        """A forest from a JSON file written by `save` (or a raw `dump_model()` JSON)."""
        path = Path(path)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise ForestError(f"{path}: cannot read the model file: {err}") from err
        try:
            return cls.from_dict(document)
        except (KeyError, TypeError, IndexError) as err:
            raise ForestError(f"{path}: not a forest model file (missing or bad field {err})") from err
        except ForestError as err:
            raise ForestError(f"{path}: {err}") from err

    def raw(self, X: Any) -> np.ndarray:
        """Summed leaf values, as `predict(raw_score=True)`: (rows,) for one output, (rows, classes) for multiclass.

        Every (row, tree) pair walks down at once; pairs that reached a leaf leave the working set,
        so the cost follows the paths' total length, not the deepest tree.
        """
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 1:
            X = X[None, :]
        if X.ndim != 2:
            raise ForestError(f"expected a 2-d feature matrix, got shape {X.shape}")
        needed = int(self.feature.max(initial=0)) + 1
        if X.shape[1] < needed:
            raise ForestError(f"the model reads {needed} features, the matrix has {X.shape[1]}")
        if X.shape[0] > CHUNK_ROWS:  # a page of 100,000 lines must not hold 100,000 x trees pairs at once
            return np.concatenate([self.raw(X[k : k + CHUNK_ROWS]) for k in range(0, X.shape[0], CHUNK_ROWS)])
        rows, trees, width = X.shape[0], len(self.roots), X.shape[1]
        flat = np.ascontiguousarray(X).ravel()
        node = np.tile(self.roots, rows)
        base = np.repeat(np.arange(rows, dtype=np.intp) * width, trees)
        active = np.flatnonzero(~self.is_leaf[node])
        while active.size:
            at = node[active]
            x = flat[base[active] + self.feature[at]]
            go_left = x <= self.threshold[at]  # NaN compares false: fixed below
            nan = np.isnan(x)
            if nan.any():
                go_left[nan] = self.nan_left[at[nan]]
            if self.has_zero_missing:
                zero = (np.abs(x) <= _ZERO) & (self.missing[at] == 1)
                go_left[zero] = self.default_left[at[zero]]
            if self.categories.shape[0]:
                go_left = self._categorical(go_left, at, x)
            step = np.where(go_left, self.left[at], self.right[at])
            node[active] = step
            active = active[~self.is_leaf[step]]
        leaf = self.value[node].reshape(rows, trees)
        if self.num_class > 1 or self.per_iteration > 1:
            out = np.zeros((rows, self.per_iteration))
            for k in range(self.per_iteration):
                out[:, k] = leaf[:, self.tree_class == k].sum(axis=1)
        else:
            out = leaf.sum(axis=1)
        return out

    def _categorical(self, go_left: np.ndarray, node: np.ndarray, x: np.ndarray) -> np.ndarray:
        """LightGBM's CategoricalDecision: NaN and negatives go right; a listed category goes left."""
        row = self.category[node]
        split = row >= 0
        if not split.any():
            return go_left
        with np.errstate(invalid="ignore"):
            value = np.where(np.isnan(x), -1.0, np.trunc(x))
        width = self.categories.shape[1]
        known = split & (value >= 0) & (value < width)
        hit = np.zeros_like(go_left)
        hit[known] = self.categories[row[known], value[known].astype(np.intp)]
        return np.where(split, hit, go_left)

    def predict(self, X: Any) -> np.ndarray:
        """What `Booster.predict` returns: probabilities for binary/multiclass, the raw score for regression."""
        raw = self.raw(X)
        if self.average_output:  # random-forest mode: LightGBM averages the trees before the transform
            raw = raw / (len(self.roots) // self.per_iteration)
        transform = _TRANSFORMS.get(self.objective)
        return raw if transform is None else transform(raw, self.sigmoid)


def _depth(tree: Mapping[str, Sequence]) -> int:
    """Levels of split nodes on the longest path (0 for a one-leaf tree)."""
    if not tree["feature"]:
        return 0
    best, stack = 0, [(0, 1)]
    while stack:
        index, level = stack.pop()
        best = max(best, level)
        for child in (tree["left"][index], tree["right"][index]):
            if child >= 0:
                stack.append((child, level + 1))
    return best
