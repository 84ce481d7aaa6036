#include "core/options.h"

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <filesystem>

namespace lazystack {
namespace {

using nlohmann::json;

std::string format_error(const std::string& file, int line, int column, const std::string& key,
                         const std::string& message) {
  std::string where = file;
  if (line > 0) where += fmt::format(":{}:{}", line, column);
  return fmt::format("{}: {}{}", where, key.empty() ? "" : "'" + key + "': ", message);
}

const char* type_name(OptionType t) {
  switch (t) {
    case OptionType::kBool:
      return "a boolean (true or false)";
    case OptionType::kInt:
      return "an integer";
    case OptionType::kDouble:
      return "a number";
    case OptionType::kString:
      return "a string";
    case OptionType::kIntList:
      return "a list of integers";
    case OptionType::kDoubleList:
      return "a list of numbers";
    case OptionType::kStringList:
      return "a list of strings";
  }
  return "?";
}

OptionSpec make(const std::string& name, OptionType type, json def, const std::string& desc) {
  OptionSpec s;
  s.name = name;
  s.type = type;
  s.default_value = std::move(def);
  s.description = desc;
  return s;
}

// Parses one YAML scalar as `type`; throws a message (without location) on mismatch.
json parse_scalar(const YAML::Node& node, OptionType type) {
  if (!node.IsScalar()) throw std::invalid_argument(std::string("expected ") + type_name(type));
  const std::string text = node.Scalar();
  const bool quoted = node.Tag() == "!";
  switch (type) {
    case OptionType::kBool:
      if (!quoted && text == "true") return true;
      if (!quoted && text == "false") return false;
      throw std::invalid_argument("expected true or false, got '" + text + "'");
    case OptionType::kInt: {
      size_t pos = 0;
      long v = 0;
      try {
        v = std::stol(text, &pos);
      } catch (...) {
        pos = 0;
      }
      if (quoted || pos != text.size() || text.empty())
        throw std::invalid_argument("expected an integer, got '" + text + "'");
      return v;
    }
    case OptionType::kDouble: {
      size_t pos = 0;
      double v = 0;
      try {
        v = std::stod(text, &pos);
      } catch (...) {
        pos = 0;
      }
      if (quoted || pos != text.size() || text.empty() || !std::isfinite(v))
        throw std::invalid_argument("expected a finite number, got '" + text + "'");
      return v;
    }
    case OptionType::kString:
      return text;
    default:
      break;
  }
  throw std::logic_error("parse_scalar on a list type");
}

OptionType element_type(OptionType list) {
  switch (list) {
    case OptionType::kIntList:
      return OptionType::kInt;
    case OptionType::kDoubleList:
      return OptionType::kDouble;
    case OptionType::kStringList:
      return OptionType::kString;
    default:
      return list;
  }
}

bool is_list(OptionType t) {
  return t == OptionType::kIntList || t == OptionType::kDoubleList || t == OptionType::kStringList;
}

// Range / choices / path checks for one element; returns an error message or "".
std::string check_value(const OptionSpec& spec, const json& v) {
  if (v.is_number()) {
    const double x = v.get<double>();
    const bool lo_bad = spec.min_exclusive ? !(x > spec.min) : !(x >= spec.min);
    const bool hi_bad = spec.max_exclusive ? !(x < spec.max) : !(x <= spec.max);
    if (lo_bad || hi_bad) return fmt::format("{} is out of range: {}", x, spec.describe_type());
  }
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (!spec.choices.empty() &&
        std::find(spec.choices.begin(), spec.choices.end(), s) == spec.choices.end()) {
      std::string list;
      for (const auto& c : spec.choices) list += (list.empty() ? "" : ", ") + c;
      return fmt::format("'{}' is not one of: {}", s, list);
    }
    if (spec.must_exist && !std::filesystem::exists(s))
      return fmt::format("file or folder '{}' does not exist", s);
  }
  return "";
}

// Nodes set by --set, with the argument that set them (see note_override_node).
std::vector<std::pair<YAML::Node, std::string>>& override_nodes() {
  static std::vector<std::pair<YAML::Node, std::string>> nodes;
  return nodes;
}

// True if `node` is `root` or inside it (an override value is a small tree).
bool inside(const YAML::Node& root, const YAML::Node& node) {
  std::vector<YAML::Node> todo{root};
  while (!todo.empty()) {
    const YAML::Node n = todo.back();
    todo.pop_back();
    if (n.is(node)) return true;
    if (n.IsMap()) {
      for (auto it = n.begin(); it != n.end(); ++it) {
        todo.push_back(it->first);
        todo.push_back(it->second);
      }
    } else if (n.IsSequence()) {
      for (auto it = n.begin(); it != n.end(); ++it) todo.push_back(*it);
    }
  }
  return false;
}

}  // namespace

void note_override_node(const YAML::Node& node, const std::string& text) {
  override_nodes().emplace_back(node, text);
}

ConfigError config_error_at_node(const std::string& file, const YAML::Node& node,
                                 const std::string& key, const std::string& message) {
  if (node && node.IsDefined())
    for (const auto& [root, text] : override_nodes())
      if (inside(root, node)) return ConfigError("--set " + text, 0, 0, key, message);
  const YAML::Mark m = node ? node.Mark() : YAML::Mark::null_mark();
  const bool known = !m.is_null() && node.IsDefined();
  return ConfigError(file, known ? m.line + 1 : 0, known ? m.column + 1 : 0, key, message);
}

