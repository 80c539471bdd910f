// modinfo: kmod-compatible module information: the options and the printing. What each
// argument names and each module's entries come from resolve::ModinfoQuery, read on all
// cores; output is printed strictly in argument order, byte-identical to kmod's.
#include "cli/modinfo_json.hpp"
#include "cli/option_table.hpp"
#include "cli/tools.hpp"

#include "index/module_dir.hpp"
#include "resolve/modinfo.hpp"
#include "util/diag.hpp"
#include "util/fs.hpp"
#include "util/json.hpp"
#include "util/output.hpp"
#include "util/parallel.hpp"
#include "util/strings.hpp"

#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace modkit::cli {

namespace {

struct Options {
    std::optional<std::string> field;
    char separator = '\n';
    bool arg_is_modname = false;
    std::optional<std::string> kversion;
    std::optional<std::string> basedir;
    bool json = false;
};

// The output of one argument: stdout text and error lines, in the order they happen.
struct Chunk {
    bool is_error;
    std::string text;
};
struct Result {
    std::vector<Chunk> chunks;
    bool failed = false;
    std::optional<ModinfoJsonModule> json; // with --json: the module, printed as one value
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

Result describe(const resolve::ModinfoTarget& w, const Options& opt,
                const resolve::ModinfoQuery& query, util::MemoryBudget& budget) {
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

    resolve::ModinfoEntries info = query.entries(w, budget);
    if (opt.json) {
        res.chunks.clear(); // the name and filename lines: fields of the object instead
        if (info.status == resolve::ModinfoEntries::Status::Failed) {
            for (auto& e : info.errors)
                pr.error(std::move(e));
            res.failed = true;
        } else {
            res.json = ModinfoJsonModule{w.name, filename, no_path, std::move(info.entries)};
        }
        return res;
    }
    switch (info.status) {
    case resolve::ModinfoEntries::Status::NameOnly:
        return res;
    case resolve::ModinfoEntries::Status::Failed:
        for (auto& e : info.errors)
            pr.error(std::move(e));
        res.failed = true;
        return res;
    case resolve::ModinfoEntries::Status::Entries:
        break;
    }
    print_entries(info.entries, opt, pr);
    return res;
}

// Resolves every argument first (index lookups are cheap and sequential), then reads and
// formats the modules in parallel, printing strictly in argument order.
int print_modinfo(const std::string& dirname, const std::vector<std::string_view>& args,
                  const Options& opt) {
    index::ModuleDirectory dir(dirname);
    resolve::ModinfoQuery query(dir);
    bool failed = false;
    auto targets = query.resolve(args, opt.arg_is_modname, failed);
    util::JsonWriter json;
    if (opt.json) json.begin_object().field("version", 1).key("modules").begin_array();
    // Decompressed modules in flight at once; one larger module still goes through alone.
    util::MemoryBudget budget(16u << 20);
    unsigned jobs = targets.size() > 8 ? util::default_jobs() : 1;
    query.for_each(
        targets, jobs,
        [&](const resolve::ModinfoTarget& t) { return describe(t, opt, query, budget); },
        [&](Result res) {
            for (const auto& c : res.chunks) {
                if (c.is_error)
                    util::Diag::error(c.text);
                else
                    util::Output::write(c.text);
            }
            if (res.json) modinfo_json(json, *res.json);
            failed |= res.failed;
        });
    if (opt.json) {
        json.end_array().end_object();
        util::Output::write(json.take());
    }
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
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
        "\t    --json                  Print every module as JSON (modkit)\n"
        "\t-V, --version               Show version\n"
        "\t-h, --help                  Show this help\n");
}

} // namespace

namespace {

enum { k_json = 256 };
constexpr OptionSpec k_options[] = {
    {'a', "author", 'a', ValueKind::None, "Print only 'author'"},
    {'d', "description", 'd', ValueKind::None, "Print only 'description'"},
    {'l', "license", 'l', ValueKind::None, "Print only 'license'"},
    {'p', "parameters", 'p', ValueKind::None, "Print only 'parm'"},
    {'n', "filename", 'n', ValueKind::None, "Print only 'filename'"},
    {'0', "null", '0', ValueKind::None, "Use \\0 instead of \\n"},
    {'m', "modname", 'm', ValueKind::None, "Handle argument as module name"},
    {'F', "field", 'F', ValueKind::Word, "Print only provided FIELD"},
    {'k', "set-version", 'k', ValueKind::KernelVersion, "Use VERSION instead of `uname -r`"},
    {'b', "basedir", 'b', ValueKind::Directory, "Use DIR as filesystem root for /lib/modules"},
    {k_json, "json", 0, ValueKind::None, "Print every module as JSON (modkit)"},
    {'V', "version", 'V', ValueKind::None, "Show version"},
    {'h', "help", 'h', ValueKind::None, "Show this help"},
};

// The command line into `opt`; the exit status when it ends the run.
std::optional<int> parse_modinfo_options(int argc, char** argv, Options& opt) {
    optind = 0;
    OptionParser parser(k_options);
    for (int c; (c = parser.next(argc, argv)) != -1;) {
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
            opt.field = parser.value();
            break;
        case 'k':
            opt.kversion = parser.value();
            break;
        case 'b':
            opt.basedir = parser.value();
            break;
        case k_json:
            opt.json = true;
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
    if (opt.json && (opt.field || opt.separator == '\0')) {
        util::Diag::error("--json prints every field: it cannot be combined with -F, -a, -d, "
                          "-l, -p, -n or -0.");
        return EXIT_FAILURE;
    }
    return std::nullopt;
}

} // namespace

std::span<const OptionSpec> modinfo_options() {
    return k_options;
}

int modinfo_main(int argc, char** argv) {
    Options opt;
    if (auto done = parse_modinfo_options(argc, argv, opt)) return *done;
    std::string dirname;
    {
        std::string kver = opt.kversion ? *opt.kversion : exec::real_system().kernel_release();
        if (kver.empty()) {
            util::Diag::error(std::string("uname() failed: ") + std::strerror(errno));
            return EXIT_FAILURE;
        }
        // libkmod makes the directory absolute (not normalised) against the cwd.
        dirname = util::absolute_path(opt.basedir.value_or("") + "/lib/modules/" + kver);
    }
    std::vector<std::string_view> args(argv + optind, argv + argc);
    return print_modinfo(dirname, args, opt);
}

} // namespace modkit::cli
