#include "core/json_numbers.h"

#include <cmath>
#include <limits>
#include <string>

namespace lazystack {

namespace {

template <class F>
size_t for_each_leaf(nlohmann::json& j, F&& f) {
  if (j.is_structured()) {
    size_t n = 0;
    for (auto& el : j) n += for_each_leaf(el, f);
    return n;
  }
  return f(j) ? 1 : 0;
}

}  // namespace

size_t encode_nonfinite(nlohmann::json& j) {
  return for_each_leaf(j, [](nlohmann::json& v) {
    if (!v.is_number_float()) return false;
    const double x = v.get<double>();
    if (std::isfinite(x)) return false;
    v = std::isnan(x) ? "+nan" : x > 0 ? "+inf" : "-inf";
    return true;
  });
}

size_t decode_nonfinite(nlohmann::json& j) {
  return for_each_leaf(j, [](nlohmann::json& v) {
    if (!v.is_string()) return false;
    const std::string& s = v.get_ref<const std::string&>();
    if (s == "+inf") {
      v = std::numeric_limits<double>::infinity();
    } else if (s == "-inf") {
      v = -std::numeric_limits<double>::infinity();
    } else if (s == "+nan") {
      v = std::numeric_limits<double>::quiet_NaN();
    } else {
      return false;
    }
    return true;
  });
}

std::string dump_with_nonfinite(nlohmann::json j, int indent) {
  encode_nonfinite(j);
  return j.dump(indent);
}

}  // namespace lazystack