ConfigError::ConfigError(const std::string& file, int line, int column, const std::string& key,
                         const std::string& message)
    : std::runtime_error(format_error(file, line, column, key, message)),
      file_(file),
      line_(line),
      column_(column),
      key_(key) {}

std::string OptionSpec::describe_type() const {
  std::string s = type_name(type);
  const bool has_lo = std::isfinite(min), has_hi = std::isfinite(max);
  if (has_lo || has_hi) {
    s += fmt::format(" in {}{}, {}{}", min_exclusive ? "(" : "[",
                     has_lo ? fmt::format("{:g}", min) : "-inf",
                     has_hi ? fmt::format("{:g}", max) : "inf", max_exclusive ? ")" : "]");
  }
  if (!choices.empty()) {
    s += ", one of:";
    for (const auto& c : choices) s += " " + c;
  }
  return s;
}

OptionSpec opt_bool(const std::string& n, bool d, const std::string& desc) {
  return make(n, OptionType::kBool, d, desc);
}
OptionSpec opt_int(const std::string& n, long d, const std::string& desc) {
  return make(n, OptionType::kInt, d, desc);
}
OptionSpec opt_double(const std::string& n, double d, const std::string& desc) {
  return make(n, OptionType::kDouble, d, desc);
}
OptionSpec opt_string(const std::string& n, const std::string& d, const std::string& desc) {
  return make(n, OptionType::kString, d, desc);
}
OptionSpec opt_doubles(const std::string& n, std::vector<double> d, const std::string& desc) {
  return make(n, OptionType::kDoubleList, d, desc);
}
OptionSpec opt_ints(const std::string& n, std::vector<long> d, const std::string& desc) {
  return make(n, OptionType::kIntList, d, desc);
}
OptionSpec opt_strings(const std::string& n, std::vector<std::string> d, const std::string& desc) {
  return make(n, OptionType::kStringList, d, desc);
}
OptionSpec opt_required(const std::string& n, OptionType type, const std::string& desc) {
  return make(n, type, nullptr, desc);
}

const json& Options::at(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw std::out_of_range("option '" + name + "' is not declared");
  return *it;
}
bool Options::get_bool(const std::string& n) const { return at(n).get<bool>(); }
long Options::get_int(const std::string& n) const { return at(n).get<long>(); }
double Options::get_double(const std::string& n) const { return at(n).get<double>(); }
std::string Options::get_string(const std::string& n) const { return at(n).get<std::string>(); }
std::vector<long> Options::get_ints(const std::string& n) const {
  return at(n).get<std::vector<long>>();
}
std::vector<double> Options::get_doubles(const std::string& n) const {
  return at(n).get<std::vector<double>>();
}
std::vector<std::string> Options::get_strings(const std::string& n) const {
  return at(n).get<std::vector<std::string>>();
}

Options parse_options(const YAML::Node& node, const std::vector<OptionSpec>& specs,
                      const std::string& file, const std::string& context,
                      const std::vector<std::string>& ignore) {
  auto key_path = [&](const std::string& k) { return context.empty() ? k : context + "." + k; };
  auto error_at = [&](const YAML::Node& n, const std::string& k, const std::string& msg) {
    return config_error_at_node(file, n, key_path(k), msg);
  };
  json values = json::object();
  if (node && !node.IsNull()) {
    if (!node.IsMap())
      throw error_at(node, "",
                     "expected a map of options" +
                         std::string(context.empty() ? "" : " for '" + context + "'"));
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (std::find(ignore.begin(), ignore.end(), key) != ignore.end()) continue;
      const OptionSpec* spec = nullptr;
      for (const auto& s : specs)
        if (s.name == key) spec = &s;
      if (!spec) {
        std::string known;
        for (const auto& s : specs) known += (known.empty() ? "" : ", ") + s.name;
        throw error_at(it->first, key,
                       "unknown key; known keys here: " + (known.empty() ? "(none)" : known));
      }
      const YAML::Node value = it->second;  // a copy: it->second is a temporary
      json parsed;
      try {
        if (is_list(spec->type)) {
          parsed = json::array();
          if (value.IsSequence()) {
            for (const auto& el : value) {
              json e = parse_scalar(el, element_type(spec->type));
              if (auto msg = check_value(*spec, e); !msg.empty()) throw error_at(el, key, msg);
              parsed.push_back(e);
            }
          } else {  // a single scalar is accepted as a one-element list
            json e = parse_scalar(value, element_type(spec->type));
            if (auto msg = check_value(*spec, e); !msg.empty()) throw error_at(value, key, msg);
            parsed.push_back(e);
          }
        } else {
          parsed = parse_scalar(value, spec->type);
          if (auto msg = check_value(*spec, parsed); !msg.empty()) throw error_at(value, key, msg);
        }
      } catch (const ConfigError&) {
        throw;
      } catch (const std::exception& e) {
        throw error_at(value, key, e.what());
      }
      values[key] = parsed;
    }
  }
  for (const auto& s : specs) {
    if (values.contains(s.name)) continue;
    if (s.default_value.is_null())
      throw error_at(node ? node : YAML::Node(), s.name,
                     "missing required key (" + s.describe_type() + "): " + s.description);
    values[s.name] = s.default_value;
  }
  return Options(std::move(values));
}

Options default_options(const std::vector<OptionSpec>& specs, const nlohmann::json& overrides) {
  YAML::Node node = YAML::Load(overrides.dump());  // JSON is YAML: one validation path
  return parse_options(node, specs, "<defaults>", "");
}

}  // namespace lazystack
