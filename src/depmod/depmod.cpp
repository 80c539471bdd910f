// run_depmod(): the pipeline, step by step, with kmod's messages and exit codes.
#include "depmod/depmod.hpp"

#include "config/config_files.hpp"
#include "config/depmod_config.hpp"
#include "depmod/cache.hpp"
#include "depmod/outputs.hpp"
#include "depmod/publish.hpp"
#include "depmod/scan.hpp"
#include "module/names.hpp"
#include "util/atomic_file.hpp"
#include "util/mapped_file.hpp"
#include "util/parallel.hpp"
#include "util/timing.hpp"

#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace modkit::depmod {

using config::Diagnostic;
using util::LogLevel;

namespace {

std::string strip_leading_slashes(std::string_view s) {
    while (s.starts_with('/'))
        s.remove_prefix(1);
    return std::string(s);
}

void say(const DepmodSink& sink, LogLevel level, std::string text) {
    sink.message(Diagnostic{level, {}, 0, std::move(text)});
}

// kmod's depfile_up_to_date(): true if no module file under `dirname` is newer than its
// modules.dep (sub-second resolution, as kmod after 34.2).
bool up_to_date(const std::string& dirname, const std::string& dep_file, const DepmodSink& sink) {
    struct stat dep_st;
    if (::stat(dep_file.c_str(), &dep_st) != 0) {
        say(sink, LogLevel::Error,
            "could not fstatat(" + dirname + ", modules.dep): " + std::strerror(errno));
        return false;
    }
    auto newer = [&](const struct stat& st) {
        return st.st_mtim.tv_sec > dep_st.st_mtim.tv_sec ||
               (st.st_mtim.tv_sec == dep_st.st_mtim.tv_sec &&
                st.st_mtim.tv_nsec / 1000 > dep_st.st_mtim.tv_nsec / 1000);
    };
    std::vector<std::string> dirs{dirname};
    while (!dirs.empty()) {
        std::string dir = std::move(dirs.back());
        dirs.pop_back();
        DIR* d = opendir(dir.c_str());
        if (d == nullptr) continue;
        while (dirent* de = readdir(d)) {
            std::string_view name = de->d_name;
            if (name == "." || name == ".." || name == "build" || name == "source") continue;
            struct stat st;
            if (fstatat(dirfd(d), de->d_name, &st, 0) != 0) continue;
            if (S_ISDIR(st.st_mode)) {
                dirs.push_back(dir + "/" + std::string(name));
            } else if (S_ISREG(st.st_mode) && module::has_module_extension(name) && newer(st)) {
                closedir(d);
                return false;
            }
        }
        closedir(d);
    }
    return true;
}

std::optional<std::string> read_optional(const std::string& path) {
    auto text = util::read_file(path);
    if (!text) return std::nullopt;
    return std::move(*text);
}

} // namespace

std::string module_directory(const DepmodOptions& opt) {
    return opt.basedir + "/" + strip_leading_slashes(opt.moduledir) + "/" + opt.kernel_version;
}

std::string output_directory(const DepmodOptions& opt) {
    const std::string& root = opt.outdir.empty() ? opt.basedir : opt.outdir;
    return root + "/" + strip_leading_slashes(opt.moduledir) + "/" + opt.kernel_version;
}

