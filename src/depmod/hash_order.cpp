// SuperFastHash as kmod uses it, and the bucket iteration order.
#include "depmod/hash_order.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace modkit::depmod {

namespace {

// A 16-bit load in host byte order, as kmod's get_unaligned((uint16_t *)p).
uint32_t load16(const char* p) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}

} // namespace

uint32_t superfast_hash(std::string_view key) {
    const char* p = key.data();
    auto len = static_cast<uint32_t>(key.size());
    uint32_t hash = len;
    uint32_t rem = len & 3;
    for (uint32_t n = len >> 2; n > 0; --n, p += 4) {
        hash += load16(p);
        uint32_t tmp = (load16(p + 2) << 11) ^ hash;
        hash = (hash << 16) ^ tmp;
        hash += hash >> 11;
    }
    switch (rem) {
    case 3:
        hash += load16(p);
        hash ^= hash << 16;
        hash ^= static_cast<uint32_t>(static_cast<uint8_t>(p[2])) << 18;
        hash += hash >> 11;
        break;
    case 2:
        hash += load16(p);
        hash ^= hash << 11;
        hash += hash >> 17;
        break;
    case 1:
        hash += static_cast<uint32_t>(static_cast<int32_t>(static_cast<signed char>(*p)));
        hash ^= hash << 10;
        hash += hash >> 1;
        break;
    default:
        break;
    }
    hash ^= hash << 3;
    hash += hash >> 5;
    hash ^= hash << 4;
    hash += hash >> 17;
    hash ^= hash << 25;
    hash += hash >> 6;
    return hash;
}

void sort_in_hash_order(std::vector<std::string_view>& keys, uint32_t buckets) {
    struct Keyed {
        uint32_t bucket;
        std::string_view key;
    };
    std::vector<Keyed> keyed;
    keyed.reserve(keys.size());
    for (auto k : keys)
        keyed.push_back({superfast_hash(k) & (buckets - 1), k});
    std::sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
        if (a.bucket != b.bucket) return a.bucket < b.bucket;
        return a.key < b.key; // strcmp order for NUL-free keys
    });
    for (size_t i = 0; i < keys.size(); ++i)
        keys[i] = keyed[i].key;
}

} // namespace modkit::depmod
