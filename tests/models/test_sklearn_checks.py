"""scikit-learn's estimator checks, on the subset that applies to a domain-adaptation
classifier of line fluxes; every check expected to fail is named with its reason."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from nebuladapt.features import FeatureSpec, LineRatio
from nebuladapt.models import NebulaClassifier

WIDTH = ("X's columns are the line fluxes of feature_spec (here 2 lines: one ratio), "
         "so a matrix of any other width is refused")

EXPECTED_FAILED = {
    "check_fit_score_takes_y": WIDTH,
    "check_dont_overwrite_parameters": WIDTH,
    "check_n_features_in_after_fitting": WIDTH,
    "check_estimators_dtypes": WIDTH,
    "check_dtype_object": WIDTH,
    "check_pipeline_consistency": WIDTH,
    "check_estimators_pickle": WIDTH,
    "check_f_contiguous_array_estimator": WIDTH,
    "check_supervised_y_2d": WIDTH,
    "check_transformer_data_not_an_array": WIDTH,
    "check_transformer_general": WIDTH,
    "check_methods_sample_order_invariance": WIDTH,
    "check_methods_subset_invariance": WIDTH,
    "check_fit2d_1sample": WIDTH,
    "check_fit2d_1feature": WIDTH,
    "check_dict_unchanged": WIDTH,
    "check_fit2d_predict1d": WIDTH,
    "check_classifiers_one_label": WIDTH,
    "check_positive_only_tag_during_fit": (
        "line fluxes are positive; a source set with no positive flux gives no line ratio "
        "to learn from and is refused"),
    "check_classifiers_classes": (
        "label -1 marks unlabelled target rows (skada's convention), so a class named -1 "
        "cannot be learned"),
    "check_classifiers_train": (
        "features are log line ratios: blob data with negative values are missing lines, "
        "so the accuracy thresholds of this check do not apply"),
}


def _estimator():
    spec = FeatureSpec((LineRatio("NII6583", "HA6562"),))
    # source-only: the checks give no target rows to adapt to
    return NebulaClassifier(method="nn", n_steps=20, calibrate=False, feature_spec=spec)


@parametrize_with_checks([_estimator()], expected_failed_checks=lambda est: EXPECTED_FAILED)
def test_sklearn_compatible(estimator, check):
    check(estimator)
