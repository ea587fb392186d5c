import pytest

from audit import SpecError, UsageError
from audit._spec import MSG_SPEC_UNKNOWN_KEY, load_spec


def write(tmp_path, text, name="spec.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_minimal_spec_resolves_paths_against_its_folder(tmp_path):
    p = write(tmp_path, '[data]\npath = "d.csv"\ntarget = "y"\nprediction = "p"\nsensitive_features = "g"\n')
    spec = load_spec(p)
    assert spec.data["path"] == str(tmp_path / "d.csv")
    assert spec.data["sensitive_features"] == ["g"]
    assert spec.auditors is None and spec.checks == [] and spec.random_state == 0


def test_unknown_key_is_named(tmp_path):
    p = write(tmp_path, '[data]\npath = "d.csv"\ntarget = "y"\nsensitve_features = ["g"]\n')
    with pytest.raises(SpecError) as err:
        load_spec(p)
    assert str(err.value) == MSG_SPEC_UNKNOWN_KEY.format(
        path=p, keys=["sensitve_features"], table="[data]",
        allowed=["path", "train_path", "reference", "target", "prediction", "score", "sensitive_features",
                 "quasi_identifiers", "features", "task", "name", "engine", "pos_label", "sample_weight",
                 "images", "metadata", "path_column", "train_images", "train_metadata"])


def test_unknown_top_level_key(tmp_path):
    p = write(tmp_path, 'seed = 1\n[data]\npath = "d.csv"\n')
    with pytest.raises(SpecError, match=r"unknown key\(s\) \['seed'\] in the top level"):
        load_spec(p)


def test_invalid_toml_names_the_file(tmp_path):
    p = write(tmp_path, "[data\npath = 1")
    with pytest.raises(SpecError, match="is not valid TOML"):
        load_spec(p)


def test_unreadable_spec(tmp_path):
    with pytest.raises(UsageError, match="no such file"):
        load_spec(tmp_path / "missing.toml")


def test_auditor_options_and_enabled(tmp_path):
    p = write(tmp_path, '[data]\npath = "d.csv"\n[auditors]\nenabled = ["fairness"]\n'
                        '[auditors.fairness]\nn_boot = 10\n')
    spec = load_spec(p)
    assert spec.auditors == ["fairness"] and spec.auditor_options == {"fairness": {"n_boot": 10}}


def test_options_for_a_disabled_auditor_are_refused(tmp_path):
    p = write(tmp_path, '[data]\npath = "d.csv"\n[auditors]\nenabled = ["fairness"]\n[auditors.privacy]\nk = 5\n')
    with pytest.raises(SpecError, match=r"\['privacy'\] that are not in enabled"):
        load_spec(p)


def test_pickled_model_needs_opt_in(tmp_path):
    import pickle

    from sklearn.dummy import DummyClassifier

    (tmp_path / "m.pkl").write_bytes(pickle.dumps(DummyClassifier()))
    p = write(tmp_path, '[data]\npath = "d.csv"\n[model]\npath = "m.pkl"\n')
    with pytest.raises(SpecError, match="allow_pickle = true"):
        load_spec(p).load_data_and_model()
    p = write(tmp_path, '[data]\npath = "d.csv"\n[model]\npath = "m.pkl"\nallow_pickle = true\n')
    _, _, model, _ = load_spec(p).load_data_and_model()
    assert isinstance(model, DummyClassifier)


@pytest.mark.parametrize("text, match", [
    ('[data]\ntarget = "y"\n', "exactly one of path, reference or images"),
    ('random_state = -1\n[data]\npath = "d.csv"\n', "random_state must be a non-negative integer"),
    ('[data]\npath = "d.csv"\nsensitive_features = [1, 2]\n', "must be a list of column names"),
    ('title = 3\n[data]\npath = "d.csv"\n', "title must be a string"),
])
def test_bad_values(tmp_path, text, match):
    with pytest.raises(SpecError, match=match):
        load_spec(write(tmp_path, text))
