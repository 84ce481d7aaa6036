#include "datasets/builtin.h"

#include "datasets/featureless.h"

namespace lazystack {

void register_builtin_datasets(DatasetRegistry& registry) {
  registry.add(fashion_mnist_entry());
  registry.add(digits_entry());
  registry.add(letter_entry());
  registry.add(csv_entry());
  for (auto& entry : sklearn_entries()) registry.add(std::move(entry));
  registry.add(image_folder_entry());
  registry.add(synthetic_dataset_entry());
  registry.add(imported_dataset_entry());
}

}  // namespace lazystack
