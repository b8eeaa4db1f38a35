"""Gradient-boosted trees exported from LightGBM, predicted without it.

The learned parts train with LightGBM (the `train` extra) but ship and predict without it: `trim` turns
`Booster.dump_model()` into a small JSON document holding only what prediction needs. `Forest.raw`
walks every tree for every row at once with numpy, so a page's lines cost a few array operations per
tree level; `Forest.raw_row` scores one row (a page's type) in plain Python, compiled to Python code
once a process has scored a few, so a page costs tens of microseconds and no numpy import.
The decision rules (missing values, default directions, categorical splits) follow LightGBM's
`Tree::NumericalDecision` / `CategoricalDecision` so the scores match `Booster.predict` exactly.
"""

from __future__ import annotations

import json
import math
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

if TYPE_CHECKING:
    import numpy as np

FORMAT = "cleaner-forest/1"
_ZERO = 1e-35  # LightGBM's kZeroThreshold: |x| at most this counts as zero for missing_type Zero
_MISSING = {"None": 0, "Zero": 1, "NaN": 2}
CHUNK_ROWS = 2048  # rows walked at once: bounds the working arrays to rows x trees of this many
COMPILE_AFTER = 16  # single rows walked before plain trees become Python code (a one-file run never compiles)
MAX_COMPILED_DEPTH = 60  # deeper trees stay walked: the compiler's nesting limit


SHIPPED = Path(__file__).parent / "models"  # the model files the package ships


def model_path(models_dir: str | None, name: str) -> Path:
    """Where a learned part's model file is: in `models_dir`, or among the shipped ones without it."""
    return (Path(models_dir) if models_dir else SHIPPED) / name


class ForestError(ValueError):
    """A model file that is not a forest this module can predict with."""


def _sigmoid(raw: "np.ndarray", scale: float) -> "np.ndarray":
    import numpy as np

    return 1.0 / (1.0 + np.exp(-scale * raw))


