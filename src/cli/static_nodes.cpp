// `kmod static-nodes`: the device nodes of modules.devname for the running kernel, as text
// for people, tmpfiles.d lines for systemd, or modules.devname lines. Lines are read and
// parsed as kmod does by index/devname.
#include "cli/kernel_tools.hpp"
#include "cli/option_table.hpp"

#include "index/devname.hpp"
#include "util/diag.hpp"
#include "util/fs.hpp"
#include "util/output.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace modkit::cli {

namespace {

using Node = index::DevnameEntry;

std::string human(const Node& n) {
    return std::string("Module: ") + n.modname + "\n\tDevice node: /dev/" + n.devname +
           "\n\t\tType: " + (n.type == 'c' ? "character" : "block") +
           " device\n\t\tMajor: " + std::to_string(n.major) +
           "\n\t\tMinor: " + std::to_string(n.minor) + "\n";
}

std::string tmpfiles(const Node& n) {
    std::string out;
    if (size_t slash = n.devname.rfind('/'); slash != std::string::npos)
        out = "d /dev/" + n.devname.substr(0, slash) + " 0755 - - -\n";
    return out + n.type + "! /dev/" + n.devname + " 0600 - - - " + std::to_string(n.major) + ":" +
           std::to_string(n.minor) + "\n";
}

std::string devname(const Node& n) {
    return n.modname + " " + n.devname + " " + n.type + std::to_string(n.major) + ":" +
           std::to_string(n.minor) + "\n";
}

struct Format {
    const char* name;
    std::string (*write)(const Node&);
    const char* description;
};

constexpr Format k_formats[] = {
    {"human", human, "(default) a human readable format. Do not parse."},
    {"tmpfiles", tmpfiles, "the tmpfiles.d(5) format used by systemd-tmpfiles."},
    {"devname", devname, "the modules.devname format."},
};

void help() {
    std::string text = "Usage:\n\t" + util::Diag::program() +
                       " static-nodes [options]\n"
                       "\n"
                       "kmod static-nodes outputs the static-node information of the currently "
                       "running kernel.\n"
                       "\n"
                       "Options:\n"
                       "\t-f, --format=FORMAT  choose format to use: see \"Formats\"\n"
                       "\t-o, --output=FILE    write output to file\n"
                       "\t-h, --help           show this help\n"
                       "\n"
                       "Formats:\n";
    for (const Format& f : k_formats) {
        char line[256];
        std::snprintf(line, sizeof line, "\t%-12s %s\n", f.name, f.description);
        text += line;
    }
    util::Output::write(text);
}

// The file as fgets(buf, 4096) returns it; a read error ends it, as it ends fgets.
std::string read_all(int fd) {
    std::string text;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        text.append(buf, static_cast<size_t>(n));
    }
    return text;
}

constexpr OptionSpec k_options[] = {
    {'f', "format", 'f', ValueKind::Word, "choose format to use: see \"Formats\""},
    {'o', "output", 'o', ValueKind::File, "write output to file"},
    {'h', "help", 'h', ValueKind::None, "show this help"},
};

} // namespace

std::span<const OptionSpec> static_nodes_options() {
    return k_options;
}

int static_nodes_run(int argc, char** argv, KernelToolEnv& env) {
    if (!env.continue_getopt) optind = 0;
    OptionParser parser(k_options);
    std::string output = "/dev/stdout";
    const Format* format = &k_formats[0];
    for (;;) {
        int c = parser.next(argc, argv);
        if (c == -1) break;
        switch (c) {
        case 'o':
            output = parser.value();
            break;
        case 'f': {
            const Format* found = nullptr;
            for (const Format& f : k_formats)
                if (std::strcmp(f.name, parser.value()) == 0) found = &f;
            if (found == nullptr) {
                util::Diag::raw(std::string("Unknown format: '") + parser.value() + "'.\n");
                help();
                return 1;
            }
            format = found;
            break;
        }
        case 'h':
            help();
            return 0;
        default:
            return 1;
        }
    }

    const std::string release = env.sys.kernel_release();
    const std::string where = env.module_root + "/" + release + "/modules.devname";
    int in = ::open(where.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        int err = errno;
        if (err == ENOENT) {
            util::Diag::raw("Warning: " + where + " not found - ignoring\n");
            return 0;
        }
        util::Diag::raw("Error: could not open " + where + " - " + std::strerror(err) + "\n");
        return 1;
    }
    const std::string text = read_all(in);
    ::close(in);

    if (size_t slash = output.rfind('/'); slash != std::string::npos && slash > 0) {
        if (auto made = util::make_directories(output.substr(0, slash)); !made) {
            util::Diag::raw("Error: could not create parent directory for " + output + " - " +
                            std::strerror(made.error().sys_errno) + ".\n");
            return 1;
        }
    }
    int out = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (out < 0) {
        util::Diag::raw("Error: could not create " + output + " - " + std::strerror(errno) + "\n");
        return 1;
    }

    int ret = 0;
    std::string result;
    for (const index::DevnameLine& line : index::parse_devname(text)) {
        if (!line.valid) {
            util::Diag::raw("Error: invalid devname entry: " + line.invalid);
            ret = 1;
            continue;
        }
        result += format->write(line.entry);
    }
    util::write_all(out, result);
    ::close(out);
    return ret;
}

} // namespace modkit::cli
