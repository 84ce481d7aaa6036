// Tabular zoo members: learners on raw feature vectors (any dataset, images flattened too,
// except where stated). Each gives logits = log class probabilities.
//  - gaussian-nb: Gaussian naive Bayes (own implementation), posteriors from class-conditional
//    Gaussian likelihoods with per-feature variances, normalised.
//  - knn: k-nearest neighbours on raw features (OpenCV ml), smoothed vote fractions.
//  - random-forest: Breiman, "Random Forests", Machine Learning 2001 (OpenCV ml RTrees),
//    smoothed vote fractions over trees.
//  - xgboost: Chen and Guestrin, "XGBoost", KDD 2016 (libxgboost C API), multi:softprob.
//  - svm-rbf: Cortes and Vapnik, "Support-vector networks", Machine Learning 1995 (OpenCV ml).
#pragma once

#include <memory>
#include <vector>

#include "core/options.h"
#include "datasets/dataset.h"
#include "zoo/model.h"

namespace lazystack {

std::vector<OptionSpec> gaussian_nb_option_specs();
std::unique_ptr<ZooModel> make_gaussian_nb(const Options& options, const Dataset& ds);

std::vector<OptionSpec> knn_option_specs();
std::unique_ptr<ZooModel> make_knn(const Options& options, const Dataset& ds);

/// Tabular datasets only (throws std::invalid_argument for images).
std::vector<OptionSpec> random_forest_option_specs();
std::unique_ptr<ZooModel> make_random_forest(const Options& options, const Dataset& ds);

/// Tabular datasets only (throws std::invalid_argument for images).
std::vector<OptionSpec> xgboost_option_specs();
std::unique_ptr<ZooModel> make_xgboost(const Options& options, const Dataset& ds);

/// RBF-kernel SVM (OpenCV, one-vs-one) on standardised features, pairwise-averaged sigmoid
/// probabilities (see tabular_svm.cc). Tabular datasets only.
std::vector<OptionSpec> svm_rbf_option_specs();
std::unique_ptr<ZooModel> make_svm_rbf(const Options& options, const Dataset& ds);

}  // namespace lazystack
