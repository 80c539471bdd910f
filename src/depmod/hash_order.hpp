// The order in which kmod's hash table (shared/hash.c) iterates its keys. depmod's output
// depends on it: modules.symbols is written in this order (2048 buckets), and modules absent
// from modules.order follow the order of the 512-bucket module table. Keys are hashed with
// Paul Hsieh's SuperFastHash (16-bit loads in host byte order, a signed char tail), iterated
// bucket by bucket, and sorted by strcmp within a bucket.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace modkit::depmod {

inline constexpr uint32_t k_module_buckets = 512;
inline constexpr uint32_t k_symbol_buckets = 2048;

uint32_t superfast_hash(std::string_view key);

// Sorts `keys` into kmod's iteration order for a table of `buckets` buckets (a power of 2).
void sort_in_hash_order(std::vector<std::string_view>& keys, uint32_t buckets);

} // namespace modkit::depmod
