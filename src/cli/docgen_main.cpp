// modkit-docgen: writes the generated shell completions and man page sources at build time
// (CMakeLists.txt runs it). Not installed.
//   modkit-docgen bash|zsh           the completion script on stdout
//   modkit-docgen fish COMMAND       fish's script for COMMAND (modkit or a tool's name)
//   modkit-docgen man SOURCE.scd     SOURCE with its @OPTIONS tool@ lines expanded
#include "cli/docgen.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

int main(int argc, char** argv) {
    using namespace modkit::cli;
    const std::string what = argc > 1 ? argv[1] : "";
    std::string out;
    if (what == "bash" && argc == 2) {
        out = bash_completion();
    } else if (what == "zsh" && argc == 2) {
        out = zsh_completion();
    } else if (what == "fish" && argc == 3) {
        out = fish_completion(argv[2]);
    } else if (what == "man" && argc == 3) {
        std::ifstream in(argv[2], std::ios::binary);
        if (!in) {
            std::cerr << "modkit-docgen: cannot read " << argv[2] << "\n";
            return 1;
        }
        std::stringstream text;
        text << in.rdbuf();
        std::string error;
        if (!expand_man_source(text.str(), out, error)) {
            std::cerr << argv[2] << ":" << error << "\n";
            return 1;
        }
    } else {
        std::cerr << "usage: modkit-docgen bash|zsh | fish COMMAND | man SOURCE.scd\n";
        return 2;
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    return std::fflush(stdout) == 0 ? 0 : 1;
}
