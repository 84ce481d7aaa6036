// register_builtin_models: the networks (LibTorch), hog-knn (OpenCV), the tabular learners
// (gaussian-nb, knn, random-forest, xgboost, svm-rbf), gatekeeper (a network
// fine-tuned from an earlier zoo entry), the models brought as files (torchscript, onnx) and the
// outputs brought as files (imported).
#include "zoo/architectures.h"
#include "zoo/external_model.h"
#include "zoo/gatekeeper.h"
#include "zoo/hog_knn.h"
#include "zoo/imported_member.h"
#include "zoo/model.h"
#include "zoo/synthetic_member.h"
#include "zoo/tabular.h"
#include "zoo/torch_classifier.h"

namespace lazystack {

void register_builtin_models(ModelRegistry& registry) {
  for (TorchArch& arch : torch_architectures()) {
    auto build = arch.build;
    registry.add({arch.name, arch.description, std::move(arch.options),
                  [build](const Options& options, const Dataset& ds) {
                    return make_torch_classifier(build(options, ds), train_config(options),
                                                 ds.num_classes);
                  }});
  }
  registry.add({"hog-knn",
                "HOG descriptors + k-nearest-neighbour vote (OpenCV); image datasets only; "
                "logits are log smoothed vote fractions",
                hog_knn_option_specs(), make_hog_knn});
  registry.add({"gaussian-nb",
                "Gaussian naive Bayes on raw features (any dataset; meant for tabular); logits "
                "are log posteriors from class-conditional Gaussian likelihoods",
                gaussian_nb_option_specs(), make_gaussian_nb});
  registry.add({"knn",
                "k-nearest-neighbour vote on raw features (OpenCV); any dataset (images are "
                "flattened); logits are log smoothed vote fractions",
                knn_option_specs(), make_knn});
  registry.add({"random-forest",
                "random forest (OpenCV RTrees); tabular datasets only; logits are log smoothed "
                "vote fractions over the trees",
                random_forest_option_specs(), make_random_forest});
  registry.add({"xgboost",
                "gradient-boosted trees (XGBoost, multi:softprob); tabular datasets only; "
                "logits are log predicted probabilities",
                xgboost_option_specs(), make_xgboost});
  registry.add({"svm-rbf",
                "RBF-kernel SVM (OpenCV, one-vs-one) on standardised features; tabular datasets "
                "only; logits are log pairwise-averaged sigmoid probabilities",
                svm_rbf_option_specs(), make_svm_rbf});
  registry.add(gatekeeper_entry());
  registry.add({"torchscript",
                "a TorchScript module brought as a file (torch::jit::load), run in eval mode on "
                "the preprocessed samples; outputs logits or probabilities",
                external_model_option_specs("torchscript"), make_torchscript_model});
  registry.add({"onnx",
                "an ONNX model brought as a file, run by OpenCV dnn on the preprocessed samples; "
                "outputs logits or probabilities",
                external_model_option_specs("onnx"), make_onnx_model});
  registry.add({"synthetic",
                "knob-driven synthetic member (core/synthetic.h): target accuracy, error "
                "correlation, temperature; reads labels only, trains nothing; any dataset",
                synthetic_member_option_specs(), make_synthetic_member,
                ModelCard{/*needs_features=*/false, /*read_outputs=*/nullptr, /*source=*/""}});
  registry.add(imported_entry());
}

}  // namespace lazystack
