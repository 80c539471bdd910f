// The two comparisons dkms.conf semantics rest on: DKMS's VER() ordering of version strings
// (digit runs padded to three places, then compared as strings) and bash's [[ s =~ ERE ]].
#pragma once
#include <string>
#include <string_view>

namespace modkit::dkms {

// DKMS's VER(): "6.1.0-50-amd64" -> "006.001.000-050-amd064". Compare the results with <.
std::string ver_key(std::string_view version);

// -1, 0 or 1 as VER(a) sorts before, equal to or after VER(b).
int ver_compare(std::string_view a, std::string_view b);

// bash's [[ text =~ regex ]]: POSIX extended regex, unanchored. An invalid regex does not
// match (bash returns 2, which every DKMS test treats as false). Neither does one whose
// repetitions would make glibc's regcomp expand it past 256 copies (see
// regex_too_complex): bash would exhaust memory on it; modkit treats it as invalid.
bool regex_search(std::string_view text, std::string_view regex);

// True when the repetition operators of an ERE multiply past 256 (glibc's regcomp copies
// the operand of `+` once and of `{m,n}` max(m, n) times, nested copies multiply, and
// "((a+)+)+..." or "a{255}{255}" take gigabytes), or when more than two stand in a row
// (POSIX leaves adjacent repetitions undefined; in glibc "5*+++++" takes seconds to match and
// each further '+' multiplies that). Real dkms.conf patterns stay far below both limits.
bool regex_too_complex(std::string_view regex);

} // namespace modkit::dkms
