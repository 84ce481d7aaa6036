// Registry entries of the built-in datasets (register_builtin_datasets adds them all).
#pragma once

#include <vector>

#include "datasets/dataset.h"

namespace lazystack {

/// Fashion-MNIST (Xiao, Rasul, Vollgraf 2017): 70k 1x28x28 images, 10 classes; official test.
DatasetRegistry::Entry fashion_mnist_entry();
/// OpenCV's digits.png: 5000 handwritten 1x20x20 digits, 500 per class.
DatasetRegistry::Entry digits_entry();
/// UCI Letter Recognition (Frey, Slate 1991): 20000 x 16 integer features, 26 classes.
DatasetRegistry::Entry letter_entry();
/// Any CSV file: numeric features and a label column (by name or index), header detected.
DatasetRegistry::Entry csv_entry();
/// scikit-learn's bundled CSVs under their own names: iris, wine, breast-cancer, sklearn-digits.
std::vector<DatasetRegistry::Entry> sklearn_entries();
/// A folder of images, one sub-folder per class, read with OpenCV.
DatasetRegistry::Entry image_folder_entry();

}  // namespace lazystack
