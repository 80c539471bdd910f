// fnmatch(pattern, string, 0) for the patterns module aliases use. Wildcard index lookups call
// it once per candidate key, and glibc's general implementation (locales, multibyte) dominated
// the time; this matcher handles '*', '?' and plain bracket expressions byte by byte and hands
// anything else (backslash escapes, [:class:], [.x.], [=x=]) to glibc, so results are always
// glibc's in the "C" locale.
#pragma once

#include <cstdint>
#include <string_view>

namespace modkit::util {

// True if `str` matches `pattern` exactly as fnmatch(pattern, str, 0) == 0 would say.
// Neither may contain NUL.
bool glob_match(std::string_view pattern, std::string_view str);

// Which positions of a subject string a pattern can have reached after its first characters,
// fed one at a time: the state of a wildcard index walk that extends patterns a character per
// trie edge. When nothing is reachable, no pattern with this prefix matches the subject, so a
// walk can skip the whole subtree. The set is exact for literals, '?' and '*', and a superset
// for bracket expressions (any one character); escapes and [: :]-style classes, and subjects
// longer than 255 bytes, turn the pruning off (alive() stays true; callers still confirm every
// candidate with glob_match).
class GlobPrefix {
public:
    explicit GlobPrefix(std::string_view subject);
    void push(char c);
    // False only when no pattern beginning with what was pushed can match the subject.
    bool alive() const;
    // False only when the pattern pushed so far, as a whole, cannot match the subject.
    bool may_match_whole() const;

private:
    static constexpr size_t k_words = 4; // positions 0..255
    void step_any();                     // every reachable position moves one forward
    void trim();                         // drops positions past the end of the subject
    bool any() const;

    std::string_view m_subject;
    uint64_t m_bits[k_words] = {};
    uint64_t m_saved[k_words] = {}; // the set before an open bracket
    bool m_exact = true;            // false: no pruning for the rest of this pattern
    unsigned m_bracket = 0;         // >0: inside a bracket, characters read since '['
    bool m_negated = false;
    char m_prev = 0;
};

} // namespace modkit::util
