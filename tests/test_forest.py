"""The numpy tree predictor: LightGBM's decisions (missing values, defaults, categories) without LightGBM."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from cleaner.forest import Forest, ForestError, save, trim


def _leaf(value):
    return {"leaf_index": 0, "leaf_value": value}


def _split(feature, threshold, left, right, *, missing="None", default_left=True, decision="<="):
    return {
        "split_index": 0,
        "split_feature": feature,
        "threshold": threshold,
        "decision_type": decision,
        "default_left": default_left,
        "missing_type": missing,
        "left_child": left,
        "right_child": right,
    }


def _dump(*structures, objective="regression", num_class=1, per_iteration=1, names=("a", "b")):
    return {
        "objective": objective,
        "num_class": num_class,
        "num_tree_per_iteration": per_iteration,
        "feature_names": list(names),
        "tree_info": [{"tree_index": i, "tree_structure": s} for i, s in enumerate(structures)],
    }


def test_hand_built_tree_follows_lightgbm_missing_value_rules():
    forest = Forest.from_dict(
        _dump(
            _split(0, 1.5, _leaf(1.0), _leaf(2.0), missing="NaN", default_left=False),
            _split(1, -0.5, _leaf(10.0), _leaf(20.0), missing="Zero", default_left=True),
            _split(1, 0.5, _leaf(100.0), _leaf(200.0), missing="None"),
        )
    )
    X = np.array(
        [
            [1.0, 1.0],  # 1 + 20 + 200
            [2.0, 0.0],  # 2 + (zero is missing: default left) 10 + 100
            [np.nan, np.nan],  # NaN missing -> right 2; NaN read as 0 -> Zero missing -> left 10; None: 0 <= .5 -> 100
            [1.5, -1.0],  # threshold is inclusive: 1 + 10 + 100
        ]
    )
    assert forest.raw(X).tolist() == [221.0, 112.0, 112.0, 111.0]


def test_categorical_split_sends_listed_categories_left_and_nan_or_negative_right():
    forest = Forest.from_dict(_dump(_split(0, "1||3", _leaf(-1.0), _leaf(1.0), decision="=="), names=("c",)))
    X = np.array([[1.0], [3.0], [2.0], [np.nan], [-3.0], [99.0], [3.7]])
    assert forest.raw(X).tolist() == [-1.0, -1.0, 1.0, 1.0, 1.0, 1.0, -1.0]


def test_single_leaf_tree_and_binary_transform():
    forest = Forest.from_dict(_dump(_leaf(0.5), _split(0, 0.0, _leaf(-1.0), _leaf(1.0)), objective="binary sigmoid:2"))
    p = forest.predict(np.array([[-1.0, 0.0], [1.0, 0.0]]))
    assert p == pytest.approx([1 / (1 + math.exp(-2 * -0.5)), 1 / (1 + math.exp(-2 * 1.5))])


def test_multiclass_softmax_sums_trees_per_class():
    forest = Forest.from_dict(
        _dump(_leaf(1.0), _leaf(2.0), _leaf(3.0), _leaf(1.0), _leaf(0.0), _leaf(0.0), objective="multiclass num_class:3", num_class=3, per_iteration=3)
    )
    raw = forest.raw(np.zeros((2, 2)))
    assert raw.tolist() == [[2.0, 2.0, 3.0]] * 2
    assert forest.predict(np.zeros((1, 2))).sum() == pytest.approx(1.0)


def test_save_load_round_trip_and_clear_errors(tmp_path):
    dump = _dump(_split(0, 0.25, _leaf(-1.0), _split(1, 2.0, _leaf(0.0), _leaf(3.0))))
    path = save(dump, tmp_path / "m.json", features="v1")
    forest = Forest.load(path)
    assert forest.meta == {"features": "v1"}
    assert forest.feature_names == ("a", "b")
    assert forest.raw(np.array([[0.0, 0.0], [1.0, 1.0], [1.0, 5.0]])).tolist() == [-1.0, 0.0, 3.0]
    assert json.loads(path.read_text())["format"] == "cleaner-forest/1"
    with pytest.raises(ForestError, match="features"):
        forest.raw(np.zeros((1, 1)))
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    with pytest.raises(ForestError, match="bad.json"):
        Forest.load(bad)
    with pytest.raises(ForestError, match="objective"):
        trim(_dump(_leaf(0.0), objective="nonsense"))


def test_predicting_does_not_import_lightgbm(tmp_path):
    path = save(_dump(_split(0, 0.0, _leaf(-1.0), _leaf(1.0))), tmp_path / "m.json")
    code = (
        "import sys; from cleaner.forest import Forest; import numpy as np; "
        f"print(Forest.load({str(path)!r}).raw(np.ones((1, 2)))[0]); "
        "assert 'lightgbm' not in sys.modules and 'sklearn' not in sys.modules"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1.0"


def test_one_row_is_predicted_without_numpy(tmp_path):
    """A page's type is one row: the walk in Python must agree with the arrays and not load numpy (start-up)."""
    dump = _dump(_split(0, 1.5, _leaf(1.0), _leaf(2.0), missing="NaN", default_left=False),
                 _split(1, -0.5, _leaf(10.0), _leaf(20.0), missing="Zero"), objective="binary sigmoid:1")
    path = save(dump, tmp_path / "m.json")
    code = (
        "import sys; from cleaner.forest import Forest; "
        f"f = Forest.load({str(path)!r}); print(f.predict_row([1.0, 0.0])[0], f.predict_row([float('nan'), 1.0])[0]); "
        "assert 'numpy' not in sys.modules"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    expected = Forest.from_dict(dump).predict(np.array([[1.0, 0.0], [np.nan, 1.0]]))
    assert [float(v) for v in out.stdout.split()] == pytest.approx(expected.tolist())


@pytest.mark.parametrize("kind", ["html", "text"])
def test_shipped_page_type_models_give_the_same_scores_walked_compiled_and_as_arrays(kind, monkeypatch):
    import cleaner.forest as module
    from cleaner.forest import SHIPPED
    from cleaner.pagetype import MODEL_FILES

    rng = np.random.default_rng(5)
    walked = Forest.load(SHIPPED / MODEL_FILES[kind])
    X = rng.lognormal(sigma=3, size=(50, walked.needed)) * rng.choice([-1, 1, 0], size=(50, walked.needed))
    X[rng.random(X.shape) < 0.05] = np.nan
    by_walk = [walked.predict_row(row.tolist()) for row in X[:5]]
    monkeypatch.setattr(module, "COMPILE_AFTER", 0)
    compiled = Forest.load(SHIPPED / MODEL_FILES[kind])
    by_code = [compiled.predict_row(row.tolist()) for row in X]
    assert compiled._compiled, "the shipped trees are plain: they should compile"
    np.testing.assert_allclose(by_code, walked.predict(X), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(by_walk, by_code[:5], rtol=1e-12, atol=1e-15)


def _random_data(rng, rows, features):
    X = rng.normal(size=(rows, features))
    X[rng.random(X.shape) < 0.1] = np.nan  # missing values
    X[:, 1] = np.where(rng.random(rows) < 0.3, 0.0, X[:, 1])  # many exact zeros
    X[:, 2] = rng.integers(0, 6, size=rows)  # a categorical column
    return X


@pytest.mark.parametrize(
    "params",
    [
        {"objective": "binary"},
        {"objective": "regression", "zero_as_missing": True},
        {"objective": "multiclass", "num_class": 3},
        {"objective": "binary", "use_missing": False},
        {"objective": "binary", "boosting": "rf", "bagging_freq": 1, "bagging_fraction": 0.7},
    ],
    ids=["binary", "regression-zero-missing", "multiclass", "no-missing", "random-forest"],
)
def test_matches_lightgbm_on_random_data(params):
    lgb = pytest.importorskip("lightgbm")
    rng = np.random.default_rng(7)
    X = _random_data(rng, 600, 6)
    signal = np.nan_to_num(X[:, 0]) + (X[:, 2] % 2) - np.nan_to_num(X[:, 3]) * 0.5
    if params["objective"] == "multiclass":
        y = np.digitize(signal, [-0.5, 0.7])
    elif params["objective"] == "binary":
        y = (signal + rng.normal(scale=0.5, size=len(signal)) > 0).astype(int)
    else:
        y = signal
    train = lgb.Dataset(X, y, categorical_feature=[2], free_raw_data=False)
    booster = lgb.train(
        {**params, "num_leaves": 15, "min_data_in_leaf": 5, "verbose": -1, "seed": 1, "deterministic": True, "num_threads": 1},
        train,
        num_boost_round=25,
    )
    forest = Forest.from_dict(booster.dump_model())
    test = _random_data(np.random.default_rng(8), 400, 6)
    test[:5, 2] = [-1.0, 9.0, np.nan, 2.5, 0.0]  # unseen, negative, missing and fractional categories
    np.testing.assert_allclose(forest.predict(test), booster.predict(test), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(forest.raw(test), booster.predict(test, raw_score=True), rtol=1e-9, atol=1e-12)
    test[5, 2], test[6, 2] = -0.5, np.inf  # a category LightGBM truncates to 0, and one no table holds
    one_by_one = np.array([forest.predict_row(row.tolist()) for row in test]).reshape(forest.predict(test).shape)
    np.testing.assert_allclose(one_by_one, booster.predict(test), rtol=1e-9, atol=1e-12)


def test_long_inputs_are_walked_in_chunks_with_the_same_result(monkeypatch):
    import cleaner.forest as module

    forest = Forest.from_dict(_dump(_split(0, 0.0, _leaf(-1.0), _split(1, 0.5, _leaf(2.0), _leaf(3.0)))))
    X = np.random.default_rng(3).normal(size=(50, 2))
    whole = forest.raw(X)
    monkeypatch.setattr(module, "CHUNK_ROWS", 7)
    np.testing.assert_array_equal(forest.raw(X), whole)
