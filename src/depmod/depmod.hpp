// depmod as a library call: find the modules, read them (in parallel, or from the incremental
// cache), compute the graph and publish every index atomically. Messages and -n/-v output go
// to a sink, in the order kmod would print them; the CLI only parses options and prints.
#pragma once

#include "config/diagnostic.hpp"
#include "depmod/graph.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::depmod {

struct DepmodOptions {
    std::string basedir;                    // -b, absolute ("" for /)
    std::string moduledir = "/lib/modules"; // -m (kmod 34): relative to basedir and outdir
    std::string outdir;                     // -o, absolute ("" = basedir)
    std::string kernel_version;
    std::vector<std::string> config_paths; // -C; empty = the default depmod.d directories
    std::vector<std::string> module_paths; // explicit modules instead of the whole tree
    bool quick = false;                    // -A
    bool dry_run = false;                  // -n: text files to stdout, nothing written
    bool warn_dups = false;                // -w
    GraphOptions graph;                    // -E -F -e -P -v
    unsigned jobs = 0;                     // 0 = all CPUs
    bool use_cache = true;                 // --no-cache disables reading and writing it
};

struct DepmodSink {
    std::function<void(const config::Diagnostic&)> message; // to stderr with the tool prefix
    std::function<void(std::string_view)> out;              // to stdout
    // Called from the reading threads as modules are read (done of total); may be empty.
    std::function<void(size_t done, size_t total)> progress;
};

struct DepmodStats {
    size_t modules = 0;
    size_t read = 0;       // modules read from disk
    size_t from_cache = 0; // modules whose record came from the cache
};

// The module directory and the output directory for the options.
std::string module_directory(const DepmodOptions& opt);
std::string output_directory(const DepmodOptions& opt);

// Runs depmod. Returns the exit status (0 or 1).
int run_depmod(const DepmodOptions& opt, const DepmodSink& sink, DepmodStats* stats = nullptr);

} // namespace modkit::depmod
