// Declared, validated options: each field once, with its default, its check and its description.
#pragma once

#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace YAML {
class Node;
}

namespace lazystack {

/// A config error for people: where (file:line:column), which key, what was expected.
/// The CLI maps it to exit code 2 before any work starts.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(const std::string& file, int line, int column, const std::string& key,
              const std::string& message);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& key() const { return key_; }

 private:
  std::string file_;
  int line_, column_;
  std::string key_;
};

enum class OptionType { kBool, kInt, kDouble, kString, kIntList, kDoubleList, kStringList };

/// One declared option. Numbers are checked against [min, max] (bounds exclusive on request);
/// strings against `choices` when given. An option without a default is required.
struct OptionSpec {
  std::string name;
  OptionType type = OptionType::kDouble;
  nlohmann::json default_value;  ///< null = required
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;
  bool max_exclusive = false;
  std::vector<std::string> choices;
  bool must_exist = false;  ///< a string naming a file or folder that must exist at validation
  std::string description;

  OptionSpec& range(double lo, double hi) {
    min = lo;
    max = hi;
    return *this;
  }
  OptionSpec& above(double lo) {
    min = lo;
    min_exclusive = true;
    return *this;
  }
  OptionSpec& below(double hi) {
    max = hi;
    max_exclusive = true;
    return *this;
  }
  OptionSpec& one_of(std::vector<std::string> c) {
    choices = std::move(c);
    return *this;
  }
  OptionSpec& existing_path() {
    must_exist = true;
    return *this;
  }
  /// Human-readable type and range, for --help and error messages.
  std::string describe_type() const;
};

OptionSpec opt_bool(const std::string& name, bool def, const std::string& desc);
OptionSpec opt_int(const std::string& name, long def, const std::string& desc);
OptionSpec opt_double(const std::string& name, double def, const std::string& desc);
OptionSpec opt_string(const std::string& name, const std::string& def, const std::string& desc);
OptionSpec opt_doubles(const std::string& name, std::vector<double> def, const std::string& desc);
OptionSpec opt_ints(const std::string& name, std::vector<long> def, const std::string& desc);
OptionSpec opt_strings(const std::string& name, std::vector<std::string> def,
                       const std::string& desc);
/// A required option (no default) of the given type.
OptionSpec opt_required(const std::string& name, OptionType type, const std::string& desc);

/// Validated option values, defaults filled in. Stored as JSON so they print into cache keys
/// and resolved configs exactly as used.
class Options {
 public:
  Options() = default;
  explicit Options(nlohmann::json values) : values_(std::move(values)) {}
  bool get_bool(const std::string& name) const;
  long get_int(const std::string& name) const;
  double get_double(const std::string& name) const;
  std::string get_string(const std::string& name) const;
  std::vector<long> get_ints(const std::string& name) const;
  std::vector<double> get_doubles(const std::string& name) const;
  std::vector<std::string> get_strings(const std::string& name) const;
  bool has(const std::string& name) const { return values_.contains(name); }
  const nlohmann::json& json() const { return values_; }

 private:
  const nlohmann::json& at(const std::string& name) const;
  nlohmann::json values_ = nlohmann::json::object();
};

/// Validates a YAML map against `specs`: unknown keys, wrong types, values out of range and
/// missing required keys are ConfigErrors naming file:line:column and `context.key`.
/// A null/absent node means "all defaults". `ignore` lists keys handled by the caller.
Options parse_options(const YAML::Node& node, const std::vector<OptionSpec>& specs,
                      const std::string& file, const std::string& context,
                      const std::vector<std::string>& ignore = {});
/// Marks `node` (and everything inside it) as given on the command line by `--set <text>`:
/// config errors at it then name "--set <text>" instead of a line of the file.
void note_override_node(const YAML::Node& node, const std::string& text);

/// A ConfigError at `node`: "--set <text>" for a node from note_override_node, else
/// file:line:column (no position when the node has none).
ConfigError config_error_at_node(const std::string& file, const YAML::Node& node,
                                 const std::string& key, const std::string& message);

/// Options from defaults only (tests, programmatic use); `overrides` is validated like YAML.
Options default_options(const std::vector<OptionSpec>& specs,
                        const nlohmann::json& overrides = nlohmann::json::object());

}  // namespace lazystack
