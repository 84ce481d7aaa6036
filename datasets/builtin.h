// Registry entries of the built-in datasets (register_builtin_datasets adds them all).
#pragma once

#include <cstdint>
#include <string>
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

/// What an image folder (image_folder_entry's options) holds, told before loading it: every
/// file is listed, and only the first image is read (its channels, and its size unless
/// `resize` gives one).
struct ImageFolderSize {
  uint64_t images = 0;       ///< root and test_root together
  uint64_t test_images = 0;  ///< test_root's
  int classes = 0;           ///< class folders of root
  int channels = 0, height = 0, width = 0;
  uint64_t float_bytes = 0;  ///< every image as float32 CHW
  std::string describe() const;
};
/// Throws like the loader (std::runtime_error) for a folder it would refuse.
ImageFolderSize image_folder_size(const Options& options);
/// A SizeError (exit 2) naming `root` when the images cannot be loaded on this machine: more
/// than INT_MAX of them, or (twice, for splitting) more bytes than a process may use.
void check_image_folder_size(const ImageFolderSize& size, const std::string& root);

}  // namespace lazystack
