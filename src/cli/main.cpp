// modkit's entry point: everything happens in the dispatch table (cli/tools.cpp).
#include "cli/tools.hpp"

int main(int argc, char** argv) {
    return modkit::cli::run(argc, argv);
}
