// glob_match(): iterative matching with one backtrack point per '*'.
#include "util/glob.hpp"

#include <algorithm>
#include <fnmatch.h>
#include <iterator>
#include <string>

namespace modkit::util {

namespace {

enum class Bracket { Match, NoMatch, NotABracket };

// Matches `c` against the bracket expression starting at pattern[at] == '['. On a match or
// a mismatch, `next` is the index after the closing ']'.
Bracket match_bracket(std::string_view p, size_t at, char c, size_t& next) {
    size_t j = at + 1;
    bool negate = j < p.size() && (p[j] == '!' || p[j] == '^');
    if (negate) ++j;
    size_t start = j;
    bool matched = false;
    while (j < p.size()) {
        char lo = p[j];
        if (lo == ']' && j > start) {
            next = j + 1;
            return matched != negate ? Bracket::Match : Bracket::NoMatch;
        }
        // A range "a-z" unless the '-' is last before ']'.
        if (j + 2 < p.size() && p[j + 1] == '-' && p[j + 2] != ']') {
            auto u = static_cast<unsigned char>(c);
            if (static_cast<unsigned char>(lo) <= u && u <= static_cast<unsigned char>(p[j + 2]))
                matched = true;
            j += 3;
            continue;
        }
        if (lo == c) matched = true;
        ++j;
    }
    return Bracket::NotABracket; // no closing ']': the '[' is an ordinary character
}

// Patterns this matcher handles itself; anything with an escape or a [:class:], [.coll.] or
// [=equiv=] goes to glibc.
bool simple(std::string_view p) {
    return p.find('\\') == std::string_view::npos && p.find("[:") == std::string_view::npos &&
           p.find("[.") == std::string_view::npos && p.find("[=") == std::string_view::npos;
}

} // namespace

bool glob_match(std::string_view p, std::string_view s) {
    if (!simple(p)) {
        std::string pattern(p), str(s);
        return fnmatch(pattern.c_str(), str.c_str(), 0) == 0;
    }
    size_t pi = 0, si = 0;
    size_t star_p = std::string_view::npos, star_s = 0;
    while (si < s.size()) {
        if (pi < p.size()) {
            char c = p[pi];
            if (c == '*') {
                while (pi < p.size() && p[pi] == '*')
                    ++pi;
                if (pi == p.size()) return true; // a trailing '*' takes the rest
                star_p = pi;
                star_s = si;
                continue;
            }
            if (c == '?') {
                ++pi;
                ++si;
                continue;
            }
            if (c == '[') {
                size_t next = 0;
                Bracket b = match_bracket(p, pi, s[si], next);
                if (b == Bracket::Match) {
                    pi = next;
                    ++si;
                    continue;
                }
                if (b == Bracket::NotABracket && s[si] == '[') {
                    ++pi;
                    ++si;
                    continue;
                }
            } else if (c == s[si]) {
                ++pi;
                ++si;
                continue;
            }
        }
        if (star_p == std::string_view::npos) return false;
        pi = star_p; // let the last '*' take one more character
        si = ++star_s;
    }
    while (pi < p.size() && p[pi] == '*')
        ++pi;
    return pi == p.size();
}

GlobPrefix::GlobPrefix(std::string_view subject)
    : m_subject(subject) {
    if (subject.size() >= 64 * k_words)
        m_exact = false;
    else
        m_bits[0] = 1; // position 0
}

bool GlobPrefix::any() const {
    for (uint64_t w : m_bits)
        if (w != 0) return true;
    return false;
}

void GlobPrefix::trim() {
    // Positions past the end of the subject are not positions.
    const size_t n = m_subject.size() + 1;
    for (size_t i = 0; i < k_words; ++i) {
        size_t lo = i * 64;
        if (lo >= n)
            m_bits[i] = 0;
        else if (n - lo < 64)
            m_bits[i] &= (uint64_t{1} << (n - lo)) - 1;
    }
}

void GlobPrefix::step_any() {
    uint64_t carry = 0;
    for (size_t i = 0; i < k_words; ++i) {
        uint64_t next = m_bits[i] >> 63;
        m_bits[i] = (m_bits[i] << 1) | carry;
        carry = next;
    }
    trim();
}

void GlobPrefix::push(char c) {
    if (!m_exact) return;
    if (m_bracket > 0) {
        // Inside [...]: the set waits for the closing ']' (one character, whatever the set).
        ++m_bracket;
        const bool first = m_bracket == 2 || (m_bracket == 3 && m_negated);
        if (m_bracket == 2 && (c == '!' || c == '^')) {
            m_negated = true;
        } else if (c == '\\' || (m_prev == '[' && (c == ':' || c == '.' || c == '='))) {
            m_exact = false;
        } else if (c == ']' && !first) {
            std::copy(std::begin(m_saved), std::end(m_saved), std::begin(m_bits));
            step_any();
            m_bracket = 0;
        }
        m_prev = c;
        return;
    }
    m_prev = c;
    switch (c) {
    case '\\':
        m_exact = false;
        return;
    case '?':
        step_any();
        return;
    case '[':
        std::copy(std::begin(m_bits), std::end(m_bits), std::begin(m_saved));
        m_bracket = 1;
        m_negated = false;
        return;
    case '*': {
        // Every position from the first reachable one on.
        bool on = false;
        for (uint64_t& w : m_bits) {
            if (on) {
                w = ~uint64_t{0};
            } else if (w != 0) {
                w = ~((w & (~w + 1)) - 1); // the lowest set bit and everything above it
                on = true;
            }
        }
        trim();
        return;
    }
    default: {
        uint64_t out[k_words] = {};
        for (size_t pos = 0; pos < m_subject.size(); ++pos)
            if ((m_bits[pos / 64] >> (pos % 64)) & 1 && m_subject[pos] == c)
                out[(pos + 1) / 64] |= uint64_t{1} << ((pos + 1) % 64);
        std::copy(std::begin(out), std::end(out), std::begin(m_bits));
        return;
    }
    }
}

bool GlobPrefix::alive() const {
    return !m_exact || m_bracket > 0 || any();
}

bool GlobPrefix::may_match_whole() const {
    if (!m_exact || m_bracket > 0) return true;
    const size_t end = m_subject.size();
    return (m_bits[end / 64] >> (end % 64)) & 1;
}

} // namespace modkit::util
