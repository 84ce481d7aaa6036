// Test helper for the Meter contract: a copy of a split in which every output a method did
// not pay for is replaced by a confident wrong answer. A method whose decisions only depend on
// what it paid for decides identically on both.
#pragma once

#include <vector>

#include "core/evaluate.h"
#include "core/logit_table.h"

namespace lazystack {
namespace testing {

inline LogitTable with_unpaid_outputs_replaced(const LogitTable& t, const SampleDecisions& d) {
  const int n = t.num_samples(), num_classes = t.num_classes();
  LogitTable out = t;
  for (int m = 0; m < t.num_models(); ++m) {
    std::vector<float> logits(t.model_log_probs(m), t.model_log_probs(m) + n * num_classes);
    for (int i = 0; i < n; ++i) {
      if ((d.executed_mask[i] >> m) & 1u) continue;
      for (int c = 0; c < num_classes; ++c)
        logits[i * num_classes + c] = c == (t.labels()[i] + 1) % num_classes ? 30.0f : 0.0f;
    }
    out.set_logits(m, logits.data());
  }
  return out;
}

}  // namespace testing
}  // namespace lazystack
