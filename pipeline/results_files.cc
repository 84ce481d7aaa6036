#include "pipeline/results_files.h"

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "core/hdf5_io.h"

namespace lazystack {
using nlohmann::json;

namespace {

void emit_yaml(YAML::Emitter& out, const json& j) {
  if (j.is_object()) {
    out << YAML::BeginMap;
    for (auto it = j.begin(); it != j.end(); ++it) {
      out << YAML::Key << it.key() << YAML::Value;
      emit_yaml(out, it.value());
    }
    out << YAML::EndMap;
  } else if (j.is_array()) {
    const bool flat =
        std::all_of(j.begin(), j.end(), [](const json& e) { return e.is_primitive(); });
    out << (flat ? YAML::Flow : YAML::Block) << YAML::BeginSeq;
    for (const auto& e : j) emit_yaml(out, e);
    out << YAML::EndSeq;
  } else if (j.is_string()) {
    out << j.get<std::string>();
  } else if (j.is_boolean()) {
    out << (j.get<bool>() ? "true" : "false");
  } else if (j.is_number_integer()) {
    out << j.get<long>();
  } else if (j.is_number()) {
    out << fmt::format("{}", j.get<double>());
  } else {
    out << YAML::Null;
  }
}

}  // namespace

std::string to_yaml(const json& j) {
  YAML::Emitter out;
  emit_yaml(out, j);
  return std::string(out.c_str()) + "\n";
}

void write_results_h5(const std::string& path, const LogitTable& test,
                      const std::vector<MethodResult>& results) {
  h5::write_atomically(path, [&](h5::File& f) {
    const uint64_t n = test.num_samples();
    f.write_i32("/labels", test.labels().data(), {n});
    f.set_attr("/", "models", json(test.model_names()).dump());
    for (const auto& r : results) {
      if (!r.error.empty()) continue;
      const std::string g = "/methods/" + r.name;
      const auto& d = r.headline_decisions;
      f.write_i32(g + "/prediction", d.prediction.data(), {n});
      f.write_f32(g + "/cost", d.cost.data(), {n});
      f.write_u64(g + "/executed_mask", d.executed_mask.data(), {n});
      f.write_i32(g + "/depth", d.depth.data(), {n});
      f.set_attr(g, "knob", r.val_points[r.headline_index].knob.to_string());
    }
  });
}

}  // namespace lazystack
