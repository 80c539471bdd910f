// POSIX extended regexes as bash's [[ s =~ ERE ]] and kmod's depmod.d kernel patterns use them,
// through glibc's regcomp(3), behind one guard: a pattern whose repetitions would make regcomp
// expand it into gigabytes is refused, wherever modkit compiles a pattern from a file.
#pragma once
#include <string_view>

namespace modkit::util {

// bash's [[ text =~ regex ]]: POSIX extended regex, unanchored. An invalid regex does not
// match (bash returns 2, which every DKMS test treats as false). Neither does one whose
// repetitions would make glibc's regcomp expand it past 256 copies (see
// regex_too_complex): bash or depmod would exhaust memory on it; modkit treats it as invalid.
bool regex_search(std::string_view text, std::string_view regex);

// True when the repetition operators of an ERE multiply past 256 (glibc's regcomp copies
// the operand of `+` once and of `{m,n}` max(m, n) times, nested copies multiply, and
// "((a+)+)+..." or "a{255}{255}" take gigabytes), or when more than two stand in a row
// (POSIX leaves adjacent repetitions undefined; in glibc "5*+++++" takes seconds to match and
// each further '+' multiplies that). Real dkms.conf patterns stay far below both limits.
bool regex_too_complex(std::string_view regex);

} // namespace modkit::util
