// modinfo: kmod-compatible module information. Arguments are resolved in order (path, name
// or alias, as kmod does), the modules are read on all cores, and output is printed strictly
// in argument order, so it is byte-identical to kmod's whatever the thread count.
#include "cli/tools.hpp"

#include "index/module_dir.hpp"
#include "module/builtin_modinfo.hpp"
#include "module/info.hpp"
#include "module/module_file.hpp"
#include "module/names.hpp"
#include "resolve/lookup.hpp"
#include "util/diag.hpp"
#include "util/output.hpp"
#include "util/parallel.hpp"
#include "util/strings.hpp"

#include <cstdlib>
#include <cstring>
#include <getopt.h>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <vector>

namespace modkit::cli {

namespace {

struct Options {
    std::optional<std::string> field;
    char separator = '\n';
    bool arg_is_modname = false;
    std::optional<std::string> kversion;
    std::optional<std::string> basedir;
};

// What one argument resolved to: a module to describe, or an error line to print.
struct Work {
    std::string error;    // non-empty: print this error instead
    std::string name;     // module name
    std::string path;     // module file; empty for built-in (or unresolvable) modules
    bool builtin = false; // read info from modules.builtin.modinfo
};

// The output of one Work item: stdout text and error lines, in the order they happen.
struct Chunk {
    bool is_error;
    std::string text;
};
struct Result {
    std::vector<Chunk> chunks;
    bool failed = false;
};

class Printer {
public:
    Printer(const Options& opt, Result& res)
        : m_opt(opt)
        , m_res(res) {}

