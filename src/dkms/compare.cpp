// VER() re-done without sed, and bash's =~ through the same regcomp(3) bash itself uses.
#include "dkms/compare.hpp"

#include <algorithm>
#include <cctype>
#include <regex.h>

namespace modkit::dkms {

std::string ver_key(std::string_view version) {
    // sed inserts spaces at every digit/non-digit boundary, pads one- and two-digit runs
    // that sit between spaces, then deletes all spaces.
    std::string out;
    size_t i = 0;
    while (i < version.size()) {
        size_t j = i;
        bool digits = std::isdigit(static_cast<unsigned char>(version[i])) != 0;
        while (j < version.size() &&
               (std::isdigit(static_cast<unsigned char>(version[j])) != 0) == digits)
            ++j;
        std::string_view run = version.substr(i, j - i);
        if (digits && run.size() < 3) out.append(3 - run.size(), '0');
        for (char c : run)
            if (c != ' ' && c != '\t' && c != '\n') out += c;
        i = j;
    }
    return out;
}

int ver_compare(std::string_view a, std::string_view b) {
    int c = ver_key(a).compare(ver_key(b));
    return c < 0 ? -1 : c > 0 ? 1 : 0;
}

bool regex_too_complex(std::string_view regex) {
    constexpr unsigned long k_limit = 256;
    unsigned long product = 1;
    int adjacent = 0; // repetition operators in a row ("a*++" is 3)
    for (size_t i = 0; i < regex.size(); ++i) {
        char c = regex[i];
        bool repeat = c == '*' || c == '+' || c == '?' || c == '{';
        adjacent = repeat ? adjacent + 1 : 0;
        if (adjacent > 2) return true;
        if (c == '\\') {
            ++i; // an escaped character is a literal
        } else if (c == '[') {
            // A bracket expression: its contents are literal; ']' first is part of it.
            size_t j = i + 1;
            if (j < regex.size() && regex[j] == '^') ++j;
            if (j < regex.size() && regex[j] == ']') ++j;
            while (j < regex.size() && regex[j] != ']') {
                if (regex[j] == '[' && j + 1 < regex.size() &&
                    (regex[j + 1] == ':' || regex[j + 1] == '.' || regex[j + 1] == '=')) {
                    size_t close = regex.find(std::string{regex[j + 1], ']'}, j + 2);
                    j = close == std::string_view::npos ? regex.size() : close + 2;
                } else {
                    ++j;
                }
            }
            i = j;
        } else if (c == '+') {
            product *= 2;
        } else if (c == '{') {
            // {m}, {m,} or {m,n}: m (m + 1 for an open bound, n when given) copies.
            auto number = [&](size_t& j) {
                unsigned long n = 0;
                for (; j < regex.size() && std::isdigit(static_cast<unsigned char>(regex[j])) != 0; ++j)
                    n = std::min<unsigned long>(n * 10 + static_cast<unsigned long>(regex[j] - '0'),
                                                k_limit + 1);
                return n;
            };
            size_t j = i + 1;
            unsigned long copies = number(j);
            if (j < regex.size() && regex[j] == ',') {
                ++j;
                size_t before = j;
                unsigned long n = number(j);
                copies = j > before ? n : copies + 1;
            }
            product *= std::max<unsigned long>(copies, 2);
            i = j;
        }
        if (product > k_limit) return true;
    }
    return false;
}

bool regex_search(std::string_view text, std::string_view regex) {
    if (regex_too_complex(regex)) return false;
    regex_t re;
    std::string pattern(regex);
    if (regcomp(&re, pattern.c_str(), REG_EXTENDED | REG_NOSUB) != 0) return false;
    std::string subject(text);
    bool matched = regexec(&re, subject.c_str(), 0, nullptr, 0) == 0;
    regfree(&re);
    return matched;
}

} // namespace modkit::dkms
