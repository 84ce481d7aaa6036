// Registry: name -> factory, description, declared options and a card (the traits other
// layers read instead of comparing names). Filled explicitly (register_builtin_*), never by
// static initialisers, which vanish from static libraries.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/options.h"

namespace lazystack {

/// `Card`: what an entry declares about itself (MethodCard, ModelCard, DatasetCard).
template <class Product, class Card, class... Args>
class Registry {
 public:
  using Factory = std::function<std::unique_ptr<Product>(const Options&, Args...)>;
  struct Entry {
    std::string name;
    std::string description;
    std::vector<OptionSpec> options;
    Factory make;
    Card card{};
  };

  /// Adds an entry; a duplicate name is a programming error.
  void add(Entry entry) {
    if (entries_.count(entry.name)) throw std::logic_error("registered twice: " + entry.name);
    std::string name = entry.name;
    entries_.emplace(std::move(name), std::move(entry));
  }
  const Entry* find(const std::string& name) const {
    auto it = entries_.find(name);
    return it == entries_.end() ? nullptr : &it->second;
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& kv : entries_) out.push_back(kv.first);
    return out;
  }
  std::vector<const Entry*> entries() const {
    std::vector<const Entry*> out;
    for (const auto& kv : entries_) out.push_back(&kv.second);
    return out;
  }
  /// "a, b, c": for error messages listing what is known.
  std::string joined_names() const {
    std::string s;
    for (const auto& kv : entries_) s += (s.empty() ? "" : ", ") + kv.first;
    return s;
  }

 private:
  std::map<std::string, Entry> entries_;
};

}  // namespace lazystack