    void out(std::string_view text) {
        if (m_res.chunks.empty() || m_res.chunks.back().is_error)
            m_res.chunks.push_back({false, {}});
        m_res.chunks.back().text.append(text);
    }
    void sep() { out(std::string_view(&m_opt.separator, 1)); }
    void error(std::string msg) { m_res.chunks.push_back({true, std::move(msg)}); }
    // printf("%-16s%s", label, value) followed by the separator.
    void labelled(std::string_view label, std::string_view value) {
        out(label);
        if (label.size() < 16) out(std::string(16 - label.size(), ' '));
        out(value);
        sep();
    }

private:
    const Options& m_opt;
    Result& m_res;
};

struct Param {
    std::string_view name;
    std::optional<std::string_view> desc;
    std::optional<std::string_view> type;
};

// Collects parm=/parmtype= entries the way kmod does: one record per name, later values
// replace earlier ones, printed in reverse order of first appearance.
bool add_param(std::vector<Param>& params, std::string_view key, std::string_view value,
               Printer& pr) {
    auto colon = value.find(':');
    if (colon == std::string_view::npos) {
        pr.error("Found invalid \"" + std::string(key) + "=" + std::string(value) +
                 "\": missing ':'");
        return false;
    }
    std::string_view name = value.substr(0, colon), rest = value.substr(colon + 1);
    Param* p = nullptr;
    for (auto& it : params)
        if (it.name == name) p = &it;
    if (p == nullptr) p = &params.emplace_back(Param{name, {}, {}});
    if (key == "parm")
        p->desc = rest;
    else
        p->type = rest;
    return true;
}

void print_params(const std::vector<Param>& params, bool with_label, Printer& pr) {
    for (auto it = params.rbegin(); it != params.rend(); ++it) {
        std::string line(it->name);
        line += ':';
        if (!it->desc) {
            // kmod prints "name: (type)" under -F parm but "name:type" in the full listing.
            line += with_label ? std::string(*it->type) : " (" + std::string(*it->type) + ")";
        } else {
            line += *it->desc;
            if (it->type) line += " (" + std::string(*it->type) + ")";
        }
        if (with_label)
            pr.labelled("parm:", line);
        else {
            pr.out(line);
            pr.sep();
        }
    }
}

void print_entries(const std::vector<module::InfoEntry>& entries, const Options& opt, Printer& pr) {
    std::vector<Param> params;
    if (opt.field && *opt.field == "parm") {
        for (const auto& e : entries)
            if (e.key == "parm" || e.key == "parmtype") add_param(params, e.key, e.value, pr);
        print_params(params, false, pr);
        return;
    }
    for (const auto& e : entries) {
        if (opt.field) {
            if (e.key != *opt.field) continue;
            pr.out(e.value);
            pr.sep();
            continue;
        }
        if (e.key == "parm" || e.key == "parmtype") {
            add_param(params, e.key, e.value, pr);
            continue;
        }
        if (opt.separator == '\0') {
            pr.out(e.key);
            pr.out("=");
            pr.out(e.value);
            pr.sep();
            continue;
        }
        // printf("%s:%-*s%s", key, 15 - keylen, "", value): a negative width pads too.
        pr.out(e.key);
        pr.out(":");
        size_t pad = e.key.size() <= 15 ? 15 - e.key.size() : e.key.size() - 15;
        pr.out(std::string(pad, ' '));
        pr.out(e.value);
        pr.sep();
    }
    if (!opt.field) print_params(params, true, pr);
}

Result describe(const Work& w, const Options& opt, const module::BuiltinModinfo* builtin_info,
                const util::Error* builtin_error, util::MemoryBudget& budget) {
    Result res;
    Printer pr(opt, res);
    if (!w.error.empty()) {
        pr.error(w.error);
        res.failed = true;
        return res;
    }
    const bool no_path = w.path.empty();
    if (no_path) {
        if (!opt.field)
            pr.labelled("name:", w.name);
        else if (*opt.field == "name") {
            pr.out(w.name);
            pr.sep();
        }
    }
    const std::string filename = no_path ? "(builtin)" : w.path;
    if (opt.field && *opt.field == "filename") {
        pr.out(filename);
        pr.sep();
        return res;
    }
    if (!opt.field) pr.labelled("filename:", filename);

    std::vector<module::InfoEntry> entries;
    if (w.builtin) {
        if (builtin_info == nullptr) {
            // No modules.builtin.modinfo (an old kernel): kmod prints name and filename only.
            if (builtin_error != nullptr && builtin_error->sys_errno == ENOENT && no_path)
                return res;
            int err = builtin_error != nullptr ? builtin_error->sys_errno : ENOENT;
            pr.error("could not get modinfo from '" + w.name + "': " + std::strerror(err));
            res.failed = true;
            return res;
        }
        auto records = builtin_info->lookup(w.name);
        if (!records) {
            pr.error("could not get modinfo from '" + w.name +
                     "': " + std::strerror(records.error().sys_errno));
            res.failed = true;
            return res;
        }
        entries = module::info_from_records(*records);
    } else {
        if (no_path) return res; // an alias whose module has no file: kmod shows only this much
        auto mod = module::ModuleFile::open(w.path, module::ModuleFile::Load::OnDemand, &budget);
        util::Expected<std::vector<module::InfoEntry>> info =
            mod ? module::module_info(*mod) : std::unexpected(mod.error());
        if (!info) {
            const util::Error& e = info.error();
            // One line that names the file and the exact problem, then kmod's own line.
            if (e.kind == util::ErrorKind::Corrupt || e.sys_errno == EISDIR) pr.error(e.describe());
            pr.error("could not get modinfo from '" + w.name + "': " + std::strerror(e.sys_errno));
            res.failed = true;
            return res;
        }
        entries = std::move(*info);
    }
    print_entries(entries, opt, pr);
    return res;
}

bool is_module_filename(const char* arg) {
    struct stat st;
    size_t len = std::strlen(arg);
    std::string_view s(arg, len);
    bool ext = false;
    for (std::string_view e : {".ko", ".ko.gz", ".ko.xz", ".ko.zst"})
        if (len > e.size() && s.ends_with(e)) ext = true;
    return ext && stat(arg, &st) == 0 && S_ISREG(st.st_mode);
}

// libkmod's path_make_absolute_cwd(): prefix the cwd, do not normalise.
std::string absolute(const std::string& path) {
    if (path.starts_with('/')) return path;
    static const std::string cwd = [] {
        char buf[4096];
        return getcwd(buf, sizeof buf) != nullptr ? std::string(buf) : std::string();
    }();
    if (cwd.empty()) return path;
    return cwd + "/" + path;
}

void help(const char* prog) {
    std::string p(util::basename(prog));
    util::Output::write(
        "Usage:\n"
        "\t" +
        p +
        " [options] <modulename|filename> [args]\n"
        "Options:\n"
        "\t-a, --author                Print only 'author'\n"
        "\t-d, --description           Print only 'description'\n"
        "\t-l, --license               Print only 'license'\n"
        "\t-p, --parameters            Print only 'parm'\n"
        "\t-n, --filename              Print only 'filename'\n"
        "\t-0, --null                  Use \\0 instead of \\n\n"
        "\t-m, --modname               Handle argument as module name instead of alias or "
        "filename\n"
        "\t-F, --field=FIELD           Print only provided FIELD\n"
        "\t-k, --set-version=VERSION   Use VERSION instead of `uname -r`\n"
        "\t-b, --basedir=DIR           Use DIR as filesystem root for /lib/modules\n"
        "\t-V, --version               Show version\n"
        "\t-h, --help                  Show this help\n");
}

} // namespace

int modinfo_main(int argc, char** argv) {
    static const option longopts[] = {
        {"author", no_argument, nullptr, 'a'},
        {"description", no_argument, nullptr, 'd'},
        {"license", no_argument, nullptr, 'l'},
        {"parameters", no_argument, nullptr, 'p'},
        {"filename", no_argument, nullptr, 'n'},
        {"null", no_argument, nullptr, '0'},
        {"modname", no_argument, nullptr, 'm'},
        {"field", required_argument, nullptr, 'F'},
        {"set-version", required_argument, nullptr, 'k'},
        {"basedir", required_argument, nullptr, 'b'},
        {"version", no_argument, nullptr, 'V'},
        {"help", no_argument, nullptr, 'h'},
        {nullptr, 0, nullptr, 0},
    };
    Options opt;
    optind = 0;
    for (;;) {
        int c = getopt_long(argc, argv, "adlpn0mF:k:b:Vh", longopts, nullptr);
        if (c == -1) break;
        switch (c) {
        case 'a':
            opt.field = "author";
            break;
        case 'd':
            opt.field = "description";
            break;
        case 'l':
            opt.field = "license";
            break;
        case 'p':
            opt.field = "parm";
            break;
        case 'n':
            opt.field = "filename";
            break;
        case '0':
            opt.separator = '\0';
            break;
        case 'm':
            opt.arg_is_modname = true;
            break;
        case 'F':
            opt.field = optarg;
            break;
        case 'k':
            opt.kversion = optarg;
            break;
        case 'b':
            opt.basedir = optarg;
            break;
        case 'h':
            help(argv[0]);
            return EXIT_SUCCESS;
        case 'V':
            return print_kmod_version();
        default:
            return EXIT_FAILURE; // getopt has printed the message
        }
    }
    if (optind >= argc) {
        util::Diag::error("missing module or filename.");
        return EXIT_FAILURE;
    }

    std::string dirname;
    {
        std::string root = opt.basedir.value_or("");
        std::string kver;
        if (opt.kversion) {
            kver = *opt.kversion;
        } else {
            utsname u;
            if (uname(&u) < 0) {
                util::Diag::error(std::string("uname() failed: ") + std::strerror(errno));
                return EXIT_FAILURE;
            }
            kver = u.release;
        }
        // libkmod makes the directory absolute (not normalised) against the cwd.
        dirname = absolute(root + "/lib/modules/" + kver);
    }
    index::ModuleDirectory dir(dirname);

    // Resolve every argument first (index lookups are cheap and sequential), then read and
    // format the modules in parallel.
    std::vector<Work> work;
    bool need_builtin = false;
    auto add_found = [&](const std::vector<resolve::Found>& found) -> std::optional<util::Error> {
        for (const auto& f : found) {
            Work w;
            w.name = f.name;
            auto dep = dir.dep(f.name);
            if (!dep) return dep.error();
            if (*dep) w.path = (*dep)->path;
            auto builtin = f.builtin ? util::Expected<bool>(true) : dir.is_builtin(f.name);
            if (!builtin) return builtin.error();
            w.builtin = *builtin;
            need_builtin |= w.builtin;
            work.push_back(std::move(w));
        }
        return std::nullopt;
    };
    bool index_failed = false;
    for (int i = optind; i < argc; ++i) {
        const char* arg = argv[i];
        std::optional<util::Error> err;
        if (opt.arg_is_modname) {
            auto found = resolve::lookup_name(dir, arg);
            if (!found)
                err = found.error();
            else if (found->empty())
                work.push_back({"Module name " + std::string(arg) + " not found.", {}, {}, false});
            else
                err = add_found(*found);
        } else if (is_module_filename(arg)) {
            Work w;
            w.path = absolute(arg);
            w.name = module::path_to_modname(w.path);
            work.push_back(std::move(w));
        } else {
            auto found = resolve::lookup(dir, nullptr, arg);
            if (!found) {
                if (found.error().kind == util::ErrorKind::Invalid)
                    work.push_back(
                        {"Module alias " + std::string(arg) + " not found.", {}, {}, false});
                else
                    err = found.error();
            } else if (found->empty()) {
                work.push_back({"Module " + std::string(arg) + " not found.", {}, {}, false});
            } else {
                err = add_found(*found);
            }
        }
        if (err) {
            // A corrupt index: say which file and stop; kmod would misbehave here.
            work.push_back({err->describe(), {}, {}, false});
            index_failed = true;
            break;
        }
    }

    std::optional<module::BuiltinModinfo> builtin_info;
    std::optional<util::Error> builtin_error;
    if (need_builtin) {
        auto b = module::BuiltinModinfo::open(dir.file("modules.builtin.modinfo"));
        if (b)
            builtin_info = std::move(*b);
        else
            builtin_error = b.error();
    }

    bool failed = index_failed;
    // Decompressed modules in flight at once; one larger module still goes through alone.
    util::MemoryBudget budget(16u << 20);
    unsigned jobs = work.size() > 8 ? util::default_jobs() : 1;
    util::parallel_ordered(
        work.size(), jobs,
        [&](size_t i) {
            return describe(work[i], opt, builtin_info ? &*builtin_info : nullptr,
                            builtin_error ? &*builtin_error : nullptr, budget);
        },
        [&](size_t, Result res) {
            for (const auto& c : res.chunks) {
                if (c.is_error)
                    util::Diag::error(c.text);
                else
                    util::Output::write(c.text);
            }
            failed |= res.failed;
        });
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

} // namespace modkit::cli
