// A method that does nothing, for registries that test config schemas alone.
#pragma once

#include <vector>

#include "core/method.h"

namespace lazystack {
namespace testing {

class FakeMethod : public Method {
 public:
  void fit(const FitContext&) override {}
  std::vector<Knob> grid() const override { return {Knob{}}; }
  void set_knob(const Knob&) override {}
  int predict(Meter&) override { return 0; }
};

}  // namespace testing
}  // namespace lazystack
