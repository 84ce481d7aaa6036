// Small pieces every method needs: a registry entry built from the class, and a base for
// methods with a single operating point.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/method.h"
#include "core/stream.h"

namespace lazystack {

/// The registry entry of method class M with its card: the factory passes the validated
/// options to M's constructor when M takes them (M(const Options&)), else default-constructs
/// M. An OnlineMethod gets the card's make_online (and kind kOnline), any other M `make`.
template <class M>
MethodRegistry::Entry method_entry(std::string name, std::string description, MethodCard card,
                                   std::vector<OptionSpec> options = {}) {
  auto construct = [](const Options& values) {
    if constexpr (std::is_constructible_v<M, const Options&>)
      return std::make_unique<M>(values);
    else
      return std::make_unique<M>();
  };
  MethodRegistry::Entry entry{
      std::move(name), std::move(description), std::move(options), {}, std::move(card)};
  if constexpr (std::is_base_of_v<OnlineMethod, M>) {
    static_assert(!std::is_base_of_v<Method, M>, "a method is swept or online, not both");
    entry.card.kind = MethodKind::kOnline;
    entry.card.make_online = [construct](const Options& values) -> std::unique_ptr<OnlineMethod> {
      return construct(values);
    };
  } else {
    if (entry.card.kind == MethodKind::kOnline)
      throw std::logic_error(entry.name + ": card says online, class is not an OnlineMethod");
    entry.make = [construct](const Options& values) -> std::unique_ptr<Method> {
      return construct(values);
    };
  }
  return entry;
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