def _softmax(raw: "np.ndarray", _scale: float) -> "np.ndarray":
    import numpy as np

    shifted = np.exp(raw - raw.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _exp(raw: "np.ndarray", _scale: float) -> "np.ndarray":
    import numpy as np

    return np.exp(raw)


def _log1p_exp(raw: "np.ndarray", _scale: float) -> "np.ndarray":
    import numpy as np

    return np.log1p(np.exp(raw))


# LightGBM objective name -> the transform its Booster.predict applies to the raw score.
_TRANSFORMS: dict[str, Callable[["np.ndarray", float], "np.ndarray"]] = {
    "binary": _sigmoid,
    "multiclassova": _sigmoid,
    "cross_entropy": lambda raw, _s: _sigmoid(raw, 1.0),
    "cross_entropy_lambda": _log1p_exp,
    "multiclass": _softmax,
    "poisson": _exp,
    "gamma": _exp,
    "tweedie": _exp,
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


class _Arrays:
    """The node lists as numpy arrays, for walking many rows at once (`Forest.raw`)."""

    def __init__(self, nodes: _Nodes, per_iteration: int):
        import numpy as np

        missing = np.asarray(nodes.missing, dtype=np.int8)
        threshold = np.asarray(nodes.threshold, dtype=np.float64)
        default_left = np.asarray(nodes.default_left, dtype=bool)
        self.roots = np.asarray(nodes.roots, dtype=np.intp)  # (trees,) node index of each tree's root
        self.tree_class = np.arange(len(nodes.roots), dtype=np.intp) % per_iteration  # output column of a tree
        self.feature = np.asarray(nodes.feature, dtype=np.intp)  # (nodes,) feature a node tests (0 on leaves)
        self.threshold = threshold  # +inf on leaves: they go 'left', to themselves
        self.default_left = default_left  # where a missing value goes
        self.missing = missing  # 0 None, 1 Zero, 2 NaN
        self.left = np.asarray(nodes.left, dtype=np.intp)
        self.right = np.asarray(nodes.right, dtype=np.intp)
        self.value = np.asarray(nodes.value, dtype=np.float64)  # leaf value (0 on split nodes)
        self.category = np.asarray(nodes.category, dtype=np.intp)  # row of `categories`, -1 if not categorical
        width = max((max(s) for s in nodes.category_sets if s), default=-1) + 1
        self.categories = np.zeros((len(nodes.category_sets), max(width, 1)), dtype=bool)  # category goes left
        for row, members in enumerate(nodes.category_sets):
            self.categories[row, members] = True
        self.is_leaf = np.zeros(len(nodes.feature), dtype=bool)
        self.is_leaf[nodes.leaf_nodes] = True
        self.nan_left = np.where(missing == 0, 0.0 <= threshold, default_left)  # NaN: default side, else as 0
        self.has_zero_missing = bool((missing == 1).any())

    def categorical(self, go_left: "np.ndarray", node: "np.ndarray", x: "np.ndarray") -> "np.ndarray":
        """LightGBM's CategoricalDecision: NaN and negatives go right; a listed category goes left."""
        import numpy as np

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


class Forest:
    """The trees of one model, as stored in its JSON document.

    One row (a page's type) is scored in Python (`raw_row`): cheaper than numpy's per-call overhead,
    and a text-only run never imports numpy (a fifth of a pre-commit hook's start-up). Many rows (a
    page's lines) walk numpy arrays built on first use from the trees' nodes in flat columns.
    """

    def __init__(self, document: Mapping[str, Any]):
        self.objective: str = document["objective"]
        self.sigmoid = float(document["sigmoid"])
        self.num_class = int(document["num_class"])
        self.per_iteration = int(document["num_tree_per_iteration"])
        self.average_output = bool(document["average_output"])
        self.feature_names: tuple[str, ...] = tuple(document.get("feature_names", ()))
        self.meta: Mapping[str, Any] = dict(document.get("meta", {}))
        self.trees: list[Mapping[str, list]] = document["trees"]
        self.needed = max((f for tree in self.trees for f in tree["feature"]), default=0) + 1  # features a row must have
        self._plain = [all(d == "<=" for d in t["decision"]) and all(m == "None" for m in t["missing"]) for t in self.trees]
        self._rows = 0  # single rows predicted so far
        self._compiled: list[Callable[[list[float]], float]] | None = None

    @property
    def num_features(self) -> int:
        return len(self.feature_names) if self.feature_names else self.needed

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> "Forest":
        """A forest from a trimmed document or straight from a `dump_model()` result."""
        document = trim(document)
        if not document["trees"]:
            raise ForestError("the model has no trees")
        return cls(document)

    @cached_property
    def nodes(self) -> _Nodes:
        nodes = _Nodes()
        for tree in self.trees:
            nodes.add(tree)
        return nodes

    @property
    def depth(self) -> int:
        return self.nodes.depth

    @cached_property
    def arrays(self) -> "_Arrays":
        return _Arrays(self.nodes, self.per_iteration)

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

    def raw(self, X: Any) -> "np.ndarray":
        """Summed leaf values, as `predict(raw_score=True)`: (rows,) for one output, (rows, classes) for multiclass.

        Every (row, tree) pair walks down at once; pairs that reached a leaf leave the working set,
        so the cost follows the paths' total length, not the deepest tree.
        """
        import numpy as np

        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 1:
            X = X[None, :]
        if X.ndim != 2:
            raise ForestError(f"expected a 2-d feature matrix, got shape {X.shape}")
        if X.shape[1] < self.needed:
            raise ForestError(f"the model reads {self.needed} features, the matrix has {X.shape[1]}")
        if X.shape[0] > CHUNK_ROWS:  # a page of 100,000 lines must not hold 100,000 x trees pairs at once
            return np.concatenate([self.raw(X[k : k + CHUNK_ROWS]) for k in range(0, X.shape[0], CHUNK_ROWS)])
        a = self.arrays
        rows, trees, width = X.shape[0], len(a.roots), X.shape[1]
        flat = np.ascontiguousarray(X).ravel()
        node = np.tile(a.roots, rows)
        base = np.repeat(np.arange(rows, dtype=np.intp) * width, trees)
        active = np.flatnonzero(~a.is_leaf[node])
        while active.size:
            at = node[active]
            x = flat[base[active] + a.feature[at]]
            go_left = x <= a.threshold[at]  # NaN compares false: fixed below
            nan = np.isnan(x)
            if nan.any():
                go_left[nan] = a.nan_left[at[nan]]
            if a.has_zero_missing:
                zero = (np.abs(x) <= _ZERO) & (a.missing[at] == 1)
                go_left[zero] = a.default_left[at[zero]]
            if a.categories.shape[0]:
                go_left = a.categorical(go_left, at, x)
            step = np.where(go_left, a.left[at], a.right[at])
            node[active] = step
            active = active[~a.is_leaf[step]]
        leaf = a.value[node].reshape(rows, trees)
        if self.num_class > 1 or self.per_iteration > 1:
            out = np.zeros((rows, self.per_iteration))
            for k in range(self.per_iteration):
                out[:, k] = leaf[:, a.tree_class == k].sum(axis=1)
        else:
            out = leaf.sum(axis=1)
        return out

    def raw_row(self, row: Sequence[float]) -> list[float]:
        """`raw` of one row, walked in Python over the trees as stored: one score per output.

        A tree of numerical splits whose missing type is None reads NaN as 0 at every split, so it
        walks the row with NaN replaced by 0 in a loop of plain comparisons; other trees take each
        split's full decision (`_goes_left`).
        """
        if len(row) < self.needed:
            raise ForestError(f"the model reads {self.needed} features, the row has {len(row)}")
        row = [float(x) for x in row]
        as_zero = [0.0 if x != x else x for x in row]
        self._rows += 1
        if self._compiled is None and self._rows > COMPILE_AFTER:
            self._compiled = _compile(self.trees, self.per_iteration) if all(self._plain) else []
        if self._compiled:
            return [score(as_zero) for score in self._compiled]
        out = [0.0] * self.per_iteration
        for t, (tree, plain) in enumerate(zip(self.trees, self._plain)):
            node = 0 if tree["feature"] else ~0
            if plain:
                feature, threshold, left, right = tree["feature"], tree["threshold"], tree["left"], tree["right"]
                while node >= 0:
                    node = left[node] if as_zero[feature[node]] <= threshold[node] else right[node]
            else:
                while node >= 0:
                    node = tree["left"][node] if _goes_left(tree, node, row[tree["feature"][node]]) else tree["right"][node]
            out[t % self.per_iteration] += tree["leaf_value"][~node]
        return out

    def predict_row(self, row: Sequence[float]) -> list[float]:
        """`predict` of one row, without numpy."""
        raw = self.raw_row(row)
        if self.average_output:
            raw = [r / (len(self.trees) // self.per_iteration) for r in raw]
        if self.objective == "multiclass":
            top = max(raw)
            exps = [math.exp(r - top) for r in raw]
            return [e / sum(exps) for e in exps]
        if self.objective in ("binary", "multiclassova"):
            return [1.0 / (1.0 + math.exp(-self.sigmoid * r)) for r in raw]
        if self.objective == "cross_entropy":
            return [1.0 / (1.0 + math.exp(-r)) for r in raw]
        if self.objective == "cross_entropy_lambda":
            return [math.log1p(math.exp(r)) for r in raw]
        if self.objective in ("poisson", "gamma", "tweedie"):
            return [math.exp(r) for r in raw]
        return raw

    def predict(self, X: Any) -> "np.ndarray":
        """What `Booster.predict` returns: probabilities for binary/multiclass, the raw score for regression."""
        raw = self.raw(X)
        if self.average_output:  # random-forest mode: LightGBM averages the trees before the transform
            raw = raw / (len(self.trees) // self.per_iteration)
        transform = _TRANSFORMS.get(self.objective)
        return raw if transform is None else transform(raw, self.sigmoid)


def _compile(trees: Sequence[Mapping[str, list]], per_iteration: int) -> list[Callable[[list[float]], float]]:
    """Plain trees as one Python expression per output (nested conditionals summed in tree order), so a
    row costs the comparisons on its paths and nothing else: ten times faster than walking the lists.
    Empty when a value cannot be written as a literal or a tree is too deep: the walk serves then."""

    def expr(tree: Mapping[str, list], node: int, depth: int) -> str:
        if node < 0:
            value = float(tree["leaf_value"][~node])
            if not math.isfinite(value):
                raise ValueError(value)
            return repr(value)
        threshold = float(tree["threshold"][node])
        if depth > MAX_COMPILED_DEPTH or not math.isfinite(threshold):
            raise ValueError(threshold)
        return (f"({expr(tree, tree['left'][node], depth + 1)} if z[{int(tree['feature'][node])}] <= {threshold!r} "
                f"else {expr(tree, tree['right'][node], depth + 1)})")

    try:
        sums = [["0.0"] for _ in range(per_iteration)]
        for t, tree in enumerate(trees):
            sums[t % per_iteration].append(expr(tree, 0 if tree["feature"] else ~0, 0))
        return [eval(compile("lambda z: " + " + ".join(terms), "<forest>", "eval"), {}) for terms in sums]  # noqa: S307
    except (ValueError, RecursionError, MemoryError, SyntaxError):
        return []


def _goes_left(tree: Mapping[str, list], node: int, x: float) -> bool:
    """LightGBM's NumericalDecision / CategoricalDecision for one value (as `Forest.raw` decides arrays)."""
    threshold = tree["threshold"][node]
    if tree["decision"][node] == "==":  # NaN and negatives go right; a listed category goes left
        return math.isfinite(x) and int(x) >= 0 and int(x) in threshold
    missing = _MISSING[tree["missing"][node]]
    if math.isnan(x):
        return tree["default_left"][node] if missing else 0.0 <= threshold
    if missing == 1 and abs(x) <= _ZERO:
        return tree["default_left"][node]
    return x <= threshold


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
