// The Meter contract (DESIGN.md section 3) as the methods live it: reading an output before
// paying for it throws, only bounds may peek, and a method's decisions depend only on the
// outputs it paid for.
#include <gtest/gtest.h>

#include "core/evaluate.h"
#include "core/stream.h"
#include "methods/builtin.h"
#include "methods/oracle/oracle.h"
#include "tests/common/unpaid_outputs.h"
#include "tests/methods/tables.h"

namespace lazystack {
namespace {

using testing::complementary_table;
using testing::three_model_table;

// Runs model 0 but reads model 1.
class Peeker : public Method {
 public:
  void fit(const FitContext&) override {}
  std::vector<Knob> grid() const override { return {Knob()}; }
  void set_knob(const Knob&) override {}
  int predict(Meter& meter) override {
    meter.run(0);
    return argmax(meter.probs(1));
  }
};

TEST(MeterContract, ReadingAnUnexecutedOutputThrows) {
  const LogitTable t = three_model_table();
  Peeker peeker;
  EXPECT_THROW(evaluate(peeker, t, EvalOptions{}), std::logic_error);
}

TEST(MeterContract, TheOracleNeedsBoundAccess) {
  const LogitTable t = three_model_table();
  Oracle oracle;
  oracle.fit(testing::fit_on(t));
  Meter meter(t, CostModel::kSequential);  // not opened for bounds
  meter.reset(0);
  EXPECT_THROW(oracle.predict(meter), std::logic_error);
  meter.allow_bound_access();
  EXPECT_EQ(oracle.predict(meter), 0);
}

TEST(MeterContract, DecisionsDependOnlyOnPaidOutputs) {
  MethodRegistry registry;
  register_builtin_methods(registry);
  const LogitTable val_fit = complementary_table(200, 1);
  const LogitTable test = complementary_table(150, 2);
  for (const auto* entry : registry.entries()) {
    if (entry->card.kind == MethodKind::kBound) continue;  // bounds may peek, by definition
    // Online methods are streamed, not swept: ocl_test.cc checks the same over a stream.
    if (entry->card.kind == MethodKind::kOnline) continue;
    const auto method = entry->make(testing::quick_options(*entry));
    method->fit(testing::fit_on(val_fit));
    const auto grid = method->grid();
    for (size_t k = 0; k < grid.size(); k += std::max<size_t>(1, grid.size() / 7)) {
      SCOPED_TRACE(entry->name + " " + grid[k].to_string());
      method->set_knob(grid[k]);
      SampleDecisions before, after;
      evaluate(*method, test, EvalOptions{}, &before);
      const LogitTable tampered = testing::with_unpaid_outputs_replaced(test, before);
      evaluate(*method, tampered, EvalOptions{}, &after);
      EXPECT_EQ(before.prediction, after.prediction);
      EXPECT_EQ(before.executed_mask, after.executed_mask);
      EXPECT_EQ(before.cost, after.cost);
    }
  }
}

}  // namespace
}  // namespace lazystack
