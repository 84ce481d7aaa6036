#include "methods/lazystack/policy_table.h"

#include <fmt/core.h>

#include <algorithm>
#include <cstdlib>
#include <istream>
#include <ostream>
#include <stdexcept>

#include "methods/lazystack/binary_io.h"
#include "methods/lazystack/state.h"

namespace lazystack {
namespace lazy {
namespace {
constexpr char kPolicyTag[9] = "LZSPOLCY";
constexpr uint32_t kPolicyVersion = 2;  // 2: class codes, bin-level actions, back-off flags
}  // namespace

const char* to_string(PolicySource source) {
  switch (source) {
    case PolicySource::kExact:
      return "exact";
    case PolicySource::kBackedOff:
      return "backed-off";
    case PolicySource::kBinLevel:
      return "bin-level";
    case PolicySource::kCheapest:
      return "cheapest";
  }
  return "?";
}

PolicyTable PolicyTable::from_solution(const TrajectoryMdp& mdp, const MdpSolution& solution) {
  if (solution.best_action.size() != mdp.states.size())
    throw std::invalid_argument(fmt::format("PolicyTable: a solution of {} states for an MDP of {}",
                                            solution.best_action.size(), mdp.states.size()));
  if (mdp.num_bins > 255 || mdp.num_classes > 65535 || mdp.num_models > 64)
    throw std::invalid_argument("PolicyTable: needs <= 255 bins, <= 65535 classes, <= 64 models");
  PolicyTable table;
  table.num_models_ = mdp.num_models;
  table.num_classes_ = mdp.num_classes;
  table.num_bins_ = mdp.num_bins;
  table.beta_ = mdp.beta;
  table.norm_costs_ = mdp.norm_costs;
  if (solution.bin_action.size() != mdp.sets.size() * static_cast<size_t>(mdp.num_bins))
    throw std::invalid_argument("PolicyTable: the solution has no bin-level actions");
  table.start_action_ = solution.action_model(mdp, 0);
  table.class_group_ = mdp.class_group;
  table.num_codes_ = mdp.num_groups > 0 ? mdp.num_groups : mdp.num_classes;
  for (size_t si = 0; si < mdp.sets.size(); ++si) {
    const MdpSet& s = mdp.sets[si];
    if (s.executed == 0) continue;
    Set set;
    set.executed = s.executed;
    set.first = static_cast<uint32_t>(table.entries_.size());
    set.count = s.num_states;
    for (uint32_t i = s.first_state; i < s.first_state + s.num_states; ++i) {
      const MdpState& st = mdp.states[i];
      Entry e;
      e.cls = static_cast<uint16_t>(st.cls);
      e.bin = static_cast<uint8_t>(st.bin);
      e.action = static_cast<int8_t>(solution.action_model(mdp, i));
      e.backed_off = solution.backed_off.empty() ? 0 : solution.backed_off[i];
      e.traffic = st.count;
      table.entries_.push_back(e);
    }
    for (int h = 0; h < mdp.num_bins; ++h)
      table.bin_actions_.push_back(static_cast<int8_t>(solution.bin_action[si * mdp.num_bins + h]));
    table.sets_.push_back(set);
  }
  table.index();
  table.check();
  return table;
}

void PolicyTable::index() {
  index_.clear();
  for (uint32_t i = 0; i < sets_.size(); ++i) index_[sets_[i].executed] = i;
}

void PolicyTable::check() const {
  auto fail = [](const std::string& what) { throw std::runtime_error("PolicyTable: " + what); };
  if (num_models_ < 1 || num_models_ > 64) fail(fmt::format("{} models", num_models_));
  if (num_classes_ < 1 || num_bins_ < 1 || num_bins_ > 255)
    fail(fmt::format("{} classes, {} bins", num_classes_, num_bins_));
  if (num_codes_ < 1 || num_codes_ > num_classes_)
    fail(fmt::format("{} class codes for {} classes", num_codes_, num_classes_));
  if (!class_group_.empty()) {
    if (static_cast<int>(class_group_.size()) != num_classes_) fail("class groups do not match");
    for (uint16_t g : class_group_)
      if (g >= num_codes_) fail(fmt::format("class group {} of {}", g, num_codes_));
  } else if (num_codes_ != num_classes_) {
    fail("class codes without a class-to-group map");
  }
  if (bin_actions_.size() != sets_.size() * static_cast<size_t>(num_bins_))
    fail("bin-level actions do not match the sets");
  if (static_cast<int>(norm_costs_.size()) != num_models_) fail("costs do not match the models");
  if (start_action_ < 0 || start_action_ >= num_models_)
    fail(fmt::format("start action {} is not a model", start_action_));
  if (index_.size() != sets_.size()) fail("duplicate executed sets");
  const uint64_t all = num_models_ == 64 ? ~0ull : (1ull << num_models_) - 1;
  uint32_t expected_first = 0;
  for (const Set& set : sets_) {
    if (set.executed == 0 || (set.executed & ~all))
      fail(fmt::format("bad executed set {:#x}", set.executed));
    if (set.first != expected_first || set.count == 0)
      fail(fmt::format("set {:#x}: entries not contiguous", set.executed));
    expected_first += set.count;
    if (expected_first > entries_.size()) fail("entry ranges exceed the entries");
    auto valid_action = [&](int a) {
      return a == kStop || (a >= 0 && a < num_models_ && !((set.executed >> a) & 1u));
    };
    const size_t si = static_cast<size_t>(&set - sets_.data());
    for (int h = 0; h < num_bins_; ++h)
      if (!valid_action(bin_actions_[si * num_bins_ + h]))
        fail(fmt::format("set {:#x}: bad bin-level action", set.executed));
    for (uint32_t i = set.first; i < set.first + set.count; ++i) {
      const Entry& e = entries_[i];
      if (e.cls >= num_codes_ || e.bin >= num_bins_ || !valid_action(e.action))
        fail(fmt::format("set {:#x}: bad entry (k={}, h={}, action={})", set.executed, e.cls, e.bin,
                         e.action));
      if (i > set.first &&
          std::make_pair(entries_[i - 1].cls, entries_[i - 1].bin) >= std::make_pair(e.cls, e.bin))
        fail(fmt::format("set {:#x}: entries not sorted by (k, h)", set.executed));
    }
  }
  if (expected_first != entries_.size()) fail("entries outside every set");
}

PolicyDecision PolicyTable::decide(uint64_t executed, int bin, int cls) const {
  if (executed == 0) return {start_action_, PolicySource::kExact};
  auto it = index_.find(executed);
  if (it == index_.end()) {
    int best = kStop;
    for (int j = 0; j < num_models_; ++j)
      if (!((executed >> j) & 1u) && (best == kStop || norm_costs_[j] < norm_costs_[best]))
        best = j;
    return {best, PolicySource::kCheapest};
  }
  const Set& set = sets_[it->second];
  const Entry* first = entries_.data() + set.first;
  const Entry* last = first + set.count;
  const int code = code_of(cls);
  const Entry* e = std::lower_bound(
      first, last, std::make_pair(code, bin), [](const Entry& x, const std::pair<int, int>& key) {
        return std::make_pair(static_cast<int>(x.cls), static_cast<int>(x.bin)) < key;
      });
  if (e != last && e->cls == code && e->bin == bin)
    return {e->action, e->backed_off ? PolicySource::kBackedOff : PolicySource::kExact};
  return {bin_actions_[static_cast<size_t>(it->second) * num_bins_ + bin], PolicySource::kBinLevel};
}

PolicyDecision PolicyTable::decide_probs(uint64_t executed, const float* probs) const {
  const BinClass bc = bin_class(probs, num_classes_, num_bins_);
  return decide(executed, bc.bin, bc.cls);
}

std::vector<uint64_t> PolicyTable::executed_sets() const {
  std::vector<uint64_t> out;
  for (const Set& s : sets_) out.push_back(s.executed);
  return out;
}

void PolicyTable::write(std::ostream& out) const {
  ByteWriter w;
  w.u32(static_cast<uint32_t>(num_models_));
  w.u32(static_cast<uint32_t>(num_classes_));
  w.u32(static_cast<uint32_t>(num_bins_));
  w.f64(beta_);
  for (double c : norm_costs_) w.f64(c);
  w.i32(start_action_);
  w.u32(static_cast<uint32_t>(num_codes_));
  w.u32(static_cast<uint32_t>(class_group_.size()));
  for (uint16_t g : class_group_) w.u16(g);
  w.u32(static_cast<uint32_t>(sets_.size()));
  for (const Set& s : sets_) {
    w.u64(s.executed);
    w.u32(s.count);
  }
  for (int8_t a : bin_actions_) w.u8(static_cast<uint8_t>(a));
  for (const Entry& e : entries_) {
    w.u16(e.cls);
    w.u8(e.bin);
    w.u8(static_cast<uint8_t>(e.action));
    w.u8(e.backed_off);
    w.u32(e.traffic);
  }
  write_section(out, kPolicyTag, kPolicyVersion, w.bytes());
}

PolicyTable PolicyTable::read(std::istream& in) {
  ByteReader r(read_section(in, kPolicyTag, kPolicyVersion), "LazyStack policy");
  PolicyTable t;
  t.num_models_ = static_cast<int>(r.u32());
  t.num_classes_ = static_cast<int>(r.u32());
  t.num_bins_ = static_cast<int>(r.u32());
  if (t.num_models_ < 1 || t.num_models_ > 64) r.fail(fmt::format("{} models", t.num_models_));
  t.beta_ = r.f64();
  for (int m = 0; m < t.num_models_; ++m) t.norm_costs_.push_back(r.f64());
  t.start_action_ = r.i32();
  t.num_codes_ = static_cast<int>(r.u32());
  const uint32_t n_groups = r.u32();
  if (n_groups != 0 && n_groups != static_cast<uint32_t>(t.num_classes_))
    r.fail(fmt::format("{} class groups for {} classes", n_groups, t.num_classes_));
  for (uint32_t i = 0; i < n_groups; ++i) t.class_group_.push_back(r.u16());
  const uint32_t n_sets = r.u32();
  uint32_t n_entries = 0;
  for (uint32_t i = 0; i < n_sets; ++i) {
    Set s;
    s.executed = r.u64();
    s.count = r.u32();
    s.first = n_entries;
    n_entries += s.count;
    t.sets_.push_back(s);
  }
  for (uint64_t i = 0; i < static_cast<uint64_t>(n_sets) * t.num_bins_; ++i)
    t.bin_actions_.push_back(static_cast<int8_t>(r.u8()));
  for (uint32_t i = 0; i < n_entries; ++i) {
    Entry e;
    e.cls = r.u16();
    e.bin = r.u8();
    e.action = static_cast<int8_t>(r.u8());
    e.backed_off = r.u8();
    e.traffic = r.u32();
    t.entries_.push_back(e);
  }
  r.expect_end();
  t.index();
  t.check();
  return t;
}

bool PolicyTable::operator==(const PolicyTable& o) const {
  return num_models_ == o.num_models_ && num_classes_ == o.num_classes_ &&
         num_bins_ == o.num_bins_ && beta_ == o.beta_ && norm_costs_ == o.norm_costs_ &&
         start_action_ == o.start_action_ && entries_ == o.entries_ && sets_ == o.sets_ &&
         class_group_ == o.class_group_ && num_codes_ == o.num_codes_ &&
         bin_actions_ == o.bin_actions_;
}

nlohmann::json PolicyTable::summary_json() const {
  return {{"start_model", start_action_},   {"num_sets", sets_.size()},
          {"num_entries", entries_.size()}, {"num_bins", num_bins_},
          {"num_class_codes", num_codes_},  {"beta", beta_}};
}

}  // namespace lazy
}  // namespace lazystack
