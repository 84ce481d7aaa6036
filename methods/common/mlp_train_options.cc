// Declared options of MLP training (kept out of mlp_train.cc, the torch translation unit).
#include "methods/common/mlp_train.h"

namespace lazystack {

std::vector<OptionSpec> mlp_train_option_specs(const MlpTrainOptions& d) {
  return {
      opt_ints("hidden", std::vector<long>(d.hidden.begin(), d.hidden.end()),
               "hidden layer widths of the MLP, ReLU between layers ([] = softmax regression)")
          .range(1, 4096),
      opt_int("epochs", d.max_epochs,
              "maximum training epochs (early stopping usually ends sooner)")
          .range(1, 100000),
      opt_int("batch_size", d.batch_size, "rows per Adam step").range(1, 1 << 20),
      opt_double("lr", d.learning_rate, "Adam learning rate").range(0, 10).above(0),
      opt_double("weight_decay", d.weight_decay, "Adam L2 penalty on the weights").range(0, 1),
      opt_int("patience", d.patience,
              "early stopping: epochs without a lower held-out loss before training stops")
          .range(1, 100000),
      opt_double("holdout", d.holdout_fraction,
                 "share of the training rows held out (seeded) for early stopping; 0 trains all "
                 "epochs on every row")
          .range(0, 0.9),
  };
}

MlpTrainOptions mlp_train_options(const Options& options, uint64_t seed) {
  MlpTrainOptions o;
  o.hidden.clear();
  for (long h : options.get_ints("hidden")) o.hidden.push_back(static_cast<int>(h));
  o.max_epochs = static_cast<int>(options.get_int("epochs"));
  o.batch_size = static_cast<int>(options.get_int("batch_size"));
  o.learning_rate = options.get_double("lr");
  o.weight_decay = options.get_double("weight_decay");
  o.patience = static_cast<int>(options.get_int("patience"));
  o.holdout_fraction = options.get_double("holdout");
  o.seed = seed;
  return o;
}

}  // namespace lazystack
