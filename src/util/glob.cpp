// glob_match(): iterative matching with one backtrack point per '*'.
#include "util/glob.hpp"

#include <fnmatch.h>
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

} // namespace modkit::util
