"""Image subjects: arrays, tensors, Datasets and folders give one subject; bad input is one clear error."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

import audit
from audit import DataError, UsageError
from audit.subject import ImageSubject
from audit.subject import _images as im


def _subject(images, meta, model, **kw):
    return ImageSubject(images, model=model, metadata=meta, target="label", sensitive_features=["group"], **kw)


def test_array_tensor_and_dataset_agree(fashion_nets, small_fashion):
    images, meta = small_fashion
    model = fashion_nets["fashion-cnn"].as_model()
    a = _subject(images, meta, model, batch_size=64)
    t = _subject(torch.from_numpy(images), meta, model)

    class Items(torch.utils.data.Dataset):
        def __len__(self):
            return len(images)

        def __getitem__(self, i):
            return torch.from_numpy(images[i]), int(meta["label"][i])

    d = _subject(Items(), meta.drop(columns=["label"]), model)
    assert a.task == "multiclass" and a.classes == list(range(10)) and a.n_rows == 300
    for other in (t, d):
        np.testing.assert_array_equal(a.y_pred, other.y_pred)
        np.testing.assert_array_equal(a.y_true, other.y_true)
    with torch.no_grad():
        expected = fashion_nets["fashion-cnn"].module(torch.from_numpy(images)).argmax(1).numpy()
    np.testing.assert_array_equal(a.y_pred, expected)
    assert a.class_probabilities.shape == (300, 10)
    np.testing.assert_allclose(a.class_probabilities.sum(1), 1.0)


def test_folder_of_files_streams_and_matches_the_array(tmp_path, fashion_nets, small_fashion):
    from PIL import Image

    images, meta = small_fashion
    images, meta = images[:40], meta.iloc[:40].copy()
    rgb8 = np.round(images * 255).astype(np.uint8)
    for i, img in enumerate(rgb8):
        Image.fromarray(img.transpose(1, 2, 0), "RGB").save(tmp_path / f"img{i}.png")
    meta["path"] = [f"img{i}.png" for i in range(40)]
    model = fashion_nets["fashion-cnn"].as_model()
    folder = _subject(tmp_path, meta, model, path_column="path", batch_size=16)
    array = _subject(rgb8, meta, model)  # uint8 is scaled to [0, 1], as ToTensor does
    np.testing.assert_array_equal(folder.y_pred, array.y_pred)
    described = folder.describe()
    assert described["modality"] == "image"
    assert described["images"] == {"source": "folder", "n_images": 40, "shape": [3, 28, 28], "path_column": "path"}


def test_report_records_modality_and_validates(fashion_nets, small_fashion):
    import jsonschema

    images, meta = small_fashion

    class TablesOnly(audit.BaseAuditor):  # a plugin that declares no modalities: tables only
        name = "tables-only"
        requires = frozenset()

        def run(self, subject):
            raise AssertionError("must not run on an image subject")

    report = audit.run(images, model=fashion_nets["fashion-cnn"].as_model(), metadata=meta, target="label",
                       sensitive_features=["group"], auditors=["fairness", TablesOnly()])
    doc = report.to_dict()
    assert doc["subject"]["modality"] == "image" and doc["subject"]["n_rows"] == 300
    assert doc["subject"]["images"]["source"] == "array"
    statuses = {r["auditor"]: r["status"] for r in doc["results"]}
    assert statuses["fairness"] in ("pass", "warn") and statuses["tables-only"] == "skipped"
    skipped = next(r for r in doc["results"] if r["auditor"] == "tables-only")
    assert skipped["reason"] == audit._api.MSG_MODALITY.format(name="tables-only", modality="image",
                                                               modalities=["table"])
    schema = json.loads((Path(audit.__file__).parent / "schema" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(json.dumps(doc)), schema)
    again = audit.run(images, model=fashion_nets["fashion-cnn"].as_model(), metadata=meta, target="label",
                      sensitive_features=["group"], auditors=["fairness"])
    first = audit.run(images, model=fashion_nets["fashion-cnn"].as_model(), metadata=meta, target="label",
                      sensitive_features=["group"], auditors=["fairness"])
    assert json.dumps(again.to_dict(), sort_keys=True) == json.dumps(first.to_dict(), sort_keys=True)


def test_table_subject_says_table(predictions_frame):
    report = audit.run(predictions_frame, target="y_true", prediction="y_pred", sensitive_features=["g"],
                       auditors=["fairness"])
    assert report.to_dict()["subject"]["modality"] == "table"


def test_group_accuracy_agrees_with_fairlearn(fashion_nets, small_fashion):
    from fairlearn.metrics import MetricFrame
    from sklearn.metrics import accuracy_score

    images, meta = small_fashion
    report = audit.run(images, model=fashion_nets["fashion-cnn-underrepresented"].as_model(), metadata=meta,
                       target="label", sensitive_features=["group"], auditors=["fairness"])
    subject = ImageSubject(images, model=fashion_nets["fashion-cnn-underrepresented"].as_model(), metadata=meta,
                           target="label", sensitive_features=["group"])
    mf = MetricFrame(metrics=accuracy_score, y_true=meta["label"], y_pred=subject.y_pred,
                     sensitive_features=meta["group"])
    m = report["fairness"].metrics
    m = m[m["label"].isna()]  # the per-class (one-vs-rest) rows carry a label; accuracy is over every class

    def value(metric, group=None):
        rows = m[(m["metric"] == metric) & m["group"].map(lambda x: x == group) & m["over"].map(
            lambda o: group is not None or o == ["group"])]
        assert len(rows) == 1, rows
        return float(rows["value"].iloc[0])

    for g, v in mf.by_group.items():
        assert value("accuracy_score", {"group": g}) == pytest.approx(v, abs=1e-9)
    assert value("accuracy_score_group_min") == pytest.approx(mf.group_min(), abs=1e-9)
    assert value("accuracy_score_difference") == pytest.approx(mf.difference(), abs=1e-9)


# -- bad input: one clear error naming what and where --------------------------------------------------
def _tiny(channels=1, classes=3):
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(channels, 2, 3), nn.Flatten(), nn.LazyLinear(classes))


def _meta(n, classes=3):
    return pd.DataFrame({"label": np.arange(n) % classes, "group": np.where(np.arange(n) % 2, "a", "b")})


def test_channel_last_array():
    x = np.zeros((6, 8, 8, 3), dtype=np.float32)
    with pytest.raises(UsageError) as err:
        _subject(x, _meta(6), _tiny(3))
    assert str(err.value) == im.MSG_CHANNEL_LAST.format(shape=(6, 8, 8, 3), channels=3)


def test_wrong_number_of_dimensions():
    with pytest.raises(UsageError) as err:
        ImageSource = im.ImageSource
        ImageSource(np.zeros((2, 3, 4, 5, 6)))
    assert str(err.value) == im.MSG_IMAGE_SHAPE.format(shape=(2, 3, 4, 5, 6))


def test_nan_pixels_name_the_image():
    x = np.zeros((6, 1, 8, 8), dtype=np.float32)
    x[4, 0, 2, 2] = np.nan
    x[4, 0, 3, 3] = np.inf
    with pytest.raises(DataError) as err:
        _subject(x, _meta(6), _tiny(), batch_size=4)
    assert str(err.value) == im.MSG_NAN_PIXELS.format(where="4", count=2)


def test_metadata_row_count():
    with pytest.raises(UsageError) as err:
        _subject(np.zeros((6, 1, 8, 8), np.float32), _meta(5), _tiny())
    assert str(err.value) == im.MSG_METADATA_ROWS.format(rows=5, images=6)


def test_mixed_sizes_in_a_dataset():
    class Mixed(torch.utils.data.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return torch.zeros(1, 8 if i != 2 else 9, 8)

    with pytest.raises(UsageError) as err:
        _subject(Mixed(), _meta(4), _tiny())
    assert str(err.value) == im.MSG_MIXED_SIZES.format(where="2", got=(1, 9, 8), first_where="0",
                                                        expected=(1, 8, 8))


def test_mixed_sizes_and_missing_file_in_a_folder(tmp_path):
    from PIL import Image

    for i, size in enumerate((8, 8, 10)):
        Image.fromarray(np.zeros((size, size), np.uint8), "L").save(tmp_path / f"{i}.png")
    meta = _meta(3).assign(path=["0.png", "1.png", "2.png"])
    with pytest.raises(UsageError) as err:
        _subject(tmp_path, meta, _tiny(), path_column="path")
    assert str(err.value) == im.MSG_MIXED_SIZES.format(where="2 ('2.png')", got=(1, 10, 10),
                                                        first_where="0 ('0.png')", expected=(1, 8, 8))
    meta = meta.assign(path=["0.png", "gone.png", "1.png"])
    with pytest.raises(UsageError) as err:
        _subject(tmp_path, meta, _tiny(), path_column="path")
    assert str(err.value) == im.MSG_MISSING_FILE.format(path=tmp_path / "gone.png", row=1, column="path")
    with pytest.raises(UsageError) as err:
        _subject(tmp_path, meta, _tiny())
    assert str(err.value) == im.MSG_NO_PATH_COLUMN.format(path=tmp_path)


def test_wrong_number_of_classes():
    x = np.zeros((6, 1, 8, 8), np.float32)
    with pytest.raises(UsageError) as err:
        _subject(x, _meta(6, classes=5), _tiny(classes=3))
    assert str(err.value) == im.MSG_CLASS_COUNT.format(
        width=3, what="the target 'label' has labels from 0 to 4 (5 classes)")
    with pytest.raises(UsageError) as err:
        _subject(x, _meta(6), audit.Model(_tiny(classes=3), classes=["a", "b", "c", "d"]))
    assert str(err.value) == im.MSG_CLASS_COUNT.format(width=3, what="audit.Model was given 4 classes")


def test_roles_that_do_not_apply_to_images():
    with pytest.raises(UsageError) as err:
        audit.run(np.zeros((6, 1, 8, 8), np.float32), model=_tiny(), metadata=_meta(6), target="label",
                  prediction="p")
    assert str(err.value) == audit._api.MSG_IMAGE_ROLE.format(role="prediction")


def test_no_model():
    with pytest.raises(UsageError) as err:
        _subject(np.zeros((6, 1, 8, 8), np.float32), _meta(6), None)
    assert str(err.value) == im.MSG_NO_MODEL
