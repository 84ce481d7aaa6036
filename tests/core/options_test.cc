#include "core/options.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

namespace lazystack {
namespace {

std::vector<OptionSpec> specs() {
  return {opt_int("epochs", 3, "training epochs").range(1, 100),
          opt_double("lr", 1e-3, "learning rate").above(0),
          opt_bool("shuffle", true, "shuffle each epoch"),
          opt_string("mode", "max-prob", "confidence").one_of({"max-prob", "entropy"}),
          opt_doubles("grid", {0.5, 0.9}, "thresholds").range(0, 1),
          opt_string("path", "/", "a file").existing_path()};
}

ConfigError parse_error(const std::string& yaml) {
  try {
    parse_options(YAML::Load(yaml), specs(), "exp.yaml", "zoo.cnn");
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "no ConfigError for: " << yaml;
  return ConfigError("", 0, 0, "", "");
}

TEST(Options, DefaultsFillMissingKeys) {
  Options o = parse_options(YAML::Load("epochs: 5"), specs(), "exp.yaml", "");
  EXPECT_EQ(o.get_int("epochs"), 5);
  EXPECT_DOUBLE_EQ(o.get_double("lr"), 1e-3);
  EXPECT_TRUE(o.get_bool("shuffle"));
  EXPECT_EQ(o.get_doubles("grid"), (std::vector<double>{0.5, 0.9}));
}

TEST(Options, UnknownKeyNamesFileLineColumnAndKey) {
  ConfigError e = parse_error("epochs: 5\nlearning_rate: 0.1\n");
  EXPECT_EQ(e.line(), 2);
  EXPECT_EQ(e.column(), 1);
  EXPECT_EQ(e.key(), "zoo.cnn.learning_rate");
  EXPECT_NE(std::string(e.what()).find("exp.yaml:2:1"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("unknown key"), std::string::npos);
}

TEST(Options, WrongTypeIsAnError) {
  ConfigError e = parse_error("epochs: five\n");
  EXPECT_EQ(e.key(), "zoo.cnn.epochs");
  EXPECT_EQ(e.line(), 1);
  EXPECT_EQ(e.column(), 9);
  EXPECT_NE(std::string(e.what()).find("integer"), std::string::npos);
  EXPECT_EQ(parse_error("epochs: 2.5\n").key(), "zoo.cnn.epochs");
  EXPECT_EQ(parse_error("lr: \"0.1\"\n").key(), "zoo.cnn.lr");  // quoted: a string, not a number
}

TEST(Options, BooleansAreTrueOrFalseOnly) {
  EXPECT_EQ(parse_error("shuffle: yes\n").key(), "zoo.cnn.shuffle");
  EXPECT_EQ(parse_error("shuffle: 1\n").key(), "zoo.cnn.shuffle");
}

TEST(Options, OutOfRangeIsAnError) {
  ConfigError e = parse_error("epochs: 0\n");
  EXPECT_NE(std::string(e.what()).find("out of range"), std::string::npos) << e.what();
  EXPECT_EQ(parse_error("lr: 0\n").key(), "zoo.cnn.lr");  // exclusive bound
  ConfigError g = parse_error("grid: [0.5, 1.5]\n");
  EXPECT_EQ(g.key(), "zoo.cnn.grid");
  EXPECT_EQ(g.column(), 13);  // points at the bad element
}

TEST(Options, ChoicesAndMissingFiles) {
  EXPECT_NE(std::string(parse_error("mode: margin\n").what()).find("max-prob, entropy"),
            std::string::npos);
  ConfigError e = parse_error("path: /no/such/file.gz\n");
  EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos);
}

TEST(Options, RequiredKeyMissing) {
  std::vector<OptionSpec> s = {opt_required("name", OptionType::kString, "the name")};
  EXPECT_THROW(parse_options(YAML::Load("{}"), s, "f.yaml", ""), ConfigError);
}

TEST(Options, DefaultOptionsWithOverrides) {
  Options o = default_options(specs(), {{"epochs", 7}});
  EXPECT_EQ(o.get_int("epochs"), 7);
  EXPECT_THROW(default_options(specs(), {{"epochs", 0}}), ConfigError);
}

}  // namespace
}  // namespace lazystack
