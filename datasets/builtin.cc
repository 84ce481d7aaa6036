#include "datasets/builtin.h"

namespace lazystack {

void register_builtin_datasets(DatasetRegistry& registry) {
  registry.add(fashion_mnist_entry());
  registry.add(digits_entry());
  registry.add(letter_entry());
}

}  // namespace lazystack
