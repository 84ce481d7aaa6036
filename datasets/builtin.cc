#include "datasets/builtin.h"

namespace lazystack {

void register_builtin_datasets(DatasetRegistry& registry) {
  registry.add(fashion_mnist_entry());
  registry.add(digits_entry());
  registry.add(letter_entry());
  registry.add(csv_entry());
  for (auto& entry : sklearn_entries()) registry.add(std::move(entry));
  registry.add(image_folder_entry());
}

}  // namespace lazystack
