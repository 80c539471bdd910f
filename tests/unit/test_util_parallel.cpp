// util::parallel_map and parallel_ordered: results in input order whatever the job count,
// consume() always on the calling thread in index order, and the degenerate sizes.
#include "util/parallel.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace modkit::util {
namespace {

TEST(ParallelMap, ResultsAreInIndexOrderForAnyJobCount) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{2}, size_t{7}, size_t{1000}}) {
        for (unsigned jobs : {0u, 1u, 2u, 3u, 8u, 64u}) {
            auto out = parallel_map(n, jobs, [](size_t i) { return i * i + 1; });
            ASSERT_EQ(out.size(), n);
            for (size_t i = 0; i < n; ++i)
                ASSERT_EQ(out[i], i * i + 1) << n << "/" << jobs;
        }
    }
}

TEST(ParallelMap, UsesSeveralThreadsAndEachIndexOnce) {
    std::mutex mu;
    std::multiset<size_t> seen;
    std::set<std::thread::id> threads;
    auto out = parallel_map(2000, 4, [&](size_t i) {
        std::lock_guard lock(mu);
        seen.insert(i);
        threads.insert(std::this_thread::get_id());
        return std::to_string(i);
    });
    ASSERT_EQ(seen.size(), 2000u);
    for (size_t i = 0; i < 2000; ++i) {
        EXPECT_EQ(seen.count(i), 1u);
        EXPECT_EQ(out[i], std::to_string(i));
    }
    EXPECT_LE(threads.size(), 4u);
}

TEST(ParallelMap, OneJobRunsInlineOnTheCaller) {
    const auto caller = std::this_thread::get_id();
    bool other = false;
    parallel_map(50, 1, [&](size_t) {
        other |= std::this_thread::get_id() != caller;
        return 0;
    });
    EXPECT_FALSE(other);
    parallel_map(1, 16, [&](size_t) { // one item never needs a thread
        other |= std::this_thread::get_id() != caller;
        return 0;
    });
    EXPECT_FALSE(other);
}

struct MoveOnly {
    explicit MoveOnly(size_t v)
        : value(std::make_unique<size_t>(v)) {}
    std::unique_ptr<size_t> value;
};

TEST(ParallelMap, WorksWithMoveOnlyResultsWithoutDefaultConstructor) {
    auto out = parallel_map(100, 3, [](size_t i) { return MoveOnly(i); });
    for (size_t i = 0; i < out.size(); ++i)
        EXPECT_EQ(*out[i].value, i);
}

TEST(ParallelOrdered, ConsumesInIndexOrderOnTheCallingThread) {
    const auto caller = std::this_thread::get_id();
    for (size_t n :
         {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{1000}, size_t{10007}}) {
        for (unsigned jobs : {0u, 1u, 2u, 4u, 16u}) {
            size_t next = 0;
            bool wrong_thread = false;
            parallel_ordered(
                n, jobs, [](size_t i) { return i * 3; },
                [&](size_t i, size_t v) {
                    ASSERT_EQ(i, next);
                    ASSERT_EQ(v, i * 3);
                    wrong_thread |= std::this_thread::get_id() != caller;
                    ++next;
                });
            EXPECT_EQ(next, n) << n << "/" << jobs;
            EXPECT_FALSE(wrong_thread);
        }
    }
}

TEST(ParallelOrdered, SlowEarlyItemsDoNotReorderOutput) {
    std::vector<size_t> order;
    parallel_ordered(
        300, 4,
        [](size_t i) {
            if (i % 50 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
            return std::string(i % 5 + 1, 'x');
        },
        [&](size_t i, std::string s) {
            EXPECT_EQ(s.size(), i % 5 + 1);
            order.push_back(i);
        });
    ASSERT_EQ(order.size(), 300u);
    for (size_t i = 0; i < order.size(); ++i)
        EXPECT_EQ(order[i], i);
}

TEST(ParallelOrdered, MoveOnlyResults) {
    size_t sum = 0;
    parallel_ordered(
        500, 3, [](size_t i) { return MoveOnly(i); },
        [&](size_t i, MoveOnly m) {
            EXPECT_EQ(*m.value, i);
            sum += *m.value;
        });
    EXPECT_EQ(sum, 499u * 500u / 2);
}

TEST(Parallel, DefaultJobsIsAtLeastOne) {
    EXPECT_GE(default_jobs(), 1u);
}

} // namespace
} // namespace modkit::util
