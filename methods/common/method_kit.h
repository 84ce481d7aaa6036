// Small pieces every method needs: a registry entry built from the class, and a base for
// methods with a single operating point.
#pragma once

#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/method.h"

namespace lazystack {

/// The registry entry of method class M: its factory passes the validated options to M's
/// constructor when M takes them (M(const Options&)), else default-constructs M.
template <class M>
MethodRegistry::Entry method_entry(std::string name, std::string description,
                                   std::vector<OptionSpec> options = {}) {
  return {std::move(name), std::move(description), std::move(options),
          [](const Options& values) -> std::unique_ptr<Method> {
            if constexpr (std::is_constructible_v<M, const Options&>)
              return std::make_unique<M>(values);
            else
              return std::make_unique<M>();
          }};
}

/// A method with one operating point and no knob (ensemble, stacker, oracle): grid() is one
/// knob carrying only `label`, the name of the point in curves and tables.
class SinglePointMethod : public Method {
 public:
  explicit SinglePointMethod(std::string label) : label_(std::move(label)) {}
  std::vector<Knob> grid() const override {
    Knob k;
    k.label = label_;
    return {k};
  }
  void set_knob(const Knob&) override {}

 private:
  std::string label_;
};

}  // namespace lazystack