int run_depmod(const DepmodOptions& opt, const DepmodSink& sink, DepmodStats* stats) {
    const std::string dirname = module_directory(opt);
    const std::string outdir = output_directory(opt);

    if (opt.quick) {
        if (opt.dry_run) return 0; // kmod: -A with -n does nothing
        if (up_to_date(dirname, outdir + "/modules.dep", sink)) return 0;
    }

    DepmodStats local_stats;
    DepmodStats& st = stats != nullptr ? *stats : local_stats;

    // 0. vmlinux symbols first: kmod fails on an unreadable -E/-F file before anything else.
    config::Diagnostics symbol_messages;
    auto kernel_symbols = read_kernel_symbols(opt.graph, symbol_messages);
    for (const auto& d : symbol_messages)
        sink.message(d);
    if (!kernel_symbols) return 1;

    // 1. The modules: the whole tree (with depmod.d) or the paths given.
    std::vector<Candidate> candidates;
    std::optional<util::PhaseTimer> timer(std::in_place, "scan");
    if (opt.module_paths.empty()) {
        std::vector<std::string> paths = opt.config_paths;
        if (paths.empty()) paths = config::default_config_dirs(config::ConfigKind::Depmod);
        auto files = config::list_config_files(paths, {config::ConfigKind::Depmod, {}});
        for (const auto& d : files.diagnostics)
            sink.message(d);
        auto cfg = config::DepmodConfig::load(files, opt.kernel_version);
        for (const auto& d : cfg.diagnostics())
            sink.message(d);
        ScanResult scan = scan_tree(dirname, cfg, opt.use_cache);
        for (const auto& d : scan.messages)
            sink.message(d);
        if (scan.failed) {
            say(sink, LogLevel::Fatal,
                "could not search modules: " + std::string(std::strerror(ENOENT)));
            return 1;
        }
        candidates = std::move(scan.modules);
    } else {
        std::unordered_map<std::string, size_t> seen;
        for (const std::string& path : opt.module_paths) {
            if (!path.starts_with('/')) {
                say(sink, LogLevel::Fatal, path + ": not absolute path.");
                return 1;
            }
            Candidate c;
            c.path = path;
            c.relpath = relative_to(dirname, path);
            c.name = module::path_to_modname(path);
            if (!seen.emplace(c.name, candidates.size()).second) {
                say(sink, LogLevel::Fatal, "could not add module " + path + ": File exists");
                return 1;
            }
            struct stat s;
            if (::stat(path.c_str(), &s) != 0) {
                say(sink, LogLevel::Fatal,
                    "could not create module " + path + ": " + std::strerror(errno));
                return 1;
            }
            set_identity(c, s);
            candidates.push_back(std::move(c));
        }
    }
    st.modules = candidates.size();

    // 2. Records: from the cache when the file is unchanged, otherwise read (in parallel).
    timer.emplace("cache load");
    RecordCache cache;
    const std::string cache_path = outdir + "/" + k_cache_name;
    if (opt.use_cache) {
        std::string why;
        cache = RecordCache::load(cache_path, dirname, why);
        if (!why.empty()) say(sink, LogLevel::Warning, "ignoring " + cache_path + ": " + why);
    }
    std::vector<const ModuleRecord*> records(candidates.size(), nullptr);
    std::vector<size_t> to_read;
    for (size_t i = 0; i < candidates.size(); ++i) {
        if (opt.use_cache) records[i] = cache.find(candidates[i]);
        if (records[i] == nullptr) to_read.push_back(i);
    }
    timer.emplace("read modules");
    util::MemoryBudget budget(64u << 20);
    unsigned jobs = opt.jobs != 0 ? opt.jobs : util::default_jobs();
    std::vector<ModuleRecord> fresh = util::parallel_map(to_read.size(), jobs, [&](size_t k) {
        return extract_record(candidates[to_read[k]].path, &budget);
    });
    for (size_t k = 0; k < to_read.size(); ++k)
        records[to_read[k]] = &fresh[k];
    st.read = to_read.size();
    st.from_cache = candidates.size() - to_read.size();
    if (util::PhaseTimer::enabled())
        std::fprintf(stderr, "timing: %zu modules read, %zu from cache\n", st.read, st.from_cache);

    // 3. The graph.
    timer.emplace("graph");
    std::vector<const Candidate*> files;
    files.reserve(candidates.size());
    for (const auto& c : candidates)
        files.push_back(&c);
    DepGraph graph(files, records, read_optional(dirname + "/modules.order"), dirname);
    graph.add_kernel_symbols(*kernel_symbols, opt.graph);
    bool resolved = graph.resolve(opt.graph);
    for (const auto& d : graph.messages())
        sink.message(d);
    for (const auto& line : graph.verbose_lines())
        sink.out(line);
    if (!resolved) return 1; // a dependency cycle: nothing is written

    // 4. The files.
    if (opt.dry_run) {
        RenderResult r = render_outputs(graph, BuiltinInputs{std::string(), std::string(), dirname},
                                        opt.warn_dups, jobs);
        for (const auto& d : r.messages)
            sink.message(d);
        if (r.fatal) {
            say(sink, LogLevel::Fatal, *r.fatal);
            return 1;
        }
        for (const auto& f : r.files)
            if (!f.binary) sink.out(f.content);
        return 0;
    }
    timer.emplace("render");
    BuiltinInputs builtin{read_optional(dirname + "/modules.builtin"),
                          read_optional(dirname + "/modules.builtin.modinfo"), dirname};
    RenderResult r = render_outputs(graph, builtin, opt.warn_dups, jobs);
    for (const auto& d : r.messages)
        sink.message(d);
    if (r.fatal) {
        say(sink, LogLevel::Fatal, *r.fatal);
        return 1;
    }
    timer.emplace("publish");
    // The output directory (only ever different from the module directory with -o) is
    // created as needed, as kmod 31+ does.
    if (auto made = util::make_directories(outdir, 0755); !made) {
        say(sink, LogLevel::Fatal,
            "could not create directory " + outdir + ": " + std::strerror(made.error().sys_errno));
        return 1;
    }
    auto lock = DirectoryLock::acquire(outdir);
    if (!lock) {
        say(sink, LogLevel::Fatal,
            "could not open directory " + outdir + ": " + std::strerror(lock.error().sys_errno));
        return 1;
    }
    if (auto rec = recover_interrupted_commit(outdir); !rec)
        say(sink, LogLevel::Error, rec.error().describe());
    if (auto p = publish_files(outdir, r.files); !p) {
        say(sink, LogLevel::Fatal, p.error().describe());
        return 1;
    }
    timer.emplace("cache write");
    // The cache: untouched when every record came from it; a small appended segment when a
    // few modules were read; rewritten whole when it is new or mostly stale.
    if (opt.use_cache && st.read > 0) {
        util::Expected<void> w;
        bool append =
            cache.stored_entries() > 0 && cache.stored_entries() + st.read <= 2 * candidates.size();
        if (append) {
            std::vector<const Candidate*> fresh_files;
            std::vector<const ModuleRecord*> fresh_records;
            for (size_t k = 0; k < to_read.size(); ++k) {
                fresh_files.push_back(&candidates[to_read[k]]);
                fresh_records.push_back(&fresh[k]);
            }
            w = util::append_file(cache_path,
                                  RecordCache::serialize_segment(fresh_files, fresh_records));
        } else {
            w = util::write_file_atomic(cache_path, RecordCache::serialize(dirname, files, records),
                                        0644, util::AtomicFile::Sync::No);
        }
        if (!w)
            say(sink, LogLevel::Warning,
                "could not write " + cache_path + ": " + std::strerror(w.error().sys_errno));
    }
    return 0;
}

} // namespace modkit::depmod
