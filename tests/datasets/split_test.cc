// stratified_parts: exact sizes, disjoint parts, class mix preserved, seeded determinism.
#include "datasets/split.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace lazystack {
namespace {

// 3 classes of 1200, 500 and 100 samples, interleaved.
std::vector<int32_t> uneven_labels() {
  std::vector<int32_t> y;
  for (int i = 0; i < 1000; ++i) {
    y.push_back(0);
    if (i % 2 == 0) y.push_back(1);
    if (i % 10 == 0) y.push_back(2);
    if (i < 200) y.push_back(0);
  }
  return y;
}

TEST(StratifiedParts, SizesAreExactPartsDisjointAndClassMixKept) {
  const std::vector<int32_t> y = uneven_labels();
  const std::vector<int> counts = class_counts(y, 3);
  ASSERT_EQ(counts, (std::vector<int>{1200, 500, 100}));
  const auto parts = stratified_parts(y, 3, {1080, 360, 360}, /*seed=*/7);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].size(), 1080u);
  EXPECT_EQ(parts[1].size(), 360u);
  EXPECT_EQ(parts[2].size(), 360u);
  std::set<int> seen;
  for (const auto& p : parts)
    for (int i : p) EXPECT_TRUE(seen.insert(i).second) << "index " << i << " in two parts";
  EXPECT_EQ(seen.size(), y.size());  // sizes sum to the pool: every sample used once
  // 360 of 1800 is 20%: 240 / 100 / 20 per class exactly.
  for (int p = 1; p < 3; ++p) {
    std::vector<int32_t> part_labels;
    for (int i : parts[p]) part_labels.push_back(y[i]);
    EXPECT_EQ(class_counts(part_labels, 3), (std::vector<int>{240, 100, 20})) << "part " << p;
  }
}

TEST(StratifiedParts, SmallPartsStayWithinOneSamplePerClassOfTheirShare) {
  const std::vector<int32_t> y = uneven_labels();
  const auto parts = stratified_parts(y, 3, {7, 50}, /*seed=*/3);
  ASSERT_EQ(parts[0].size(), 7u);
  ASSERT_EQ(parts[1].size(), 50u);  // the rest of the pool is dropped: a subsample
  std::vector<int32_t> labels;
  for (int i : parts[1]) labels.push_back(y[i]);
  const auto c = class_counts(labels, 3);
  // Shares of 50 over the remaining 1793 samples: ~33.3, ~13.9, ~2.8.
  EXPECT_NEAR(c[0], 33.3, 1.0);
  EXPECT_NEAR(c[1], 13.9, 1.0);
  EXPECT_NEAR(c[2], 2.8, 1.0);
}

TEST(StratifiedParts, SameSeedSamePartsOtherSeedOtherParts) {
  const std::vector<int32_t> y = uneven_labels();
  const auto a = stratified_parts(y, 3, {1000, 400}, 11);
  const auto b = stratified_parts(y, 3, {1000, 400}, 11);
  const auto c = stratified_parts(y, 3, {1000, 400}, 12);
  EXPECT_EQ(a, b);
  EXPECT_NE(a[1], c[1]);
  // The order inside a part is shuffled, not sorted by index (a class-sorted pool must not
  // give class-sorted splits).
  EXPECT_FALSE(std::is_sorted(a[0].begin(), a[0].end()));
  std::vector<int32_t> part_labels;
  for (int i : a[0]) part_labels.push_back(y[i]);
  EXPECT_FALSE(std::is_sorted(part_labels.begin(), part_labels.end()));
}

TEST(StratifiedParts, TinyPartsDoNotAlwaysFavourLowClasses) {
  // 10 balanced classes, one sample drawn: across seeds, more than one class must come up.
  std::vector<int32_t> y;
  for (int c = 0; c < 10; ++c)
    for (int k = 0; k < 5; ++k) y.push_back(c);
  std::set<int32_t> drawn;
  for (uint64_t seed = 0; seed < 20; ++seed)
    drawn.insert(y[stratified_parts(y, 10, {1}, seed)[0][0]]);
  EXPECT_GT(drawn.size(), 3u);
}

TEST(StratifiedParts, RejectsOversizedRequestsAndBadLabels) {
  const std::vector<int32_t> y = {0, 1, 0, 1};
  EXPECT_THROW(stratified_parts(y, 2, {3, 2}, 0), std::invalid_argument);
  EXPECT_THROW(stratified_parts(y, 2, {-1}, 0), std::invalid_argument);
  EXPECT_THROW(stratified_parts({0, 2}, 2, {1}, 0), std::invalid_argument);
}

TEST(GatherSplit, CopiesRowsAndScales) {
  const std::vector<uint8_t> x = {0, 255, 10, 20, 51, 102};  // 3 rows of 2
  const std::vector<int32_t> y = {4, 5, 6};
  const Split s = gather_split(x, 2, y, {2, 0}, /*divisor=*/255.0f);
  EXPECT_EQ(s.num_samples, 2);
  EXPECT_EQ(s.y, (std::vector<int32_t>{6, 4}));
  EXPECT_FLOAT_EQ(s.x[0], 0.2f);
  EXPECT_FLOAT_EQ(s.x[1], 0.4f);
  EXPECT_EQ(s.x[2], 0.0f);
  EXPECT_EQ(s.x[3], 1.0f);  // exactly 1, not 1 + ulp
  EXPECT_THROW(gather_split(x, 2, y, {3}), std::out_of_range);
  EXPECT_THROW(gather_split(x, 4, y, {0}), std::invalid_argument);
}

}  // namespace
}  // namespace lazystack
