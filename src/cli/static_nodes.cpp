// `kmod static-nodes`: the device nodes of modules.devname for the running kernel, as text
// for people, tmpfiles.d lines for systemd, or modules.devname lines. Lines are read and
// parsed exactly as kmod does (4 KiB fgets pieces, sscanf "%s %s %c%u:%u").
#include "cli/kernel_tools.hpp"

#include "util/diag.hpp"
#include "util/output.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <getopt.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace modkit::cli {

namespace {

struct Node {
    const char* modname;
    const char* devname;
    char type;
    unsigned major, minor;
};

std::string human(const Node& n) {
    return std::string("Module: ") + n.modname + "\n\tDevice node: /dev/" + n.devname +
           "\n\t\tType: " + (n.type == 'c' ? "character" : "block") +
           " device\n\t\tMajor: " + std::to_string(n.major) +
           "\n\t\tMinor: " + std::to_string(n.minor) + "\n";
}

std::string tmpfiles(const Node& n) {
    std::string out;
    if (const char* slash = std::strrchr(n.devname, '/'))
        out = "d /dev/" + std::string(n.devname, slash) + " 0755 - - -\n";
    return out + n.type + "! /dev/" + n.devname + " 0600 - - - " + std::to_string(n.major) + ":" +
           std::to_string(n.minor) + "\n";
}

std::string devname(const Node& n) {
    return std::string(n.modname) + " " + n.devname + " " + n.type + std::to_string(n.major) + ":" +
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

// shared/util.c mkdir_parents(): creates the directories leading to `path`; -errno on failure.
int mkdir_parents(const std::string& path) {
    size_t end = path.rfind('/');
    if (end == std::string::npos) return 0;
    for (size_t i = 1; i <= end; ++i) {
        if (i != end && path[i] != '/') continue;
        std::string dir = path.substr(0, i);
        if (dir.empty() || dir.back() == '/') continue;
        struct stat st {};
        if (::stat(dir.c_str(), &st) == 0) {
            if (!S_ISDIR(st.st_mode)) return -ENOTDIR;
            continue;
        }
        if (::mkdir(dir.c_str(), 0755) < 0 && errno != EEXIST) return -errno;
    }
    return 0;
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

} // namespace

int static_nodes_run(int argc, char** argv, KernelToolEnv& env) {
    static const option longopts[] = {
        {"output", required_argument, nullptr, 'o'},
        {"format", required_argument, nullptr, 'f'},
        {"help", no_argument, nullptr, 'h'},
        {nullptr, 0, nullptr, 0},
    };
    if (!env.continue_getopt) optind = 0;
    std::string output = "/dev/stdout";
    const Format* format = &k_formats[0];
    for (;;) {
        int c = getopt_long(argc, argv, "o:f:h", longopts, nullptr);
        if (c == -1) break;
        switch (c) {
        case 'o':
            output = optarg;
            break;
        case 'f': {
            const Format* found = nullptr;
            for (const Format& f : k_formats)
                if (std::strcmp(f.name, optarg) == 0) found = &f;
            if (found == nullptr) {
                util::Diag::raw(std::string("Unknown format: '") + optarg + "'.\n");
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

    if (int r = mkdir_parents(output); r < 0) {
        util::Diag::raw("Error: could not create parent directory for " + output + " - " +
                        std::strerror(-r) + ".\n");
        return 1;
    }
    int out = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (out < 0) {
        util::Diag::raw("Error: could not create " + output + " - " + std::strerror(errno) + "\n");
        return 1;
    }

    int ret = 0;
    std::string result;
    constexpr size_t k_piece = 4095; // fgets with a 4096-byte buffer
    for (size_t pos = 0; pos < text.size();) {
        size_t nl = text.find('\n', pos);
        size_t len = nl == std::string::npos ? text.size() - pos : nl + 1 - pos;
        if (len > k_piece) len = k_piece;
        const std::string piece = text.substr(pos, len);
        pos += len;
        if (piece[0] == '#') continue;
        char modname[4096], dev[4096], type = 0;
        unsigned major = 0, minor = 0;
        int matches = std::sscanf(piece.c_str(), "%4095s %4095s %c%u:%u", modname, dev, &type,
                                  &major, &minor);
        if (matches != 5 || (type != 'c' && type != 'b')) {
            // printf("%s") of the line: it stops at a NUL byte.
            util::Diag::raw("Error: invalid devname entry: " + std::string(piece.c_str()));
            ret = 1;
            continue;
        }
        result += format->write(Node{modname, dev, type, major, minor});
    }
    util::write_all(out, result);
    ::close(out);
    return ret;
}

} // namespace modkit::cli
