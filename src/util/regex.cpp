// The repetition-complexity scan and the regcomp/regexec wrapper of util/regex.hpp.
#include "util/regex.hpp"

#include <algorithm>
#include <cctype>
#include <regex.h>
#include <string>

namespace modkit::util {

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
                for (; j < regex.size() && std::isdigit(static_cast<unsigned char>(regex[j])) != 0;
                     ++j)
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

} // namespace modkit::util
